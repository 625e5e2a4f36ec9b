import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectAccessible,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
  signUp,
  uniqueUser,
} from './support/browser';
import { serverDir } from './support/paths';
import { startServer } from './support/server';

/**
 * The support console in Chromium against a real server: staff made with `pnpm admin:create`
 * (the CLI, on the server's data directory), a customer who never sees the console, a grant,
 * a four-eyes grant approved by a second admin, a disabled account and the audit log.
 */

const run = promisify(execFile);
const dataDir = mkdtempSync(path.join(tmpdir(), 'web-e2e-admin-'));

async function promote(email: string) {
  await run(process.execPath, ['--import', 'tsx', 'src/cli/admin-role.ts', email], {
    cwd: serverDir,
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' },
  });
}

describe('support console', () => {
  let server: { baseUrl: string; stop: () => Promise<void> };
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let customerPage: Page;
  let adminPage: Page;
  let secondPage: Page;
  const customer = uniqueUser('customer');
  const admin = uniqueUser('admin');
  const second = uniqueUser('second');

  beforeAll(async () => {
    server = await startServer({ DATA_DIR: dataDir, ADMIN_APPROVAL_THRESHOLD_CREDITS: '100' });
    browser = await launchBrowser();
    for (const [user, assign] of [
      [customer, (p: Page) => (customerPage = p)],
      [admin, (p: Page) => (adminPage = p)],
      [second, (p: Page) => (secondPage = p)],
    ] as const) {
      const { context, page } = await newPage(browser, server.baseUrl);
      contexts.push(context);
      await signUp(page, user);
      assign(page);
    }
    await promote(admin.email);
    await promote(second.email);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is invisible to a customer', async () => {
    await customerPage.goto('/studio');
    await customerPage.getByRole('link', { name: 'Credits', exact: true }).waitFor();
    expect(await customerPage.getByRole('link', { name: 'Console' }).count()).toBe(0);
    await customerPage.goto('/admin');
    await customerPage.getByRole('heading', { name: 'Page not found' }).waitFor();
  });

  it('shows the overview with its charts to an admin', async () => {
    await adminPage.goto('/studio');
    await adminPage.getByRole('link', { name: 'Console' }).click();
    await adminPage.waitForURL('**/admin');
    await adminPage.getByRole('heading', { name: 'Support console' }).waitFor();
    await adminPage.getByTestId('tile-Payment success').waitFor();
    expect(await adminPage.locator('figure svg[role="img"]').count()).toBe(4);
    await screenshot(adminPage, 'admin-overview');
  });

  it('finds the customer and grants credits after a confirmation', async () => {
    await adminPage.getByRole('link', { name: 'Customers' }).click();
    await adminPage.getByLabel('Email or account id').fill(customer.email.slice(0, 12));
    await adminPage.getByRole('button', { name: 'Search' }).click();
    await adminPage.getByRole('link', { name: customer.email }).click();
    await adminPage.getByRole('heading', { name: customer.email }).waitFor();
    expect(await adminPage.getByTestId('customer-balance').textContent()).toBe('10');

    await adminPage.getByRole('button', { name: 'Grant credits' }).click();
    const dialog = adminPage.getByRole('alertdialog');
    await dialog.getByLabel('Credits').fill('20');
    await dialog.getByLabel('Note for the audit log').fill('Render failed twice, ticket 42');
    await dialog.getByRole('button', { name: 'Grant credits' }).click();
    await adminPage.getByText('Done. Balance now 30.').waitFor();
    await expect.poll(() => adminPage.getByTestId('customer-balance').textContent()).toBe('30');
    const ledger = adminPage.getByTestId('customer-ledger').locator('tbody tr');
    await expect.poll(() => ledger.first().textContent()).toContain('Credit from support');
    await screenshot(adminPage, 'admin-customer');
  });

  it('holds a large grant for a second admin, who approves it', async () => {
    await adminPage.getByRole('button', { name: 'Grant credits' }).click();
    const dialog = adminPage.getByRole('alertdialog');
    await dialog.getByLabel('Credits').fill('150');
    await dialog.getByLabel('Reason').selectOption('migration');
    await dialog.getByLabel('Note for the audit log').fill('Balance from the old platform');
    await dialog.getByRole('button', { name: 'Grant credits' }).click();
    await adminPage.getByText(/waiting for a second admin/).waitFor();
    expect(await adminPage.getByTestId('customer-balance').textContent()).toBe('30');

    // The requester cannot approve their own request.
    await adminPage.getByRole('link', { name: 'Approvals' }).click();
    const ownRow = adminPage.getByTestId('approvals').locator('tbody tr').first();
    await ownRow.getByText('Needs another admin').waitFor();

    await secondPage.goto('/admin/approvals');
    const row = secondPage
      .getByTestId('approvals')
      .locator('tbody tr', { hasText: customer.email });
    await row.getByRole('button', { name: 'Approve' }).click();
    await secondPage.getByRole('alertdialog').getByRole('button', { name: 'Approve' }).click();
    await secondPage.getByText('Approved and applied.').waitFor();

    await adminPage.getByRole('link', { name: 'Customers' }).click();
    await adminPage.getByLabel('Email or account id').fill(customer.email);
    await adminPage.getByRole('button', { name: 'Search' }).click();
    await adminPage.getByRole('link', { name: customer.email }).click();
    await expect.poll(() => adminPage.getByTestId('customer-balance').textContent()).toBe('180');
  });

  it('disables the account: the customer is signed out and cannot sign back in', async () => {
    await adminPage.getByRole('button', { name: 'Disable account' }).click();
    const dialog = adminPage.getByRole('alertdialog');
    await dialog.getByLabel('Reason').selectOption('chargeback');
    await dialog.getByLabel('Note for the audit log').fill('Card reported stolen');
    await dialog.getByRole('button', { name: 'Disable account' }).click();
    await expect
      .poll(() => adminPage.getByTestId('customer-status').textContent())
      .toMatch(/^disabled/);

    await customerPage.goto('/credits');
    await customerPage.waitForURL('**/login**');
    await logIn(customerPage, customer);
    await customerPage
      .getByText(/disabled/i)
      .first()
      .waitFor();
    expect(customerPage.url()).toContain('/login');
  });

  it('lists every action in the audit log, with filters', async () => {
    await adminPage.getByRole('link', { name: 'Audit log' }).click();
    const rows = adminPage.getByTestId('audit-log').locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(6);
    const text = await adminPage.getByTestId('audit-log').textContent();
    for (const action of [
      'grant_credits',
      'approval_requested',
      'approval_approved',
      'disable_account',
      'role_changed',
    ]) {
      expect(text).toContain(action);
    }
    await adminPage.getByLabel('Action').selectOption('grant_credits');
    await adminPage.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(adminPage, 'admin-audit');
  });

  it('has no serious accessibility violations on any console page, phone and desktop, light and dark', async () => {
    const session = (await adminPage.evaluate(() => localStorage.getItem('lumen.session')))!;
    const customerId = new URL(
      await adminPage.evaluate(async (email) => {
        const token = (JSON.parse(localStorage.getItem('lumen.session')!) as { token: string })
          .token;
        const res = await fetch(`/api/admin/customers?q=${encodeURIComponent(email)}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        const body = (await res.json()) as { customers: { id: string }[] };
        return `${location.origin}/admin/customers/${body.customers[0]!.id}`;
      }, customer.email),
    ).pathname;
    for (const viewport of [DESKTOP, PHONE]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { context, page } = await newPage(browser, server.baseUrl, viewport);
        contexts.push(context);
        await page.emulateMedia({ colorScheme });
        await page.goto('/');
        await page.evaluate((s) => localStorage.setItem('lumen.session', s), session);
        const where = (path: string) => `${path} (${viewport.width}px, ${colorScheme})`;
        for (const path of [
          '/admin',
          '/admin/customers',
          customerId,
          '/admin/approvals',
          '/admin/audit',
        ]) {
          await page.goto(path);
          await page.getByRole('heading', { name: 'Support console' }).waitFor();
          await expectAccessible(page, where(path));
        }
        await page.goto('/admin/customers');
        await page.getByLabel('Email or account id').fill(customer.email);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('link', { name: customer.email }).waitFor();
        await expectAccessible(page, where('customer search results'));
        await page.goto(customerId);
        await page.getByRole('button', { name: 'Grant credits' }).click();
        await page.getByRole('alertdialog').waitFor();
        await expectAccessible(page, where('grant dialog'));
        await page.keyboard.press('Escape');
      }
    }
  });
});
