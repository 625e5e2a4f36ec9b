import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="page page-narrow not-found">
      <h1 className="page-title">Page not found</h1>
      <p className="muted">The page you asked for does not exist or has moved.</p>
      <Link to="/studio" className="button">
        Go to the studio
      </Link>
    </div>
  );
}
