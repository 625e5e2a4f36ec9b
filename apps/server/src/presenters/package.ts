import type { CreditPackageDto } from '@app/shared';
import type { PackageRecord } from '../store/types.ts';

export const presentPackage = (p: PackageRecord): CreditPackageDto => ({
  id: p.id,
  name: p.name,
  credits: p.credits,
  bonusCredits: p.bonusCredits,
  totalCredits: p.credits + p.bonusCredits,
  priceCents: p.priceCents,
  currency: p.currency,
  bestValue: p.bestValue,
});
