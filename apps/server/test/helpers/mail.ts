import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../../src/mail/mail-catcher.ts';
import { OutboxWorker } from '../../src/mail/outbox-worker.ts';
import { createSmtpSender } from '../../src/mail/smtp-sender.ts';
import { createHarness, type Harness } from './harness.ts';

/** A message as the mail catcher's HTTP API (`GET /email`) reports it. */
export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  to: Array<{ address: string }>;
  headers: Record<string, string>;
}

export const PUBLIC_URL = 'http://app.example.test';

export async function inbox(catcher: { webUrl: string }): Promise<CaughtMail[]> {
  const res = await fetch(`${catcher.webUrl}/email`);
  expect(res.status).toBe(200);
  return (await res.json()) as CaughtMail[];
}

export const mailTo = (mails: CaughtMail[], address: string) =>
  mails.filter((m) => m.to.some((t) => t.address === address));

/** Polls the inbox until `count` messages match (by count, never by elapsed time). */
export async function waitForMail(
  catcher: { webUrl: string },
  match: (m: CaughtMail) => boolean,
  count = 1,
  timeoutMs = 30_000,
): Promise<CaughtMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await inbox(catcher)).filter(match);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} matching mails, found ${found.length}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The token of the link to `pathname` in a mail (text part; the HTML has the same link). */
export function linkToken(mail: CaughtMail, pathname: string): string {
  const match = new RegExp(`${PUBLIC_URL}${pathname}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${pathname} link in: ${mail.text}`);
  expect(mail.html).toContain(`${PUBLIC_URL}${pathname}?token=${match[1]}`);
  return match[1]!;
}

export interface MailHarness extends Harness {
  catcher: MailCatcher;
  mailer: OutboxWorker;
}

/** The API harness plus a real mail catcher and the outbox worker sending to it. */
export async function createMailHarness(
  env: Record<string, string> = {},
  options: Parameters<typeof createHarness>[1] = {},
): Promise<MailHarness> {
  const h = await createHarness({ PUBLIC_URL, ...env }, options);
  const mailDir = mkdtempSync(path.join(tmpdir(), 'mail-catcher-'));
  const catcher = await startMailCatcher({ smtpPort: 0, webPort: 0, mailDir });
  const mailer = new OutboxWorker({
    ctx: h.deps.ctx,
    sender: createSmtpSender(catcher.smtpUrl),
    baseUrl: () => PUBLIC_URL,
    pollMs: 25,
    baseDelayMs: 50,
    maxDelayMs: 500,
  });
  mailer.start();
  const close = h.close;
  return {
    ...h,
    catcher,
    mailer,
    close: async () => {
      await mailer.stop();
      await catcher.stop();
      rmSync(mailDir, { recursive: true, force: true });
      await close();
    },
  };
}
