import { smallestPackCovering, type CreditPackageDto } from '@app/shared';
import { formatCents, formatCredits } from '../../lib/money';
import styles from './TopUpOffer.module.css';

/** The pack to offer for a shortfall: the smallest that covers it (shared rule). */
export function packForShortfall(
  shortfall: number,
  packages: readonly CreditPackageDto[] | undefined,
): CreditPackageDto | undefined {
  return packages && packages.length > 0 ? smallestPackCovering(shortfall, packages) : undefined;
}

/**
 * In place of "not enough credits, go elsewhere": one pack that covers the difference, bought
 * in a dialog over the studio, after which the video can start at once.
 */
export function TopUpOffer({
  shortfall,
  pack,
  canGenerate,
  onBuy,
}: {
  shortfall: number;
  pack: CreditPackageDto;
  /** The form is otherwise ready: the purchase is followed by "Generate now". */
  canGenerate: boolean;
  onBuy: () => void;
}) {
  const price = formatCents(pack.priceCents, pack.currency);
  return (
    <div className={styles.offer} data-testid="top-up-offer">
      <p>
        You need {formatCredits(shortfall)} more. The {pack.name} pack adds{' '}
        {formatCredits(pack.totalCredits)} for {price}
        {canGenerate ? ', then your video starts.' : '.'}
      </p>
      <button type="button" className="button button-block" onClick={onBuy}>
        {canGenerate ? `Buy ${pack.name} (${price}) and generate` : `Buy ${pack.name} (${price})`}
      </button>
    </div>
  );
}
