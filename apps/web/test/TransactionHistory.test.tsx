import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { TRANSACTION_CSV_HEADER, type Transaction } from '@app/shared';
import { writeSession } from '../src/auth/session';
import { TransactionHistory } from '../src/components/TransactionHistory';
import { transaction } from './fixtures';
import { fakeFetch, renderWithProviders, type RecordedRequest } from './helpers';

/** A server-side ledger honouring type/from/to/page/pageSize like the real API. */
function ledgerServer(all: Transaction[], extra: Parameters<typeof fakeFetch>[0] = {}) {
  return fakeFetch({
    ...extra,
    'GET /api/credits/transactions': ({ url }) => {
      const type = url.searchParams.get('type');
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      const page = Number(url.searchParams.get('page') ?? 1);
      const pageSize = Number(url.searchParams.get('pageSize') ?? 20);
      const rows = all.filter(
        (t) =>
          (!type || t.type === type) &&
          (!from || t.createdAt >= from) &&
          (!to || t.createdAt <= to),
      );
      return {
        json: {
          transactions: rows.slice((page - 1) * pageSize, page * pageSize),
          pagination: {
            page,
            pageSize,
            total: rows.length,
            totalPages: Math.ceil(rows.length / pageSize),
          },
        },
      };
    },
  });
}

function captureDownloads() {
  const blobs: Blob[] = [];
  const names: string[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return 'blob:fake';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    names.push(this.download);
  });
  return { blobs, names };
}

/** The download is the fetched Blob itself (no re-assembly in the client). */
const blobText = (blob: Blob): Promise<string> => blob.text();

const rows = (table: HTMLElement) => within(table).getAllByRole('row').slice(1);

describe('TransactionHistory', () => {
  const ledger: Transaction[] = Array.from({ length: 25 }, (_, i) =>
    transaction(100 - i, {
      type: i % 5 === 0 ? 'purchase' : 'usage',
      amount: i % 5 === 0 ? 50 : -5,
      description: i % 5 === 0 ? 'Starter pack' : `Video ${i}`,
      createdAt: new Date(Date.UTC(2025, 0, 31 - i, 12)).toISOString(),
    }),
  );

  it('pages through the history', async () => {
    const net = ledgerServer(ledger);
    renderWithProviders(<TransactionHistory />);
    const table = await screen.findByTestId('transactions-table');
    expect(rows(table)).toHaveLength(10);
    expect(screen.getByText('Page 1 of 3 · 25 total')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /Next/ }));
    await screen.findByText('Page 2 of 3 · 25 total');
    const last = net.requests.at(-1)!;
    expect(last.url.searchParams.get('page')).toBe('2');
    expect(last.url.searchParams.get('pageSize')).toBe('10');
  });

  it('filters by type and date range, sending them to the API and resetting to page 1', async () => {
    const net = ledgerServer(ledger);
    renderWithProviders(<TransactionHistory />);
    await screen.findByTestId('transactions-table');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /Next/ }));
    await screen.findByText('Page 2 of 3 · 25 total');

    await user.selectOptions(screen.getByLabelText('Type'), 'purchase');
    await waitFor(() => expect(rows(screen.getByTestId('transactions-table'))).toHaveLength(5));
    expect(screen.queryByRole('navigation', { name: 'Transaction pages' })).toBeNull();
    let last = net.requests.at(-1)!;
    expect(last.url.searchParams.get('type')).toBe('purchase');
    expect(last.url.searchParams.get('page')).toBe('1');

    await user.type(screen.getByLabelText('From'), '2025-01-20');
    await user.type(screen.getByLabelText('To'), '2025-01-30');
    await waitFor(() => {
      last = net.requests.at(-1)!;
      expect(last.url.searchParams.get('to')).not.toBeNull();
    });
    // Local calendar days become the first and last instant of those days.
    expect(last.url.searchParams.get('from')).toBe(new Date(2025, 0, 20, 0, 0, 0, 0).toISOString());
    expect(last.url.searchParams.get('to')).toBe(
      new Date(2025, 0, 30, 23, 59, 59, 999).toISOString(),
    );

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await screen.findByText('Page 1 of 3 · 25 total');
  });

  it('shows an empty state when nothing matches', async () => {
    ledgerServer(ledger);
    renderWithProviders(<TransactionHistory />);
    await screen.findByTestId('transactions-table');
    await userEvent.setup().selectOptions(screen.getByLabelText('Type'), 'clawback');
    expect(await screen.findByText('No transactions match these filters.')).toBeTruthy();
  });

  it('downloads the filtered history from the server CSV endpoint, not page by page', async () => {
    writeSession({ token: 'tok-123', expiresAt: '2999-01-01T00:00:00.000Z' });
    const csv = `${TRANSACTION_CSV_HEADER.join(',')}\r\n2025-01-03T00:00:00.000Z,refund,5,10,"'=HYPERLINK(""x"")",video,vid_3,3\r\n`;
    const exports: RecordedRequest[] = [];
    const net = ledgerServer(ledger, {
      'GET /api/credits/transactions.csv': (req) => {
        exports.push(req);
        return {
          text: csv,
          headers: { 'Content-Type': 'text/csv; charset=utf-8' },
        };
      },
    });
    const downloads = captureDownloads();
    renderWithProviders(<TransactionHistory />);
    await screen.findByTestId('transactions-table');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Type'), 'usage');
    await user.type(screen.getByLabelText('From'), '2025-01-20');
    await waitFor(() => expect(net.requests.at(-1)!.url.searchParams.get('from')).not.toBeNull());
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(downloads.blobs).toHaveLength(1));

    // One request, with the filters on screen and the bearer token; no paging through the API.
    expect(exports).toHaveLength(1);
    const [req] = exports;
    expect(req!.url.searchParams.get('type')).toBe('usage');
    expect(req!.url.searchParams.get('from')).toBe(new Date(2025, 0, 20).toISOString());
    expect(req!.url.searchParams.get('page')).toBeNull();
    expect(req!.headers.get('Authorization')).toBe('Bearer tok-123');
    expect(req!.headers.get('Accept')).toBe('text/csv');
    expect(net.requests.filter((r) => r.url.searchParams.get('pageSize') === '100')).toHaveLength(
      0,
    );
    expect(downloads.names[0]).toMatch(/^transactions-usage-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(await blobText(downloads.blobs[0]!)).toBe(csv);
  });

  it('shows a readable error when the export is refused', async () => {
    ledgerServer(ledger, {
      'GET /api/credits/transactions.csv': () => ({
        status: 429,
        json: {
          error: { code: 'RATE_LIMITED', message: 'Too many exports, please wait a minute' },
        },
        headers: { 'Retry-After': '42' },
      }),
    });
    const downloads = captureDownloads();
    renderWithProviders(<TransactionHistory />);
    await screen.findByTestId('transactions-table');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Export failed')).toBeTruthy();
    expect(downloads.blobs).toHaveLength(0);
    expect(screen.getByRole('button', { name: 'Export CSV' })).toHaveProperty('disabled', false);
  });
});
