import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMailCatcher } from '../../../server/src/mail/mail-catcher';

/** A message as the mail catcher's HTTP API (`GET /email`) reports it. */
export interface CaughtMail {
  subject: string;
  text: string;
  html: string;
  to: Array<{ address: string }>;
}

/**
 * The local mail catcher (maildev: real SMTP, web inbox, HTTP API) on free loopback ports.
 * The scenario's server sends to `smtpUrl`; the test reads what arrived over `webUrl`.
 */
export async function startInbox() {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-mail-'));
  const catcher = await startMailCatcher({ smtpPort: 0, webPort: 0, mailDir: dir });
  return {
    smtpUrl: catcher.smtpUrl,
    webUrl: catcher.webUrl,
    /** Waits (by polling the catcher's API) for a mail to `to` whose subject matches. */
    async waitFor(to: string, subject: RegExp, timeoutMs = 30_000): Promise<CaughtMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await fetch(`${catcher.webUrl}/email`);
        const mails = (await res.json()) as CaughtMail[];
        const found = mails.find(
          (m) => m.to.some((t) => t.address === to) && subject.test(m.subject),
        );
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await catcher.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first link in a mail's text that goes to `pathname` on the server. */
export function linkIn(mail: CaughtMail, baseUrl: string, pathname: string): string {
  const escaped = `${baseUrl}${pathname}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}[^\\s]*`).exec(mail.text);
  if (!match) throw new Error(`no ${pathname} link in:\n${mail.text}`);
  return match[0];
}
