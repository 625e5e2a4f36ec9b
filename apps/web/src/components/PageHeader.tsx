import type { ReactNode } from 'react';
import styles from './PageHeader.module.css';

/** The title block every page starts with; `actions` sit on the right (below it on a phone). */
export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className={styles.header}>
      <div>
        <h1 className="page-title">{title}</h1>
        {subtitle ? <p className={styles.subtitle}>{subtitle}</p> : null}
      </div>
      {actions}
    </header>
  );
}
