import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CreditDashboard } from '../../src/components/CreditDashboard';
import { emulatorConfig } from '../fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defect 9: a canceled video's refund was described as "refunded for failed videos".
describe('credits dashboard copy', () => {
  it('says credits came back for failed or canceled videos', async () => {
    fakeFetch({
      'GET /api/config': () => ({ json: emulatorConfig }),
      'GET /api/credits/balance': () => ({ json: balanceResponse(40) }),
      'GET /api/credits/spend-summary': () => ({
        json: {
          days: 30,
          from: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          daily: [],
          byFeature: [],
          totals: { spent: 60, refunded: 17, net: 43, purchased: 100, videos: 4 },
        },
      }),
    });
    renderWithProviders(<CreditDashboard />, { route: '/credits' });
    const line = await screen.findByText(/returned for failed or canceled videos/);
    expect(line.textContent).toMatch(/17 credits returned for failed or canceled videos/);
    expect(document.body.textContent).not.toMatch(/refunded for failed videos/);
  });
});
