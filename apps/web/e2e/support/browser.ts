import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { screenshotDir } from './paths';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function newPage(
  browser: Browser,
  baseURL: string,
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return { context, page };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  // From the top, so the sticky header sits where a person would see it.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({
    path: path.join(screenshotDir, `${name}.png`),
    fullPage,
    animations: 'disabled',
  });
}

let counter = 0;
export function uniqueUser(label: string) {
  counter += 1;
  const id = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `${label} Tester`,
    email: `${label}-${id}@example.com`,
    password: 'correct horse battery',
  };
}

export async function signUp(page: Page, user: { name: string; email: string; password: string }) {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/studio');
}

export async function logIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The balance the header badge shows, once it is a number. */
export async function badgeBalance(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid="credit-balance"]')?.textContent ?? '';
    return /^-?[\d,]+$/.test(text) ? Number(text.replace(/,/g, '')) : null;
  });
  return (await handle.jsonValue()) as number;
}

/** Waits until the header badge shows `expected` (works outside tests, e.g. in beforeAll). */
export async function expectBadge(page: Page, expected: number, timeout = 15_000): Promise<void> {
  try {
    await page.waitForFunction(
      (value) =>
        document.querySelector('[data-testid="credit-balance"]')?.textContent?.replace(/,/g, '') ===
        value,
      String(expected),
      { timeout },
    );
  } catch {
    const shown = await page
      .getByTestId('credit-balance')
      .textContent()
      .catch(() => null);
    throw new Error(`credit badge shows ${shown ?? 'nothing'}, expected ${expected}`);
  }
}

/** The bearer token the app stored, for direct API calls in the same account. */
export async function sessionToken(page: Page): Promise<string> {
  const raw = await page.evaluate(() => localStorage.getItem('lumen.session'));
  const token = raw ? (JSON.parse(raw) as { token?: string }).token : undefined;
  if (!token) throw new Error('no session token in localStorage');
  return token;
}

export async function api(
  page: Page,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const token = await sessionToken(page);
  const response = await page.request.fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...headers },
    data: body,
  });
  return { status: response.status(), json: (await response.json().catch(() => null)) as unknown };
}

/** Opens the purchase modal for a package and pays with a test card (emulator mode). */
export async function startCheckout(page: Page, pkgName: string, cardNumber: string) {
  if (!page.url().endsWith('/credits')) {
    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    await page.waitForURL('**/credits');
  }
  await page.getByRole('button', { name: `Buy ${pkgName}:`, exact: false }).click();
  const dialog = page.getByRole('dialog', { name: `Buy ${pkgName}` });
  await dialog.getByRole('button', { name: new RegExp(`Fill test card ${cardNumber}`) }).click();
  await dialog.getByRole('button', { name: /^Pay / }).click();
  return dialog;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page (WCAG 2.x A/AA plus best practices, and the label-in-name check,
 * which axe ships switched off) and returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  // Evaluated over the DevTools protocol: the app's CSP (rightly) refuses injected script tags.
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await axe.run(document, {
      rules: { 'label-content-name-mismatch': { enabled: true } },
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** Waits for the page to settle (no spinner) and asserts axe finds nothing serious. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page
    .waitForFunction(
      () => !document.querySelector('[role="status"][aria-busy="true"], [data-spinner]'),
      null,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  const violations = await seriousA11yViolations(page);
  expect(violations, `${where}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

export interface FocusRing {
  ring: string;
  background: string;
  ratio: number;
}

/**
 * Focuses a control and measures its focus ring against what is behind the ring (WCAG 1.4.11
 * asks 3:1; axe does not check it). The ring is an outline drawn outside the control, so the
 * background is the nearest ancestors' colours, composited until one is opaque.
 */
export async function focusRingContrast(page: Page, control: Locator): Promise<FocusRing> {
  await control.focus();
  return control.evaluate((el) => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba => {
      const m = /^rgba?\(([^)]+)\)$/.exec(css.trim());
      if (!m) throw new Error(`unexpected colour format: ${css}`);
      const [r, g, b, a = 1] = m[1]!
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [r!, g!, b!, a];
    };
    const over = (top: Rgba, below: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i]! * a + below[i]! * (1 - a)).concat(1) as Rgba;
    };
    const luminance = ([r, g, b]: Rgba) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const style = getComputedStyle(el);
    if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0) {
      throw new Error('the focused control draws no outline');
    }
    const layers: Rgba[] = [];
    for (let node = el.parentElement; node; node = node.parentElement) {
      const layer = parse(getComputedStyle(node).backgroundColor);
      if (layer[3] > 0) layers.push(layer);
      if (layer[3] === 1) break;
    }
    // Nothing opaque above the canvas: the page is on the canvas's white.
    let background: Rgba = [255, 255, 255, 1];
    for (const layer of layers.reverse()) background = over(layer, background);
    const ring = over(parse(style.outlineColor), background);
    const [light, dark] = [luminance(ring), luminance(background)].sort((a, b) => b - a);
    return {
      ring: style.outlineColor,
      background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`,
      ratio: (light! + 0.05) / (dark! + 0.05),
    };
  });
}
