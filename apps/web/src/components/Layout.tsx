import { NavLink, Outlet } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { useAdminMe } from '../admin/api';
import { CreditBadge } from './CreditBadge';
import { LowBalanceAlert } from './LowBalanceAlert';
import { AccountBanner } from './account/AccountBanner';
import { TestModeBanner } from './TestModeBanner';
import { Logo } from './Logo';
import { UserText } from './UserText';
import styles from './Layout.module.css';

const NAV = [
  { to: '/studio', label: 'Studio' },
  { to: '/videos', label: 'My videos' },
  { to: '/credits', label: 'Credits' },
];

const navClass = ({ isActive }: { isActive: boolean }) =>
  isActive ? `${styles.navLink} ${styles.navLinkActive}` : styles.navLink;

export function Layout() {
  const { user, signOut } = useAuth();
  // Staff only: the server answers 404 to everyone else, so users never see the link.
  const staff = useAdminMe(Boolean(user)).data;
  return (
    <div className={styles.appShell}>
      <a className={styles.skipLink} href="#main">
        Skip to content
      </a>
      <TestModeBanner />
      <header className={styles.appHeader}>
        <div className={styles.headerInner}>
          <NavLink to="/studio" className={styles.brand} aria-label="Lumen Studio home">
            <Logo />
            <span className={styles.brandName}>Lumen Studio</span>
          </NavLink>
          <nav className={styles.mainNav} aria-label="Main">
            {NAV.map((item) => (
              <NavLink key={item.to} to={item.to} className={navClass}>
                {item.label}
              </NavLink>
            ))}
            {staff ? (
              <NavLink to="/admin" className={navClass}>
                Console
              </NavLink>
            ) : null}
          </nav>
          <div className={styles.headerActions}>
            <CreditBadge />
            <div className={styles.userMenu}>
              {user ? (
                <span className={styles.userName} title={user.email} data-testid="user-name">
                  <UserText>{user.name}</UserText>
                </span>
              ) : null}
              <NavLink to="/settings" className={navClass}>
                Settings
              </NavLink>
              <button
                type="button"
                className="button button-ghost button-small"
                onClick={() => void signOut()}
              >
                Log out
              </button>
            </div>
          </div>
        </div>
      </header>
      <main id="main" className={styles.appMain} tabIndex={-1}>
        <AccountBanner />
        <LowBalanceAlert />
        <Outlet />
      </main>
    </div>
  );
}
