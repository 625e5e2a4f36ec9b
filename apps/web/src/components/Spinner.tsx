import styles from './Spinner.module.css';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    // data-spinner: the browser suite waits for pages to finish loading (the class is hashed).
    <span className={styles.spinnerWrap} role="status" data-spinner="">
      <span className={styles.spinner} aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}
