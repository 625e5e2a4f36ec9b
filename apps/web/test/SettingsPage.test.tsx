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
const FAR = '2999-01-01T00:00:00.000Z';
const WEAK_MESSAGE =
  'This password is too easy to guess. This is a commonly used password. Add more words that are less common.';

type Routes = Parameters<typeof fakeFetch>[0];

function start(route: string, extra: Routes) {
  writeSession({ token: 'old', expiresAt: FAR });
  const net = fakeFetch({
    'GET /api/config': () => ({ json: emulatorConfig }),
    'GET /api/auth/me': () => ({ json: { user } }),
    'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
    ...extra,
  });
  renderWithProviders(
    <AuthProvider>
      <App />
      <Where />
    </AuthProvider>,
    { route },
  );
  return net;
}

describe('SettingsPage', () => {
  it('is linked from the header', async () => {
    start('/studio', {
      'GET /api/credits/packages': () => ({ json: { packages: [] } }),
      'GET /api/credits/video-history': () => ({
        json: { videos: [], pagination: { page: 1, pageSize: 20, total: 0, totalPages: 0 } },
      }),
    });
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
    expect(screen.getByTestId('where').textContent).toBe('/settings');
  });

  it('changes the password: shows the server’s strength message, then keeps the fresh token', async () => {
    let attempt = 0;
    const net = start('/settings', {
      'POST /api/auth/change-password': () => {
        attempt += 1;
        return attempt === 1
          ? {
              status: 400,
              json: { error: { code: 'WEAK_PASSWORD', message: WEAK_MESSAGE } },
            }
          : { json: { token: 'fresh', expiresAt: FAR, user } };
      },
    });
    const u = userEvent.setup();
    await u.type(await screen.findByLabelText('Current password'), 'correct horse battery');
    await u.type(screen.getByLabelText('New password'), 'password123');
    await u.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(WEAK_MESSAGE)).toBeTruthy();
    expect(readSession()?.token).toBe('old');

    await u.clear(screen.getByLabelText('New password'));
    await u.type(screen.getByLabelText('New password'), 'granite willow compass');
    await u.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed')).toBeTruthy();
    expect(readSession()?.token).toBe('fresh');
    const sent = net.to('POST', '/api/auth/change-password');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.headers.get('Authorization')).toBe('Bearer old');
    expect(JSON.parse(sent[1]!.body)).toEqual({
      currentPassword: 'correct horse battery',
      newPassword: 'granite willow compass',
    });
    expect(screen.getByTestId('where').textContent).toBe('/settings');
  });

  it('shows a wrong current password next to its field and stays signed in', async () => {
    start('/settings', {
      'POST /api/auth/change-password': () => ({
        status: 400,
        json: {
          error: {
            code: 'VALIDATION_ERROR',
            message: 'Current password is incorrect',
            details: [{ path: 'currentPassword', message: 'Current password is incorrect' }],
          },
        },
      }),
    });
    const u = userEvent.setup();
    await u.type(await screen.findByLabelText('Current password'), 'not it at all');
    await u.type(screen.getByLabelText('New password'), 'granite willow compass');
    await u.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Current password is incorrect')).toBeTruthy();
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true');
    expect(readSession()?.token).toBe('old');
  });

  it('checks the length rule before sending anything', async () => {
    const net = start('/settings', {});
    const u = userEvent.setup();
    await u.type(await screen.findByLabelText('Current password'), 'correct horse battery');
    await u.type(screen.getByLabelText('New password'), 'short');
    await u.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password must be at least 8 characters')).toBeTruthy();
    expect(net.to('POST', '/api/auth/change-password')).toHaveLength(0);
  });

  it('"Sign out everywhere" revokes every session on the server, then signs out here', async () => {
    const net = start('/settings', {
      'POST /api/auth/logout-all': () => ({ status: 204 }),
    });
    await userEvent
      .setup()
      .click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toMatch(/^\/login/));
    expect(readSession()).toBeNull();
    const sent = net.to('POST', '/api/auth/logout-all');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.get('Authorization')).toBe('Bearer old');
  });

  it('"Sign out everywhere" that fails says so and keeps the session', async () => {
    start('/settings', {
      'POST /api/auth/logout-all': () => ({
        status: 503,
        json: { error: { code: 'SERVICE_UNAVAILABLE', message: 'busy' } },
      }),
    });
    await userEvent
      .setup()
      .click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    expect(await screen.findByText(/busy right now/)).toBeTruthy();
    expect(readSession()?.token).toBe('old');
  });
});

describe('Log out', () => {
  it('revokes the token on the server, then forgets it', async () => {
    const net = start('/settings', { 'POST /api/auth/logout': () => ({ status: 204 }) });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toMatch(/^\/login/));
    expect(readSession()).toBeNull();
    expect(net.to('POST', '/api/auth/logout')[0]!.headers.get('Authorization')).toBe('Bearer old');
  });

  it('forgets the token even when the server call fails', async () => {
    start('/settings', {
      'POST /api/auth/logout': () => {
        throw new TypeError('network down');
      },
    });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(screen.getByTestId('where').textContent).toMatch(/^\/login/));
    expect(readSession()).toBeNull();
  });
});
