import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  api,
  expectAccessible,
  expectBadge,
  focusRingContrast,
  launchBrowser,
  newPage,
  signUp,
  startCheckout,
  uniqueUser,
} from './support/browser';

const baseUrl = inject('baseUrl');

/** Pages opened from mailed links, with a token that is not real: they answer with an error. */
const LINK_PAGES = [
  '/verify-email',
  '/verify-email?token=not-a-real-token',
  '/confirm-email?token=not-a-real-token',
  '/reset-password?token=not-a-real-token',
];

async function expectFocusRing(page: Page, label: string, where: string) {
  const ring = await focusRingContrast(page, page.getByLabel(label, { exact: true }).first());
  expect(ring.ratio, `${where}, ${label}: ${JSON.stringify(ring)}`).toBeGreaterThanOrEqual(3);
}

// Issue 15, defect 11 (and 1, 10, 12 in a real browser): every page, desktop and phone, in the
// light and the dark theme. The console's pages are checked in admin.e2e.ts (they need staff).
for (const [size, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const) {
  for (const scheme of ['light', 'dark'] as const) {
    describe(`accessibility on ${size}, ${scheme} theme`, () => {
      let browser: Browser;
      let page: Page;
      // A name with a right-to-left override: "evil" must not show as "live".
      const user = { ...uniqueUser(`a11y-${size}`), name: 'Eve \u202Elive\u202C Tester' };

      beforeAll(async () => {
        browser = await launchBrowser();
        ({ page } = await newPage(browser, baseUrl, viewport));
        await page.emulateMedia({ colorScheme: scheme });
      });
      afterAll(async () => browser?.close());

      it('has no serious violations on the public pages and the mailed-link pages', async () => {
        for (const path of ['/', '/login', '/signup', '/forgot-password', ...LINK_PAGES]) {
          await page.goto(path);
          await expectAccessible(page, path);
        }
      });

      it('draws input focus rings at 3:1 or more against their background', async () => {
        await page.goto('/login');
        await expectFocusRing(page, 'Email', '/login');
        await page.goto('/reset-password?token=not-a-real-token');
        await expectFocusRing(page, 'New password', '/reset-password');
      });

      it('shows user text isolated, without bidi controls', async () => {
        await signUp(page, user);
        await expectBadge(page, 10);
        if (size === 'desktop') {
          const shown = await page.locator('[data-testid="user-name"]').innerText();
          expect(shown).toBe('Eve live Tester');
          expect(await page.locator('[data-testid="user-name"] bdi').count()).toBe(1);
        }
      });

      it('has no serious violations on the signed-in pages', async () => {
        for (const path of ['/studio', '/videos', '/credits', '/settings', '/no-such-page']) {
          await page.goto(path);
          await expectAccessible(page, path);
        }
        await page.goto('/studio');
        await expectFocusRing(page, 'Prompt', '/studio');
        await page.goto('/settings');
        await expectFocusRing(page, 'Current password', '/settings');
        await page.goto('/credits');
        await page.getByRole('button', { name: /^Buy Pro/ }).click();
        await page.getByRole('dialog', { name: 'Buy Pro' }).getByLabel('Card number').waitFor();
        await expectAccessible(page, 'purchase modal');
        await expectFocusRing(page, 'Card number', 'purchase modal');
        await page.keyboard.press('Escape');
      });

      it('has no serious violations on a receipt', async () => {
        const dialog = await startCheckout(page, 'Starter', '4242 4242 4242 4242');
        await dialog.getByTestId('purchase-success').waitFor({ timeout: 30_000 });
        await dialog.getByRole('button', { name: 'Done' }).click();
        const res = await api(page, 'GET', '/api/payments/history?page=1&pageSize=5');
        const payments = (res.json as { payments: { id: string; status: string }[] }).payments;
        const paid = payments.find((p) => p.status === 'succeeded');
        expect(paid, JSON.stringify(res.json)).toBeDefined();
        await page.goto(`/receipts/${paid!.id}`);
        await page.getByTestId('receipt-facts').waitFor();
        await expectAccessible(page, 'receipt');
      });

      it('answers an unknown video with "not found" at once, with a way back', async () => {
        await page.goto('/videos/00000000-0000-7000-8000-000000000000');
        await page.getByText('Video not found').waitFor({ timeout: 5_000 });
        expect(await page.getByRole('button', { name: /try again/i }).count()).toBe(0);
        await expectAccessible(page, 'unknown video');
        await page.getByRole('link', { name: 'Back to my videos' }).click();
        await page.waitForURL('**/videos');
      });

      it('starts one video for a double click on Generate, and charges once', async () => {
        await page.goto('/studio');
        await page.getByLabel('Prompt').fill(`Double click ${size} ${scheme}`);
        await page.getByLabel('Duration (minutes)').fill('1');
        // The Starter pack above added 50 credits to the 10 of the bonus.
        await page.getByRole('button', { name: /^Generate video · 5 credits/ }).dblclick();
        await page.getByTestId('video-card').waitFor();
        await expectBadge(page, 55);
        await page.getByTestId('generate-started').waitFor();
        await expectAccessible(page, 'studio after generate');
        const history = await api(page, 'GET', '/api/credits/video-history?page=1&pageSize=20');
        const videos = (history.json as { videos: { prompt: string }[] }).videos;
        expect(videos.filter((v) => v.prompt === `Double click ${size} ${scheme}`)).toHaveLength(1);
      });
    });
  }
}
