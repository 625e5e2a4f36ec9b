import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  api,
  expectBadge,
  launchBrowser,
  newPage,
  seriousA11yViolations,
  signUp,
  uniqueUser,
} from './support/browser';

const baseUrl = inject('baseUrl');

/** Waits for the page to settle (no spinner) and asserts axe finds nothing serious. */
async function expectAccessible(page: Page, where: string) {
  await page.waitForLoadState('networkidle');
  await page
    .waitForFunction(
      () => !document.querySelector('[role="status"][aria-busy="true"], .spinner'),
      null,
      {
        timeout: 10_000,
      },
    )
    .catch(() => undefined);
  const violations = await seriousA11yViolations(page);
  expect(violations, `${where}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

// Issue 15, defect 11 (and 1, 10, 12 in a real browser): every page, desktop and phone.
for (const [size, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const) {
  describe(`accessibility and defects on ${size}`, () => {
    let browser: Browser;
    let page: Page;
    // A name with a right-to-left override: "evil" must not show as "live".
    const user = { ...uniqueUser(`a11y-${size}`), name: 'Eve \u202Elive\u202C Tester' };

    beforeAll(async () => {
      browser = await launchBrowser();
      ({ page } = await newPage(browser, baseUrl, viewport));
    });
    afterAll(async () => browser?.close());

    it('has no serious violations on the public pages', async () => {
      for (const path of ['/login', '/signup', '/forgot-password', '/']) {
        await page.goto(path);
        await expectAccessible(page, path);
      }
    });

    it('shows user text isolated, without bidi controls', async () => {
      await signUp(page, user);
      await expectBadge(page, 10);
      if (size === 'desktop') {
        const shown = await page.locator('.user-name').innerText();
        expect(shown).toBe('Eve live Tester');
        expect(await page.locator('.user-name bdi').count()).toBe(1);
      }
    });

    it('has no serious violations on the signed-in pages', async () => {
      for (const path of ['/studio', '/videos', '/credits', '/settings', '/no-such-page']) {
        await page.goto(path);
        await expectAccessible(page, path);
      }
      await page.goto('/credits');
      await page.getByRole('button', { name: /^Buy Pro/ }).click();
      await page.getByRole('dialog', { name: 'Buy Pro' }).getByLabel('Card number').waitFor();
      await expectAccessible(page, 'purchase modal');
      await page.keyboard.press('Escape');
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
      await page.getByLabel('Prompt').fill(`Double click ${size}`);
      await page.getByLabel('Duration (minutes)').fill('1');
      await page.getByRole('button', { name: /^Generate video · 5 credits/ }).dblclick();
      await page.getByTestId('video-card').waitFor();
      await expectBadge(page, 5);
      await page.getByTestId('generate-started').waitFor();
      await expectAccessible(page, 'studio after generate');
      const history = await api(page, 'GET', '/api/credits/video-history?page=1&pageSize=20');
      const videos = (history.json as { videos: { prompt: string }[] }).videos;
      expect(videos.filter((v) => v.prompt === `Double click ${size}`)).toHaveLength(1);
    });
  });
}
