import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { AuthProvider } from '../src/auth/AuthProvider';
import { readSession, writeSession } from '../src/auth/session';
import { emulatorConfig } from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search}</output>;
}

const user = {
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  creditBalance: 10,
  totalCreditsPurchased: 0,
  emailVerified: true,
  createdAt: '2025-01-01T00:00:00.000Z',
};
const emptyPage = { page: 1, pageSize: 20, total: 0, totalPages: 0 };

describe('session expiry', () => {
  it('sends an expired session to login, keeps the draft, and returns afterwards', async () => {
    // Tokens carry the account id (sub): drafts are kept per account (issue 15).
    const stale = `h.${btoa(JSON.stringify({ sub: user.id }))}.stale`;
    const fresh = `h.${btoa(JSON.stringify({ sub: user.id }))}.fresh`;
    writeSession({ token: stale, expiresAt: '2999-01-01T00:00:00.000Z' });
    sessionStorage.setItem(
      `lumen.draft.${user.id}.studio`,
      JSON.stringify({
        prompt: 'A lighthouse in a storm',
        duration: '2',
        resolution: '1080p',
        customMusic: true,
        premiumTTS: false,
        aiEnhancement: false,
      }),
    );
    let valid = fresh;
    const authed = (reply: () => { json: unknown }) => (req: { headers: Headers }) =>
      req.headers.get('Authorization') === `Bearer ${valid}`
        ? reply()
        : { status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'Session expired' } } };
    fakeFetch({
      'GET /api/config': () => ({ json: emulatorConfig }),
      'GET /api/auth/me': authed(() => ({ json: { user } })),
      'GET /api/credits/balance': authed(() => ({ json: balanceResponse(10) })),
      'GET /api/credits/packages': authed(() => ({ json: { packages: [] } })),
      'GET /api/credits/video-history': authed(() => ({
        json: { videos: [], pagination: emptyPage },
      })),
      'POST /api/auth/login': () => ({
        json: { token: fresh, expiresAt: '2999-01-01T00:00:00.000Z', user },
      }),
    });
    valid = fresh;

    renderWithProviders(
      <AuthProvider>
        <App />
        <Where />
      </AuthProvider>,
      { route: '/studio' },
    );

    expect(await screen.findByText('Your session expired')).toBeTruthy();
    expect(screen.getByTestId('where').textContent).toBe('/login?expired=1&next=%2Fstudio');
    expect(readSession()).toBeNull();

    const u = userEvent.setup();
    await u.type(screen.getByLabelText('Email'), 'ada@example.com');
    await u.type(screen.getByLabelText('Password'), 'correct horse');
    await u.click(screen.getByRole('button', { name: 'Log in' }));

    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/studio'));
    expect(((await screen.findByLabelText('Prompt')) as HTMLTextAreaElement).value).toBe(
      'A lighthouse in a storm',
    );
    expect((screen.getByLabelText('Duration (minutes)') as HTMLInputElement).value).toBe('2');
    expect(readSession()?.token).toBe(fresh);
  });

  it('sends a signed-out visitor to login with the page they wanted', async () => {
    fakeFetch({ 'GET /api/config': () => ({ json: emulatorConfig }) });
    renderWithProviders(
      <AuthProvider>
        <App />
        <Where />
      </AuthProvider>,
      { route: '/credits' },
    );
    await screen.findByRole('heading', { name: 'Welcome back' });
    expect(screen.getByTestId('where').textContent).toBe('/login?next=%2Fcredits');
  });
});
