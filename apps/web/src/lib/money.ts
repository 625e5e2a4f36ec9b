import { pricePerCreditMillicents, type CreditPackage, type CreditPackageDto } from '@app/shared';

const formatters = new Map<string, Intl.NumberFormat>();

/** Integer cents → "$24.99". Money stays in integer cents everywhere else. */
export function formatCents(cents: number, currency = 'usd'): string {
  const code = currency.toUpperCase();
  let formatter = formatters.get(code);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: code });
    formatters.set(code, formatter);
  }
  return formatter.format(cents / 100);
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatCredits(n: number): string {
  return `${formatNumber(n)} ${Math.abs(n) === 1 ? 'credit' : 'credits'}`;
}

/** "+5" / "-5" for ledger amounts, so the sign is never only conveyed by colour. */
export function formatSignedCredits(n: number): string {
  return n > 0 ? `+${formatNumber(n)}` : formatNumber(n);
}

/**
 * The API describes packages with a few extra fields; the shared pricing helpers take the
 * shared `CreditPackage` shape, so adapt instead of re-deriving any price math here.
 */
export function toPricingPackage(pkg: CreditPackageDto): CreditPackage {
  return {
    id: pkg.id,
    name: pkg.name,
    credits: pkg.credits,
    bonusCredits: pkg.bonusCredits,
    priceCents: pkg.priceCents,
    currency: 'usd',
    bestValue: pkg.bestValue,
  };
}

/** "$0.156" — price per credit from the shared helper (hundredths of a cent). */
export function formatPricePerCredit(pkg: CreditPackage): string {
  const dollars = pricePerCreditMillicents(pkg) / 10_000;
  return `$${dollars.toFixed(3)}`;
}
