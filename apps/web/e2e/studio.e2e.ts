import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  api,
  badgeBalance,
  expectBadge,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
  signUp,
  startCheckout,
  uniqueUser,
} from './support/browser';

const baseUrl = inject('baseUrl');

/**
 * One account, start to finish: free credits, a real render, running dry (client-side and the
 * server's 402), an expired session, and topping up with the Pro pack.
 */
describe('studio journey', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const user = uniqueUser('studio');

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, baseUrl));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  const generateButton = () => page.getByRole('button', { name: /^Generate video/ });
  const setDuration = async (minutes: string) => {
    await page.getByLabel('Duration (minutes)').fill(minutes);
  };

  it('signs up and starts with 10 credits', async () => {
    await page.goto('/login');
    await screenshot(page, 'login');
    await page.goto('/signup');
    await screenshot(page, 'signup');
    await signUp(page, user);
    await expectBadge(page, 10);
    await expect.poll(() => page.getByRole('heading', { name: 'Studio' }).isVisible()).toBe(true);
    await screenshot(page, 'studio-empty');
  });

  it('keeps the session across a reload', async () => {
    await page.reload();
    await page.waitForURL('**/studio');
    await expectBadge(page, 10);
  });

  it('generates a 1-minute 720p video for 5 credits, shows progress and plays it', async () => {
    await page.getByLabel('Prompt').fill('A paper boat drifting down a rainy street, soft light');
    await setDuration('1');
    await page.getByLabel(/720p/).check();
    await expect.poll(() => page.getByTestId('cost-total').textContent()).toBe('5credits');
    await expect.poll(() => page.getByTestId('balance-after').textContent()).toBe('5 credits');
    await screenshot(page, 'studio-cost');
    await generateButton().click();

    const card = page.getByTestId('video-card');
    await card.waitFor();
    await expectBadge(page, 5);
    const status = await card.getAttribute('data-status');
    expect(['queued', 'processing', 'completed']).toContain(status);
    if (status !== 'completed') await screenshot(page, 'studio-rendering');

    await expect
      .poll(() => card.getAttribute('data-status'), { timeout: 100_000, interval: 500 })
      .toMatch(/completed|failed/);
    expect(await card.getAttribute('data-status')).toBe('completed');

    const video = page.getByTestId('video-player');
    await expect
      .poll(
        () =>
          video.evaluate((el: HTMLVideoElement) => ({
            ready: el.readyState >= 1,
            duration: Number.isFinite(el.duration) ? el.duration : 0,
            error: el.error?.code ?? null,
          })),
        { timeout: 30_000 },
      )
      .toMatchObject({ ready: true, error: null });
    const duration = await video.evaluate((el: HTMLVideoElement) => el.duration);
    expect(duration).toBeGreaterThan(0);
    // It actually plays.
    await video.evaluate(async (el: HTMLVideoElement) => {
      el.muted = true;
      await el.play();
    });
    await expect
      .poll(() => video.evaluate((el: HTMLVideoElement) => el.currentTime))
      .toBeGreaterThan(0);
    const download = page.getByRole('link', { name: 'Download video' });
    expect(await download.getAttribute('href')).toBeTruthy();
    await screenshot(page, 'studio-completed');

    await page.getByRole('link', { name: 'My videos' }).click();
    await page.waitForURL('**/videos');
    const list = page.getByTestId('video-list');
    await list.getByText('A paper boat drifting').waitFor();
    expect(await list.textContent()).toContain('Ready');
    await screenshot(page, 'videos');
  });

  it('disables Generate with the reason when the video costs more than the balance', async () => {
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    await page.waitForURL('**/studio');
    await expectBadge(page, 5);
    await setDuration('2');
    await expect.poll(() => generateButton().isDisabled()).toBe(true);
    const reason = page.getByTestId('generate-reason');
    expect(await reason.textContent()).toContain(
      'Not enough credits: this video costs 10 credits and you have 5 credits. You need 5 credits more.',
    );
    expect(await reason.getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe(
      '/credits',
    );
    await screenshot(page, 'studio-insufficient');
  });

  it("handles the server's 402 when the balance changed behind the page's back", async () => {
    await setDuration('1');
    await expect.poll(() => generateButton().isEnabled()).toBe(true);
    // Spend the last 5 credits elsewhere (another tab, or a script) ...
    const spent = await api(
      page,
      'POST',
      '/api/video/generate',
      {
        prompt: 'Spent from another tab',
        durationMinutes: 1,
        resolution: '720p',
        customMusic: false,
        premiumTTS: false,
        aiEnhancement: false,
      },
      { 'Idempotency-Key': crypto.randomUUID() },
    );
    expect(spent.status).toBe(202);
    // ... while this page still believes it has 5.
    expect(await badgeBalance(page)).toBe(5);
    await generateButton().click();
    // The 402 is explained exactly like a shortfall known up front, plus why it changed.
    const error = page.getByTestId('generate-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Your balance changed since this page loaded');
    await expectBadge(page, 0);
    await expect.poll(() => generateButton().isDisabled()).toBe(true);
    expect(await page.getByTestId('generate-reason').textContent()).toContain(
      'Not enough credits: this video costs 5 credits and you have 0 credits. You need 5 credits more.',
    );
    await screenshot(page, 'studio-402');
  });

  it('sends an expired session to login and back without losing the draft', async () => {
    await page.getByLabel('Prompt').fill('Draft that must survive a re-login');
    await page.evaluate(() => {
      localStorage.setItem(
        'lumen.session',
        JSON.stringify({ token: 'expired.token.value', expiresAt: '2999-01-01T00:00:00.000Z' }),
      );
    });
    // The next request the app makes gets a 401.
    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    await page.waitForURL(/\/login\?expired=1&next=%2Fcredits/);
    await page.getByText('Your session expired').waitFor();
    await screenshot(page, 'login-expired');
    await logIn(page, user);
    await page.waitForURL('**/credits');
    await page.getByRole('link', { name: 'Studio', exact: true }).click();
    await page.waitForURL('**/studio');
    expect(await page.getByLabel('Prompt').inputValue()).toBe('Draft that must survive a re-login');
  });

  it('buys the Pro pack with 4242 and sees +160 in the badge and the history', async () => {
    await expectBadge(page, 0);
    const dialog = await startCheckout(page, 'Pro', '4242 4242 4242 4242');
    await dialog.getByTestId('purchase-success').waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toContain('160 credits added');
    await expectBadge(page, 160);
    await screenshot(page, 'purchase-success', false);
    await dialog.getByRole('button', { name: 'Done' }).click();

    const transactions = page.getByTestId('transactions-table');
    await expect.poll(() => transactions.textContent()).toContain('+160');
    const payments = page.getByTestId('payments-table');
    await expect.poll(() => payments.textContent()).toContain('Paid');
    expect(await payments.textContent()).toContain('$24.99');
    expect(await page.getByTestId('dashboard-balance').textContent()).toContain('160');
    await screenshot(page, 'credits');
  });
});
