import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LowBalanceAlert } from '../src/components/LowBalanceAlert';
import { emulatorConfig } from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

function serve(balance: ReturnType<typeof balanceResponse>) {
  fakeFetch({
    'GET /api/config': () => ({ json: emulatorConfig }),
    'GET /api/credits/balance': () => ({ json: balance }),
  });
}

describe('LowBalanceAlert', () => {
  it('warns under 10 credits with a link to buy, and can be dismissed', async () => {
    serve(balanceResponse(7));
    renderWithProviders(<LowBalanceAlert />, { route: '/studio' });
    expect(await screen.findByText('Running low: 7 credits left')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/credits');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText(/Running low/)).toBeNull();
  });

  it('says nothing at 10 credits or more', async () => {
    serve(balanceResponse(10));
    const { container } = renderWithProviders(<LowBalanceAlert />);
    await new Promise((r) => setTimeout(r, 50));
    expect(container.textContent).toBe('');
  });

  it('explains that an account owing credits cannot generate, and cannot be dismissed', async () => {
    serve(balanceResponse(-12, { owesCredits: true }));
    renderWithProviders(<LowBalanceAlert />, { route: '/studio' });
    expect(await screen.findByText('Your account owes 12 credits')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/New video generations are blocked/);
    expect(screen.queryByRole('button', { name: 'Dismiss' })).toBeNull();
  });
});
