import type { ReactNode } from 'react';
import { Logo } from './Logo';
import { TestModeBanner } from './TestModeBanner';

export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="auth-shell">
      <TestModeBanner />
      <main className="auth-main">
        <div className="auth-card">
          <div className="auth-brand">
            <Logo />
            <span className="brand-name">Lumen Studio</span>
          </div>
          <h1 className="auth-title">{title}</h1>
          <p className="auth-subtitle">{subtitle}</p>
          {children}
        </div>
        <p className="auth-footnote">
          AI video generation, billed per started minute with prepaid credits.
        </p>
      </main>
    </div>
  );
}
