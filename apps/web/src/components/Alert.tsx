import type { ReactNode } from 'react';
import styles from './Alert.module.css';

type Tone = 'error' | 'warning' | 'success' | 'info';

const TONE: Record<Tone, string | undefined> = {
  error: styles.alertError,
  warning: styles.alertWarning,
  success: styles.alertSuccess,
  info: styles.alertInfo,
};

interface AlertProps {
  tone: Tone;
  title?: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}

/** Errors and warnings interrupt screen readers (role=alert); good news waits its turn. */
export function Alert({ tone, title, children, action, className }: AlertProps) {
  const role = tone === 'error' || tone === 'warning' ? 'alert' : 'status';
  return (
    <div className={[styles.alert, TONE[tone], className].filter(Boolean).join(' ')} role={role}>
      <div className={styles.alertContent}>
        {title ? <p className={styles.alertTitle}>{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
      {action ? <div className={styles.alertAction}>{action}</div> : null}
    </div>
  );
}
