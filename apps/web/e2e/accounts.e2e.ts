import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectBadge,
  launchBrowser,
  logIn,
  newPage,
  screenshot,
  signUp,
  startCheckout,
  uniqueUser,
} from './support/browser';
import { linkIn, startInbox } from './support/mail';
import { startServer } from './support/server';

/**
 * Issue 13 in a real browser: the server sends real mail (SMTP) to a local mail catcher, the
 * test reads it over the catcher's HTTP API and clicks the links as a person would.
 */

let browser: Browser;
let inbox: Awaited<ReturnType<typeof startInbox>>;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  inbox = await startInbox();
  server = await startServer({ SMTP_URL: inbox.smtpUrl, VIDEO_RENDERER: 'noop' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await inbox?.stop();
});

describe('accounts', () => {
  it('sign up → verify by mail → the bonus is there; an alias of the mailbox gets no bonus and is told why', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const user = uniqueUser('verify');
    await signUp(page, user);
    await expectBadge(page, 10);
    const banner = page.getByText('Please verify your email address');
    await banner.waitFor();
    await screenshot(page, 'account-unverified-banner', false);

    const mail = await inbox.waitFor(user.email, /Confirm your email address/);
    expect(mail.html).not.toMatch(/<img/i);
    await page.goto(linkIn(mail, server.baseUrl, '/verify-email'));
    await page.getByText('Your email address is verified').waitFor();
    await screenshot(page, 'account-verified', false);
    await page.goto('/studio');
    await expectBadge(page, 10);
    await expect.poll(() => banner.count()).toBe(0);
    await context.close();

    // The same mailbox with a +tag: an account, no bonus, and the reason on screen.
    const alias = await newPage(browser, server.baseUrl);
    const [local, domain] = user.email.split('@');
    await signUp(alias.page, { ...user, email: `${local}+again@${domain}` });
    await alias.page.getByText('No signup bonus for this account').waitFor();
    await expectBadge(alias.page, 0);
    await screenshot(alias.page, 'account-bonus-withheld', false);
    await alias.context.close();
  });

  it('forgot password → reset by mail → the old session is rejected', async () => {
    const signedIn = await newPage(browser, server.baseUrl);
    const user = uniqueUser('reset');
    await signUp(signedIn.page, user);
    await expectBadge(signedIn.page, 10);

    // Another browser, signed out: "Forgot password?" on the login page.
    const other = await newPage(browser, server.baseUrl);
    await other.page.goto('/login');
    await other.page.getByRole('link', { name: 'Forgot password?' }).click();
    await other.page.waitForURL('**/forgot-password');
    await other.page.getByLabel('Email').fill(user.email);
    await other.page.getByRole('button', { name: 'Email me a link' }).click();
    await other.page.getByText('Check your inbox').waitFor();

    const mail = await inbox.waitFor(user.email, /Choose a new password/);
    await other.page.goto(linkIn(mail, server.baseUrl, '/reset-password'));
    await other.page.getByLabel('New password').fill('lantern orchard velvet');
    await other.page.getByRole('button', { name: 'Set new password' }).click();
    await other.page.getByText('Password changed').waitFor();
    await screenshot(other.page, 'account-password-reset', false);
    await other.context.close();

    // The first browser's session was revoked: its next request sends it to the login page.
    await signedIn.page.goto('/credits');
    await signedIn.page.waitForURL('**/login**');
    await logIn(signedIn.page, { email: user.email, password: user.password });
    await signedIn.page.getByText('That email and password do not match').waitFor();
    await logIn(signedIn.page, { email: user.email, password: 'lantern orchard velvet' });
    await signedIn.page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await expectBadge(signedIn.page, 10);
    await signedIn.context.close();
  });

  it('buy a pack → receipt mail → receipt page, linked from the payment history', async () => {
    const { context, page } = await newPage(browser, server.baseUrl);
    const user = uniqueUser('receipt');
    await signUp(page, user);
    const dialog = await startCheckout(page, 'Starter', '4242 4242 4242 4242');
    await dialog.getByTestId('purchase-success').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expectBadge(page, 60);

    const mail = await inbox.waitFor(user.email, /Your receipt/);
    for (const fact of [
      'Package: Starter',
      'Card: Visa ending in 4242',
      'Currency: USD',
      'Payment ID: ',
    ]) {
      expect(mail.text).toContain(fact);
    }
    const receiptLink = linkIn(mail, server.baseUrl, '/receipts/');
    await page.goto(receiptLink);
    const facts = page.getByTestId('receipt-facts');
    await facts.waitFor();
    expect(await facts.textContent()).toContain('Visa ending in 4242');
    expect(await facts.textContent()).toContain('Starter');
    await screenshot(page, 'account-receipt');

    // The payment history shows the card and links the same receipt, and Stripe's.
    await page.goto('/credits');
    const payments = page.getByTestId('payments-table');
    await expect.poll(() => payments.textContent()).toContain('VISA •••• 4242');
    await payments.getByRole('link', { name: 'Receipt' }).click();
    await page.waitForURL(receiptLink);
    const stripeLink = page.getByRole('link', { name: 'Card receipt from Stripe' });
    const href = await stripeLink.getAttribute('href');
    expect(href).toContain('/emulator/stripe/receipts/payment/');
    const stripePage = await context.newPage();
    await stripePage.goto(href!);
    await stripePage.getByRole('heading', { name: 'Receipt' }).waitFor();
    expect(await stripePage.textContent('body')).toContain('4242');
    await context.close();
  });
});
