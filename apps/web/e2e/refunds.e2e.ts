import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectBadge,
  launchBrowser,
  newPage,
  screenshot,
  signUp,
  startCheckout,
  uniqueUser,
} from './support/browser';
import { startServer } from './support/server';

/**
 * Money coming back, seen by the person who paid: a render they cancel and a render that
 * fails. Both use a 20-minute 1080p video (160 credits, several seconds of real ffmpeg work),
 * paid with the Pro pack bought through the checkout.
 */
const LONG_VIDEO = { minutes: '20', cost: 160 };
const AFTER_PRO = 10 + 160;

async function buyProAndDraftLongVideo(page: Page, prompt: string) {
  const dialog = await startCheckout(page, 'Pro', '4242 4242 4242 4242');
  await dialog.getByTestId('purchase-success').waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expectBadge(page, AFTER_PRO);

  await page.getByRole('link', { name: 'Studio', exact: true }).click();
  await page.waitForURL('**/studio');
  await page.getByLabel('Prompt').fill(prompt);
  await page.getByLabel('Duration (minutes)').fill(LONG_VIDEO.minutes);
  // The radio itself is visually hidden behind its tile (the label), which is what a person
  // clicks.
  await page.locator('label:has(input[type="radio"])', { hasText: '1080p' }).click();
  expect(await page.getByLabel(/1080p/).isChecked()).toBe(true);
  await expect
    .poll(() => page.getByTestId('cost-total').textContent())
    .toBe(`${LONG_VIDEO.cost}credits`);
  await page.getByRole('button', { name: /^Generate video/ }).click();
  const card = page.getByTestId('video-card');
  await card.waitFor();
  await expectBadge(page, AFTER_PRO - LONG_VIDEO.cost);
  return card;
}

async function expectOneRefundInHistory(page: Page, description: RegExp, refunded: number) {
  await page.getByRole('link', { name: 'Credits', exact: true }).click();
  await page.waitForURL('**/credits');
  const rows = page.getByTestId('transactions-table').locator('tbody tr');
  await expect.poll(() => rows.count()).toBe(4); // bonus, purchase, usage, refund
  const refunds = rows.filter({ hasText: description });
  expect(await refunds.count()).toBe(1);
  expect(await refunds.textContent()).toContain(`+${refunded}`);
  expect(await rows.filter({ hasText: `-${LONG_VIDEO.cost}` }).count()).toBe(1);
}

describe('refunds in the browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('canceling a render', () => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      ({ context, page } = await newPage(browser, inject('baseUrl')));
      await signUp(page, uniqueUser('cancel'));
    });
    afterAll(async () => context?.close());

    it('returns the credits once, and the card, the badge and the history say so', async () => {
      const card = await buyProAndDraftLongVideo(page, 'A slow pan over a mountain lake at dawn');
      expect(['queued', 'processing']).toContain(await card.getAttribute('data-status'));
      await card.getByRole('button', { name: 'Cancel' }).click();
      // The policy and what comes back are shown before anything is canceled.
      const confirm = card.getByTestId('cancel-confirm');
      expect(await confirm.textContent()).toMatch(/Cancel now: \d+ of 160 credits come back\./);
      expect(await confirm.textContent()).toContain('rounded up in your favour');
      await card.getByRole('button', { name: 'Yes, cancel video' }).click();

      await expect
        .poll(() => card.getAttribute('data-status'), { timeout: 30_000 })
        .toBe('canceled');
      // Queued: everything back; rendering: the unrendered share, rounded up.
      const text = (await card.textContent()) ?? '';
      const refunded = Number(
        /Generation canceled(\d+) credits? w(?:as|ere) returned/.exec(text)?.[1],
      );
      expect(refunded).toBeGreaterThan(0);
      expect(refunded).toBeLessThanOrEqual(LONG_VIDEO.cost);
      await expectBadge(page, AFTER_PRO - LONG_VIDEO.cost + refunded);
      await screenshot(page, 'video-canceled');

      await expectOneRefundInHistory(page, /Refund: video canceled/, refunded);
      expect(await page.getByTestId('dashboard-balance').textContent()).toContain(
        String(AFTER_PRO - LONG_VIDEO.cost + refunded),
      );
    });
  });

  describe('a render that fails', () => {
    // Its own server, whose renders time out after a second: the failure is the server's
    // real timeout path (ffmpeg killed, job failed, credits refunded), not a mocked reply.
    let server: Awaited<ReturnType<typeof startServer>>;
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      server = await startServer({ VIDEO_RENDER_TIMEOUT_MS: '1000' });
      ({ context, page } = await newPage(browser, server.baseUrl));
      await signUp(page, uniqueUser('failure'));
    });
    afterAll(async () => {
      await context?.close();
      await server?.stop();
    });

    it('is refunded, and the card explains what happened', async () => {
      const card = await buyProAndDraftLongVideo(page, 'A storm rolling over wheat fields');
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).toBe('failed');
      const alert = card.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('This video could not be generated');
      expect(await alert.textContent()).toContain(
        `Rendering timed out. ${LONG_VIDEO.cost} credits were refunded to your balance.`,
      );
      await expectBadge(page, AFTER_PRO);
      await screenshot(page, 'video-failed');

      await expectOneRefundInHistory(page, /Refund: video generation failed/, LONG_VIDEO.cost);
    });
  });
});
