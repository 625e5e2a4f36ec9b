import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CREDIT_PACKAGES, totalCredits, type CreditPackageDto } from '@app/shared';
import { writeSession } from '../src/auth/session';
import { AuthProvider } from '../src/auth/AuthProvider';
import { GenerateForm } from '../src/components/GenerateForm';
import { TransactionHistory } from '../src/components/TransactionHistory';
import { LandingPage } from '../src/pages/landing/LandingPage';
import { transaction } from './fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from './helpers';

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

const packagesDto: CreditPackageDto[] = CREDIT_PACKAGES.map((p) => ({
  ...p,
  totalCredits: totalCredits(p),
}));

function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search}</output>;
}

describe('transactions: filters and page in the URL, rows linked to their source', () => {
  const ledger = [
    transaction(3, { type: 'refund', amount: 5, videoPrompt: 'A paper boat', referenceId: 'v-9' }),
    transaction(2, { type: 'usage', amount: -5, videoPrompt: null, referenceId: 'v-8' }),
    transaction(1, {
      type: 'purchase',
      amount: 160,
      referenceType: 'payment',
      referenceId: 'pay-1',
      description: 'Purchase: Pro package',
    }),
  ];

  function serve() {
    return fakeFetch({
      'GET /api/credits/transactions': ({ url }) => {
        const type = url.searchParams.get('type');
        const rows = ledger.filter((t) => !type || t.type === type);
        const page = Number(url.searchParams.get('page') ?? 1);
        return {
          json: {
            transactions: rows,
            pagination: { page, pageSize: 10, total: 30, totalPages: 3 },
          },
        };
      },
    });
  }

  it('reads type, dates and page from a shared link and asks the server for exactly those', async () => {
    const net = serve();
    renderWithProviders(
      <>
        <TransactionHistory />
        <Where />
      </>,
      { route: '/credits?type=refund&from=2025-01-01&to=2025-01-31&page=2' },
    );
    await screen.findByTestId('transactions-table');
    expect((screen.getByLabelText('Type') as HTMLInputElement).value).toBe('refund');
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2025-01-01');
    expect((screen.getByLabelText('To') as HTMLInputElement).value).toBe('2025-01-31');
    const asked = net.to('GET', '/api/credits/transactions').at(-1)!.url.searchParams;
    expect(asked.get('type')).toBe('refund');
    expect(asked.get('page')).toBe('2');
    expect(asked.get('from')).toMatch(/^2025-01-0[12]T/);
  });

  it('writes each change to the URL (a new history entry) and resets the page', async () => {
    serve();
    const user = userEvent.setup();
    renderWithProviders(
      <>
        <TransactionHistory />
        <Where />
      </>,
      { route: '/credits?page=3' },
    );
    await screen.findByTestId('transactions-table');
    await user.selectOptions(screen.getByLabelText('Type'), 'usage');
    expect(screen.getByTestId('where')?.textContent).toContain('/credits?type=usage');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(screen.getByTestId('where').textContent).toBe('/credits');
  });

  it('links refunds and charges to their video by prompt, purchases to their payment', async () => {
    serve();
    renderWithProviders(<TransactionHistory />, { route: '/credits' });
    const table = await screen.findByTestId('transactions-table');
    const refund = within(table).getByRole('link', { name: /A paper boat/ });
    expect(refund.getAttribute('href')).toBe('/videos/v-9');
    expect(within(table).getByText(/video deleted/)).toBeTruthy();
    expect(within(table).getByRole('link', { name: 'View payment' }).getAttribute('href')).toBe(
      '/receipts/pay-1',
    );
  });
});

