import type { ReactNode } from 'react';
import { Logo } from './Logo';
import { TestModeBanner } from './TestModeBanner';
import styles from './AuthLayout.module.css';

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
    <div className={styles.shell}>
      <TestModeBanner />
      <main className={styles.main}>
        <div className={styles.card}>
          <div className={styles.brand}>
            <Logo />
            <span>Lumen Studio</span>
          </div>
          <h1 className={styles.title}>{title}</h1>
          <p className={styles.subtitle}>{subtitle}</p>
          {children}
        </div>
        <p className={styles.footnote}>
          AI video generation, billed per started minute with prepaid credits.
        </p>
      </main>
    </div>
  );
}

/** The line under an auth form that leads to the other one ("No account yet? Sign up"). */
export function AuthSwitch({ children }: { children: ReactNode }) {
  return <p className={styles.switch}>{children}</p>;
}
