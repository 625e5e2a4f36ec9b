import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { LowBalanceAlert } from '../../src/components/LowBalanceAlert';
import { PurchaseModal } from '../../src/components/PurchaseModal';
import {
  emptyHistoryRoutes,
  emulatorConfig,
  payment,
  proIntentCreated,
  proPackage,
} from '../fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defects 4 and 9: copy that promised what did not exist or said the wrong thing.
const PI = 'pi_copy_1';

describe('copy', () => {
  it('links the receipt after a purchase instead of promising one somewhere', async () => {
    fakeFetch({
      'GET /api/config': () => ({ json: emulatorConfig }),
      'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
      ...emptyHistoryRoutes,
      'POST /api/payments/create-intent': () => proIntentCreated(PI, `${PI}_secret_abc`),
      [`POST /emulator/stripe/v1/payment_intents/${PI}/confirm`]: () => ({
        json: { id: PI, status: 'succeeded', next_action: null },
      }),
      'POST /api/payments/confirm': () => ({
        json: { payment: payment({ id: 'pay_77', status: 'succeeded' }), creditBalance: 170 },
      }),
    });
    renderWithProviders(<PurchaseModal pkg={proPackage} onClose={vi.fn()} />, {
      route: '/credits',
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /Fill test card 4242/ }));
    await user.click(screen.getByRole('button', { name: 'Pay $24.99' }));
    const success = await screen.findByTestId('purchase-success');
    expect(success.textContent).not.toMatch(/receipt is in your payment history/i);
    const link = screen.getByRole('link', { name: 'View the receipt' });
    expect(link.getAttribute('href')).toBe('/receipts/pay_77');
  });

  it('does not tell someone with no credits left that their next video is not blocked', async () => {
    fakeFetch({
      'GET /api/config': () => ({ json: emulatorConfig }),
      'GET /api/credits/balance': () => ({ json: balanceResponse(0) }),
    });
    renderWithProviders(<LowBalanceAlert />, { route: '/studio' });
    await screen.findByText('You are out of credits');
    const text = document.body.textContent ?? '';
    expect(text).not.toMatch(/so your next video is not blocked/);
    expect(text).toMatch(/buy credits to generate your next video/);
  });
});
