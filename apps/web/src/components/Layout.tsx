import { NavLink, Outlet } from 'react-router-dom';
import { useAuth } from '../auth/AuthProvider';
import { useAdminMe } from '../admin/api';
import { CreditBadge } from './CreditBadge';
import { LowBalanceAlert } from './LowBalanceAlert';
import { AccountBanner } from './account/AccountBanner';
import { TestModeBanner } from './TestModeBanner';
import { Logo } from './Logo';
import { UserText } from './UserText';

const NAV = [
  { to: '/studio', label: 'Studio' },
  { to: '/videos', label: 'My videos' },
  { to: '/credits', label: 'Credits' },
];

export function Layout() {
  const { user, signOut } = useAuth();
  // Staff only: the server answers 404 to everyone else, so users never see the link.
  const staff = useAdminMe(Boolean(user)).data;
  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TestModeBanner />
      <header className="app-header">
        <div className="header-inner">
          <NavLink to="/studio" className="brand" aria-label="Lumen Studio home">
            <Logo />
            <span className="brand-name">Lumen Studio</span>
          </NavLink>
          <nav className="main-nav" aria-label="Main">
            {NAV.map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                className={({ isActive }) => `nav-link${isActive ? ' nav-link-active' : ''}`}
              >
                {item.label}
              </NavLink>
            ))}
            {staff ? (
              <NavLink
                to="/admin"
                className={({ isActive }) => `nav-link${isActive ? ' nav-link-active' : ''}`}
              >
                Console
              </NavLink>
            ) : null}
          </nav>
          <div className="header-actions">
            <CreditBadge />
            <div className="user-menu">
              {user ? (
                <span className="user-name" title={user.email}>
                  <UserText>{user.name}</UserText>
                </span>
              ) : null}
              <NavLink
                to="/settings"
                className={({ isActive }) => `nav-link${isActive ? ' nav-link-active' : ''}`}
              >
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
      <main id="main" className="app-main" tabIndex={-1}>
        <AccountBanner />
        <LowBalanceAlert />
        <Outlet />
      </main>
    </div>
  );
}
