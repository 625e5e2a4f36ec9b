import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Transaction } from '@app/shared';
import { TransactionHistory } from '../src/components/TransactionHistory';
import { transaction } from './fixtures';
import { fakeFetch, renderWithProviders } from './helpers';

/** A server-side ledger honouring type/from/to/page/pageSize like the real API. */
function ledgerServer(all: Transaction[]) {
  return fakeFetch({
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

function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

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

  it('exports every page of the filtered query as properly quoted CSV', async () => {
    const tricky: Transaction[] = [
      transaction(3, {
        type: 'refund',
        amount: 5,
        balanceAfter: 10,
        description: 'Refund: "sunset, beach" video\nfailed',
        createdAt: '2025-01-03T00:00:00.000Z',
      }),
      ...Array.from({ length: 150 }, (_, i) =>
        transaction(1000 + i, { type: 'usage', description: `Usage ${i}` }),
      ),
      transaction(2, {
        type: 'refund',
        amount: 8,
        balanceAfter: 13,
        description: '=HYPERLINK("http://evil")',
        referenceId: null,
        referenceType: null,
        createdAt: '2025-01-02T00:00:00.000Z',
      }),
    ];
    // 150 refunds + unrelated rows, so the export needs two pages of 100.
    const refunds = Array.from({ length: 150 }, (_, i) =>
      transaction(5000 + i, { type: 'refund', amount: 1, description: `r${i}` }),
    );
    const net = ledgerServer([...tricky, ...refunds]);
    const downloads = captureDownloads();
    renderWithProviders(<TransactionHistory />);
    await screen.findByTestId('transactions-table');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Type'), 'refund');
    await screen.findByText('Page 1 of 16 · 152 total');
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(downloads.blobs).toHaveLength(1));

    const exportRequests = net.requests.filter((r) => r.url.searchParams.get('pageSize') === '100');
    expect(exportRequests.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2']);
    expect(exportRequests.every((r) => r.url.searchParams.get('type') === 'refund')).toBe(true);
    expect(downloads.names[0]).toMatch(/^transactions-refund-\d{4}-\d{2}-\d{2}\.csv$/);

    const csv = await blobText(downloads.blobs[0]!);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'Date,Type,Amount,Balance after,Description,Reference type,Reference ID,Transaction ID',
    );
    expect(csv).toContain(
      '2025-01-03T00:00:00.000Z,refund,5,10,"Refund: ""sunset, beach"" video\nfailed",video,vid_3,3\r\n',
    );
    // Formula-looking text is neutralised; numbers (including negatives) are untouched.
    expect(csv).toContain(
      `2025-01-02T00:00:00.000Z,refund,8,13,"'=HYPERLINK(""http://evil"")",,,2\r\n`,
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    // 152 data rows + header; the embedded newline is inside quotes so it is not a row break.
    expect(csv.match(/\r\n/g)).toHaveLength(153);
  });
});
