import type { Pagination as PaginationInfo } from '@app/shared';
import styles from './Pagination.module.css';

interface PaginationProps {
  pagination: PaginationInfo;
  onPageChange: (page: number) => void;
  label: string;
  busy?: boolean;
}

export function Pagination({ pagination, onPageChange, label, busy }: PaginationProps) {
  const { page, totalPages, total } = pagination;
  // One page needs no navigation; the table itself shows everything there is.
  if (total === 0 || totalPages <= 1) return null;
  return (
    <nav className={styles.root} aria-label={label}>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => onPageChange(page - 1)}
        disabled={page <= 1 || busy}
      >
        ← Previous
      </button>
      <span className={styles.status} aria-live="polite">
        Page {page} of {Math.max(totalPages, 1)} · {total} total
      </span>
      <button
        type="button"
        className="button button-secondary button-small"
        onClick={() => onPageChange(page + 1)}
        disabled={page >= totalPages || busy}
      >
        Next →
      </button>
    </nav>
  );
}