describe('studio: buying the shortfall in place', () => {
  it('offers the smallest pack covering the shortfall and hands over the ready request', async () => {
    const onTopUp = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(
      <GenerateForm
        balance={balanceResponse(10)}
        submitting={false}
        onGenerate={vi.fn()}
        packages={packagesDto}
        onTopUp={onTopUp}
        prefill={{
          prompt: 'A lighthouse in a storm',
          duration: '12',
          resolution: '720p',
          customMusic: false,
          premiumTTS: false,
          aiEnhancement: false,
        }}
      />,
    );
    // 12 min of 720p = 60 credits against 10: 50 short, exactly the Starter pack.
    const offer = await screen.findByTestId('top-up-offer');
    expect(offer?.textContent).toContain('You need 50 credits more');
    await user.click(within(offer).getByRole('button', { name: /Buy Starter .* and generate/ }));
    expect(onTopUp).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'Starter' }),
      expect.objectContaining({ prompt: 'A lighthouse in a storm', durationMinutes: 12 }),
    );
  });

  it('moves to a bigger pack when the smallest does not cover it', async () => {
    renderWithProviders(
      <GenerateForm
        balance={balanceResponse(0)}
        submitting={false}
        onGenerate={vi.fn()}
        packages={packagesDto}
        onTopUp={vi.fn()}
        prefill={{
          prompt: 'Long',
          duration: '20',
          resolution: '1080p',
          customMusic: false,
          premiumTTS: false,
          aiEnhancement: false,
        }}
      />,
    );
    expect((await screen.findByTestId('top-up-offer')).textContent).toContain('The Pro pack adds');
  });

  it('without enough credits but no prompt yet, offers the pack only (no "and generate")', async () => {
    renderWithProviders(
      <GenerateForm
        balance={balanceResponse(0)}
        submitting={false}
        onGenerate={vi.fn()}
        packages={packagesDto}
        onTopUp={vi.fn()}
      />,
    );
    const offer = await screen.findByTestId('top-up-offer');
    expect(within(offer).getByRole('button').textContent).toMatch(/^Buy Starter \(\$9\.99\)$/);
  });
});

describe('landing page', () => {
  function renderLanding() {
    fakeFetch({
      'GET /api/config': () => ({
        json: { stripeMode: 'emulator', stripePublishableKey: null, testCards: [] },
      }),
      'GET /api/auth/me': () => ({
        status: 401,
        json: { error: { code: 'UNAUTHORIZED', message: 'x' } },
      }),
    });
    return renderWithProviders(
      <AuthProvider>
        <Routes>
          <Route path="/" element={<LandingPage />} />
          <Route path="/studio" element={<p>Studio page</p>} />
        </Routes>
      </AuthProvider>,
      { route: '/' },
    );
  }

  it('shows every pack and the per-video prices from the shared table, with sign-up links', () => {
    renderLanding();
    expect(screen.getByRole('heading', { level: 1 })).toBeTruthy();
    for (const p of CREDIT_PACKAGES) {
      expect(screen.getByRole('heading', { name: p.name })).toBeTruthy();
    }
    expect(screen.getByText('$299.99')).toBeTruthy();
    expect(screen.getByRole('row', { name: /720p 5 credits per minute/ })).toBeTruthy();
    expect(screen.getByRole('row', { name: /1080p 8 credits per minute/ })).toBeTruthy();
    expect(screen.getByText('5 min in 1080p with custom music').nextSibling?.textContent).toContain(
      '42 credits',
    );
    expect(screen.getByText(/Credits never expire/)).toBeTruthy();
    expect(
      screen.getAllByRole('link', { name: /Sign up|Create a free account/ }).length,
    ).toBeGreaterThan(0);
  });

  it('sends a signed-in visitor on to the studio', async () => {
    writeSession({
      token: 't',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: {
        id: 'u1',
        email: 'a@example.com',
        name: 'A',
        creditBalance: 10,
        totalCreditsPurchased: 0,
        emailVerified: true,
        createdAt: new Date().toISOString(),
      },
    } as Parameters<typeof writeSession>[0]);
    await act(async () => {
      renderLanding();
    });
    await waitFor(() => expect(screen.getByText('Studio page')).toBeTruthy());
  });
});
