import type { CreditPackageDto } from '@app/shared';
import { usePackages } from '../api/queries';
import { formatCents, formatNumber, formatPricePerCredit, toPricingPackage } from '../lib/money';
import { ErrorMessage } from './ErrorMessage';
import { Spinner } from './Spinner';
import styles from './PackageGrid.module.css';

interface PackageGridProps {
  onBuy: (pkg: CreditPackageDto) => void;
}

export function PackageGrid({ onBuy }: PackageGridProps) {
  const { data, error, isPending, refetch } = usePackages();
  if (isPending) return <Spinner label="Loading packages…" />;
  if (error) return <ErrorMessage error={error} onRetry={() => void refetch()} />;
  if (data.packages.length === 0) {
    return <p className="empty">No credit packages are on sale right now.</p>;
  }
  return (
    <ul className={styles.grid} aria-label="Credit packages">
      {data.packages.map((pkg) => (
        <li
          key={pkg.id}
          className={`card ${styles.pack}${pkg.bestValue ? ` ${styles.best}` : ''}`}
          data-testid={`package-${pkg.name.toLowerCase()}`}
        >
          {pkg.bestValue ? <span className={styles.flag}>Best value</span> : null}
          <h3 className={styles.name}>{pkg.name}</h3>
          <p className={styles.credits}>
            <span className={styles.creditsValue}>{formatNumber(pkg.totalCredits)}</span> credits
          </p>
          <p className={styles.bonus}>
            {pkg.bonusCredits > 0
              ? `${formatNumber(pkg.credits)} + ${formatNumber(pkg.bonusCredits)} bonus`
              : 'No bonus'}
          </p>
          <p className={styles.price}>{formatCents(pkg.priceCents, pkg.currency)}</p>
          <p className={styles.unit}>{formatPricePerCredit(toPricingPackage(pkg))} per credit</p>
          <button
            type="button"
            className={`button button-block${pkg.bestValue ? '' : ' button-secondary'}`}
            onClick={() => onBuy(pkg)}
            aria-label={`Buy ${pkg.name}: ${pkg.totalCredits} credits for ${formatCents(pkg.priceCents, pkg.currency)}`}
          >
            Buy {pkg.name}
          </button>
        </li>
      ))}
    </ul>
  );
}
