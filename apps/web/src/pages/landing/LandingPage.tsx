import { Link, Navigate } from 'react-router-dom';
import {
  ADD_ON_CREDITS,
  ADD_ONS,
  CREDIT_PACKAGES,
  CREDITS_PER_MINUTE,
  MAX_DURATION_MINUTES,
  RESOLUTIONS,
  SIGNUP_BONUS_CREDITS,
  calculateCost,
  totalCredits,
  type CostOptions,
} from '@app/shared';
import { useAuth } from '../../auth/AuthProvider';
import { Logo } from '../../components/Logo';
import { TestModeBanner } from '../../components/TestModeBanner';
import { formatCents, formatCredits, formatNumber, formatPricePerCredit } from '../../lib/money';
import { ADD_ON_NAMES, TRUST_POINTS } from '../../lib/trust';
import styles from './LandingPage.module.css';

const EXAMPLES: { label: string; options: CostOptions }[] = [
  { label: '3 min in 720p', options: { durationMinutes: 3, resolution: '720p' } },
  {
    label: '5 min in 1080p with custom music',
    options: { durationMinutes: 5, resolution: '1080p', customMusic: true },
  },
  {
    label: '10 min in 720p with premium voice-over',
    options: { durationMinutes: 10, resolution: '720p', premiumTTS: true },
  },
];

/**
 * The public front page: what it costs, before any account. Prices come from the shared
 * table the server bills with, so nothing here needs the API (and the page stays light).
 */
export function LandingPage() {
  const { isAuthenticated } = useAuth();
  if (isAuthenticated) return <Navigate to="/studio" replace />;

  return (
    <div className={styles.shell}>
      <TestModeBanner />
      <header className={styles.header}>
        <Link to="/" className={styles.brand} aria-label="Lumen Studio home">
          <Logo />
          <span>Lumen Studio</span>
        </Link>
        <nav className={styles.nav} aria-label="Account">
          <Link to="/login" className="button button-ghost button-small">
            Log in
          </Link>
          <Link to="/signup" className="button button-small">
            Sign up free
          </Link>
        </nav>
      </header>

      <main className={styles.main}>
        <section className={styles.hero} aria-labelledby="landing-title">
          <h1 id="landing-title" className={styles.title}>
            Videos from a sentence, priced before you press Generate
          </h1>
          <p className={styles.lead}>
            Describe a scene, pick a length and quality, and see the exact cost in credits. Start
            with {formatCredits(SIGNUP_BONUS_CREDITS)} free; buy more only when you need them.
          </p>
          <div className={styles.actions}>
            <Link to="/signup" className="button button-large">
              Create a free account
            </Link>
            <a href="#pricing" className="button button-secondary button-large">
              See prices
            </a>
          </div>
        </section>

        <section id="pricing" className={styles.section} aria-labelledby="video-prices">
          <h2 id="video-prices" className={styles.sectionTitle}>
            What a video costs
          </h2>
          <p className={styles.muted}>
            Billed per started minute, up to {MAX_DURATION_MINUTES} minutes. Add-ons are a flat
            price per video.
          </p>
          <div className={styles.priceGrid}>
            <table className={styles.priceTable}>
              <caption className="visually-hidden">Credits per video</caption>
              <tbody>
                {RESOLUTIONS.map((r) => (
                  <tr key={r}>
                    <th scope="row">{r}</th>
                    <td>{formatCredits(CREDITS_PER_MINUTE[r])} per minute</td>
                  </tr>
                ))}
                {ADD_ONS.map((a) => (
                  <tr key={a}>
                    <th scope="row">{ADD_ON_NAMES[a]}</th>
                    <td>+{formatCredits(ADD_ON_CREDITS[a])} per video</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <ul className={styles.examples} aria-label="Examples">
              {EXAMPLES.map((e) => (
                <li key={e.label}>
                  <span>{e.label}</span>
                  <strong>{formatCredits(calculateCost(e.options).total)}</strong>
                </li>
              ))}
            </ul>
          </div>
        </section>

        <section className={styles.section} aria-labelledby="packs">
          <h2 id="packs" className={styles.sectionTitle}>
            Credit packs
          </h2>
          <p className={styles.muted}>One-time purchases, no subscription.</p>
          <ul className={styles.packs}>
            {CREDIT_PACKAGES.map((p) => (
              <li key={p.id} className={`${styles.pack}${p.bestValue ? ` ${styles.best}` : ''}`}>
                {p.bestValue ? <span className={styles.flag}>Best value</span> : null}
                <h3 className={styles.packName}>{p.name}</h3>
                <p className={styles.packCredits}>{formatCredits(totalCredits(p))}</p>
                <p className={styles.muted}>
                  {p.bonusCredits > 0
                    ? `${formatNumber(p.credits)} + ${formatNumber(p.bonusCredits)} bonus`
                    : 'No bonus'}
                </p>
                <p className={styles.packPrice}>{formatCents(p.priceCents, p.currency)}</p>
                <p className={styles.muted}>{formatPricePerCredit(p)} per credit</p>
              </li>
            ))}
          </ul>
        </section>

        <section className={styles.section} aria-labelledby="trust">
          <h2 id="trust" className={styles.sectionTitle}>
            Good to know
          </h2>
          <ul className={styles.trust}>
            {TRUST_POINTS.map((t) => (
              <li key={t.title}>
                <strong>{t.title}</strong> {t.text}
              </li>
            ))}
          </ul>
        </section>
      </main>
      <footer className={styles.footer}>
        <Link to="/signup">Sign up</Link> · <Link to="/login">Log in</Link>
      </footer>
    </div>
  );
}
