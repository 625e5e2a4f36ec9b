import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { StudioPage } from '../src/pages/StudioPage';
import { writeSession } from '../src/auth/session';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

describe('StudioPage', () => {
  it('handles a 402 like a known shortfall: refreshed balance, disabled button, reason, link', async () => {
    writeSession({ token: 't', expiresAt: '2999-01-01T00:00:00.000Z' });
    let serverBalance = 10;
    const net = fakeFetch({
      'GET /api/credits/balance': () => ({ json: balanceResponse(serverBalance) }),
      'GET /api/credits/packages': () => ({ json: { packages: [] } }),
      'POST /api/video/generate': () => {
        serverBalance = 0; // spent elsewhere in the meantime
        return {
          status: 402,
          json: {
            error: {
              code: 'INSUFFICIENT_CREDITS',
              message: 'Insufficient credits',
              details: { required: 5, balance: 0, shortfall: 5 },
            },
          },
        };
      },
    });
    renderWithProviders(<StudioPage />, { route: '/studio' });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Prompt'), 'A quiet harbour at dawn');
    const button = (await screen.findByRole('button', {
      name: 'Generate video · 5 credits',
    })) as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    await user.click(button);

    expect((await screen.findByTestId('generate-error')).textContent).toContain(
      'Your balance changed since this page loaded',
    );
    expect(button.disabled).toBe(true);
    expect(screen.getByTestId('generate-reason').textContent).toContain(
      'this video costs 5 credits and you have 0 credits. You need 5 credits more.',
    );
    const [generate] = net.to('POST', '/api/video/generate');
    expect(generate!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(generate!.body)).toMatchObject({ prompt: 'A quiet harbour at dawn' });
  });
});
