import { NavLink, Route, Routes } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { PageHeader } from '../components/PageHeader';
import { Spinner } from '../components/Spinner';
import { NotFoundPage } from '../pages/NotFoundPage';
import { useAdminMe } from './api';
import { ApprovalsPage } from './ApprovalsPage';
import { AuditPage } from './AuditPage';
import { CustomerPage } from './CustomerPage';
import { CustomersPage } from './CustomersPage';
import { OverviewPage } from './OverviewPage';
import styles from './admin.module.css';

const SECTIONS = [
  { to: '/admin', label: 'Overview', end: true },
  { to: '/admin/customers', label: 'Customers', end: false },
  { to: '/admin/approvals', label: 'Approvals', end: false },
  { to: '/admin/audit', label: 'Audit log', end: false },
];

/**
 * The support console, loaded only when visited (its own bundle chunk). For anyone the
 * server does not know as staff it is the ordinary "page not found".
 */
export default function AdminApp() {
  const me = useAdminMe();
  if (me.isPending) return <Spinner />;
  if (me.isError) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  const staff = me.data;
  if (!staff) return <NotFoundPage />;
  return (
    <div className="page">
      <PageHeader title="Support console" />
      <nav className={styles.subnav} aria-label="Console">
        {SECTIONS.map((s) => (
          <NavLink
            key={s.to}
            to={s.to}
            end={s.end}
            className={({ isActive }) =>
              `${styles.subnavLink}${isActive ? ` ${styles.subnavActive}` : ''}`
            }
          >
            {s.label}
          </NavLink>
        ))}
        <span className={styles.roleTag}>{staff.role}</span>
      </nav>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="customers" element={<CustomersPage />} />
        <Route path="customers/:id" element={<CustomerPage staff={staff} />} />
        <Route path="approvals" element={<ApprovalsPage staff={staff} />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  );
}
