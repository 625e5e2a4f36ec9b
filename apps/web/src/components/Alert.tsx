import type { ReactNode } from 'react';

type Tone = 'error' | 'warning' | 'success' | 'info';

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
    <div className={`alert alert-${tone}${className ? ` ${className}` : ''}`} role={role}>
      <div className="alert-content">
        {title ? <p className="alert-title">{title}</p> : null}
        {children ? <div className="alert-body">{children}</div> : null}
      </div>
      {action ? <div className="alert-action">{action}</div> : null}
    </div>
  );
}
