import { lazy, Suspense, type ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { RequireAuth } from './auth/RequireAuth';
import { Layout } from './components/Layout';
import { LandingPage } from './pages/landing/LandingPage';
import { LoginPage } from './pages/LoginPage';
import { ConfirmEmailChangePage } from './pages/account/ConfirmEmailChangePage';
import { ForgotPasswordPage } from './pages/account/ForgotPasswordPage';
import { ResetPasswordPage } from './pages/account/ResetPasswordPage';
import { VerifyEmailPage } from './pages/account/VerifyEmailPage';
import { ReceiptPage } from './pages/ReceiptPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SettingsPage } from './pages/SettingsPage';
import { SignupPage } from './pages/SignupPage';
import { Spinner } from './components/Spinner';

// The console is its own chunk: users never download it.
const AdminApp = lazy(() => import('./admin/AdminApp'));
// The heavy signed-in pages are chunks of their own, so the public landing page (and the
// login and signup pages) load without them; see the bundle check for the sizes.
const StudioPage = lazy(() =>
  import('./pages/StudioPage').then((m) => ({ default: m.StudioPage })),
);
const CreditsPage = lazy(() =>
  import('./pages/CreditsPage').then((m) => ({ default: m.CreditsPage })),
);
const VideosPage = lazy(() =>
  import('./pages/VideosPage').then((m) => ({ default: m.VideosPage })),
);
const VideoDetailPage = lazy(() =>
  import('./pages/VideoDetailPage').then((m) => ({ default: m.VideoDetailPage })),
);

const page = (element: ReactNode) => <Suspense fallback={<Spinner />}>{element}</Suspense>;

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      {/* Opened from mailed links, signed in or not. */}
      <Route path="/verify-email" element={<VerifyEmailPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/confirm-email" element={<ConfirmEmailChangePage />} />
      {/* Public; a signed-in visitor is sent on to the studio. */}
      <Route index element={<LandingPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route path="studio" element={page(<StudioPage />)} />
        <Route path="credits" element={page(<CreditsPage />)} />
        <Route path="videos" element={page(<VideosPage />)} />
        <Route path="videos/:id" element={page(<VideoDetailPage />)} />
        <Route path="settings" element={<SettingsPage />} />
        <Route
          path="admin/*"
          element={
            <Suspense fallback={<Spinner />}>
              <AdminApp />
            </Suspense>
          }
        />
        <Route path="receipts/:paymentId" element={<ReceiptPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
