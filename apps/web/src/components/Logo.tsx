import styles from './Logo.module.css';

export function Logo() {
  return (
    <svg className={styles.logo} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M12 9l11 7-11 7z" className={styles.mark} />
    </svg>
  );
}
