import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  PHONE,
  expectBadge,
  launchBrowser,
  newPage,
  screenshot,
  signUp,
  startCheckout,
  uniqueUser,
} from './support/browser';

const baseUrl = inject('baseUrl');

/** Parses the exported CSV (RFC 4180: quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('checkout with the test cards', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, baseUrl));
    await signUp(page, uniqueUser('checkout'));
    await expectBadge(page, 10);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('shows the emulator test-mode banner', async () => {
    // A landmark of its own (issue 15: it sat outside every landmark).
    const banner = page.getByRole('complementary', { name: 'Test mode' });
    expect(await banner.textContent()).toContain('Test mode');
  });

  it('a declined card shows its message and adds nothing', async () => {
    const dialog = await startCheckout(page, 'Starter', '4000 0000 0000 0002');
    const error = dialog.getByTestId('payment-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('Your card was declined.');
    await screenshot(page, 'purchase-declined', false);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await expectBadge(page, 10);
  });

  it('3-D Secure approved: the payment goes through and credits arrive', async () => {
    const dialog = await startCheckout(page, 'Starter', '4000 0027 6000 3184');
    const challenge = page.getByRole('alertdialog');
    await challenge.waitFor();
    await screenshot(page, 'purchase-3ds', false);
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    await dialog.getByTestId('purchase-success').waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toContain('50 credits added');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expectBadge(page, 60);
  });

  it('3-D Secure failed: the message is shown and nothing is added', async () => {
    const dialog = await startCheckout(page, 'Starter', '4000 0027 6000 3184');
    const challenge = page.getByRole('alertdialog');
    await challenge.getByRole('button', { name: 'Fail authentication' }).click();
    const error = dialog.getByTestId('payment-error');
    await error.waitFor();
    expect((await error.textContent())?.length).toBeGreaterThan(5);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectBadge(page, 60);
    const payments = page.getByTestId('payments-table');
    await expect.poll(() => payments.textContent()).toContain('Paid');
  });

  it('exports the filtered transaction history as CSV', async () => {
    const exportAll = page.getByRole('button', { name: 'Export CSV' });
    const [download] = await Promise.all([page.waitForEvent('download'), exportAll.click()]);
    expect(download.suggestedFilename()).toMatch(/^transactions-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(await readFile((await download.path())!, 'utf8'));
    expect(rows[0]).toEqual([
      'Date',
      'Type',
      'Amount',
      'Balance after',
      'Description',
      'Reference type',
      'Reference ID',
      'Transaction ID',
    ]);
    const data = rows.slice(1);
    // Newest first: the 3-D Secure purchase, then the signup bonus.
    expect(data.map((r) => [r[1], r[2], r[3]])).toEqual([
      ['purchase', '50', '60'],
      ['bonus', '10', '10'],
    ]);

    await page.getByLabel('Type').selectOption('purchase');
    await expect
      .poll(() => page.getByTestId('transactions-table').locator('tbody tr').count())
      .toBe(1);
    const [filtered] = await Promise.all([page.waitForEvent('download'), exportAll.click()]);
    expect(filtered.suggestedFilename()).toMatch(/^transactions-purchase-/);
    const filteredRows = parseCsv(await readFile((await filtered.path())!, 'utf8')).slice(1);
    expect(filteredRows).toHaveLength(1);
    expect(filteredRows[0]![1]).toBe('purchase');
    await screenshot(page, 'credits-filtered');
  });

  it('is usable on a phone-sized screen', async () => {
    await page.setViewportSize(PHONE);
    await page.getByLabel('Type').selectOption('');
    await screenshot(page, 'phone-credits');
    await page.getByRole('button', { name: /^Buy Pro:/ }).click();
    await page.getByRole('dialog').waitFor();
    await screenshot(page, 'phone-purchase', false);
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    await page.waitForURL('**/studio');
    await screenshot(page, 'phone-studio');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
