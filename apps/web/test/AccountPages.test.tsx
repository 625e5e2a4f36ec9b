import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { AuthProvider } from '../src/auth/AuthProvider';
import { writeSession } from '../src/auth/session';
import { rememberBonusWithheld } from '../src/components/account/bonusNotice';
import { emulatorConfig } from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

const FAR = '2999-01-01T00:00:00.000Z';
const user = (emailVerified: boolean) => ({
  id: 'u1',
  email: 'ada@example.com',
  name: 'Ada',
  creditBalance: 10,
  totalCreditsPurchased: 0,
  emailVerified,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const emptyPage = { page: 1, pageSize: 20, total: 0, totalPages: 0 };

function render(route: string, routes: Parameters<typeof fakeFetch>[0], signedIn = true) {
  if (signedIn) writeSession({ token: 't', expiresAt: FAR });
  const net = fakeFetch({
    'GET /api/config': () => ({ json: { ...emulatorConfig, requireVerifiedEmail: true } }),
    'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
    'GET /api/credits/packages': () => ({ json: { packages: [] } }),
    'GET /api/credits/video-history': () => ({ json: { videos: [], pagination: emptyPage } }),
    ...routes,
  });
  renderWithProviders(
    <AuthProvider>
      <App />
    </AuthProvider>,
    { route },
  );
  return net;
}

describe('account pages', () => {
  it('an unverified user sees the banner and can resend the link', async () => {
    const net = render('/studio', {
      'GET /api/auth/me': () => ({ json: { user: user(false) } }),
      'POST /api/auth/resend-verification': () => ({
        status: 202,
        json: { message: 'A new verification link is on its way to ada@example.com.' },
      }),
    });
    expect(await screen.findByText('Please verify your email address')).toBeTruthy();
    expect(
      screen.getByText(/buying credits and generating videos need a verified address/),
    ).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Resend the link' }));
    expect(await screen.findByText(/on its way to ada@example.com/)).toBeTruthy();
    expect(net.to('POST', '/api/auth/resend-verification')).toHaveLength(1);
  });

  it('says why a new account has no signup bonus, once', async () => {
    rememberBonusWithheld();
    render('/studio', { 'GET /api/auth/me': () => ({ json: { user: user(true) } }) });
    expect(await screen.findByText('No signup bonus for this account')).toBeTruthy();
    expect(screen.queryByText('Please verify your email address')).toBeNull();
    await waitFor(() => expect(sessionStorage.getItem('lumen.signupBonusWithheld')).toBeNull());
  });

  it('a verification link is sent once, without the session token', async () => {
    const net = render('/verify-email?token=abcdefghijklmnopqrstuvwxyz', {
      'GET /api/auth/me': () => ({ json: { user: user(false) } }),
      'POST /api/auth/verify-email': () => ({ json: { verified: true } }),
    });
    expect(await screen.findByText('Your email address is verified. Thank you!')).toBeTruthy();
    const calls = net.to('POST', '/api/auth/verify-email');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.get('Authorization')).toBeNull();
    expect(JSON.parse(calls[0]!.body)).toEqual({ token: 'abcdefghijklmnopqrstuvwxyz' });
  });

  it('forgot password shows the same message for any address', async () => {
    const net = render(
      '/forgot-password',
      {
        'POST /api/auth/forgot-password': () => ({
          status: 202,
          json: { message: 'If an account uses this address, a link is on its way.' },
        }),
      },
      false,
    );
    const ui = userEvent.setup();
    await ui.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await ui.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect(await screen.findByText(/If an account uses this address/)).toBeTruthy();
    expect(JSON.parse(net.to('POST', '/api/auth/forgot-password')[0]!.body)).toEqual({
      email: 'ada@example.com',
    });
  });
});
