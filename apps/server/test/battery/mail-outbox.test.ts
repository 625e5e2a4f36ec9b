import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../../src/mail/mail-catcher.ts';
import { OutboxWorker } from '../../src/mail/outbox-worker.ts';
import { createSmtpSender } from '../../src/mail/smtp-sender.ts';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { inbox, PUBLIC_URL } from '../helpers/mail.ts';

/**
 * Issue 13: mail is never lost and never sent twice. The SMTP server is down for a while and
 * then up, twice; every message written meanwhile arrives exactly once. Progress is judged by
 * counting rows and messages, never by elapsed time.
 */

let h: Harness;
let mailDir: string;
let smtpPort: number;
let webPort: number;
beforeAll(async () => {
  h = await createHarness({ PUBLIC_URL });
  mailDir = mkdtempSync(path.join(tmpdir(), 'outbox-catcher-'));
  [smtpPort, webPort] = await Promise.all([freePort(), freePort()]);
});
afterAll(async () => {
  await h.close();
  rmSync(mailDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const outbox = async () =>
  (
    (await h.data.rows({
      table: 'mail_outbox',
      columns: ['state', 'attempts', 'message_id'],
    })) as Array<{ state: string; attempts: number; message_id: string }>
  ).map((m) => ({ state: m.state, attempts: m.attempts, messageId: m.message_id }));

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const signups = (n: number, tag: string) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      h.signup({ email: `${tag}-${i}-${Date.now()}@example.com` }),
    ),
  );

describe('mail outbox', () => {
  it('SMTP down, then up, then down and up again: every message arrives exactly once', async () => {
    const mailer = new OutboxWorker({
      ctx: h.deps.ctx,
      sender: createSmtpSender(`smtp://127.0.0.1:${smtpPort}`),
      baseUrl: () => PUBLIC_URL,
      pollMs: 20,
      baseDelayMs: 20,
      maxDelayMs: 200,
    });
    mailer.start();
    let catcher: MailCatcher | null = null;
    try {
      // Down: nothing listens on the SMTP port. Every mail is tried and put back, none is lost.
      const first = await signups(8, 'outage1');
      await until(async () => {
        const rows = await outbox();
        return rows.length === 8 && rows.every((m) => m.state === 'pending' && m.attempts >= 2);
      }, 'every mail to fail at least twice');
      // Up: all of them go out.
      catcher = await startMailCatcher({ smtpPort, webPort, mailDir });
      await until(
        async () => (await outbox()).every((m) => m.state === 'sent'),
        'every mail to be sent',
      );

      // Down again, more mail, up again (the catcher keeps its messages in mailDir).
      await catcher.stop();
      catcher = null;
      const second = await signups(6, 'outage2');
      await until(
        async () =>
          (await outbox()).filter((m) => m.state === 'pending' && m.attempts >= 1).length === 6,
        'the new mails to fail',
      );
      catcher = await startMailCatcher({ smtpPort, webPort, mailDir });
      await until(
        async () => (await outbox()).every((m) => m.state === 'sent'),
        'every mail to be sent again',
      );
      // Nothing is due any more: a drain sends nothing, however often.
      expect(await mailer.drain()).toBe(0);

      const caught = await inbox(catcher);
      const rows = await outbox();
      expect(rows).toHaveLength(14);
      expect(caught).toHaveLength(14);
      const expected = [...first, ...second].map((u) => u.email).sort();
      expect(caught.map((m) => m.to[0]!.address).sort()).toEqual(expected);
      // The Message-ID is fixed when the row is written, so the inbox ↔ outbox match is exact.
      expect(caught.map((m) => `<${m.messageId}>`).sort()).toEqual(
        rows.map((r) => r.messageId).sort(),
      );
      // A sent row forgets its parameters (the link token).
      const params = new Set(
        (await h.data.rows({ table: 'mail_outbox', columns: ['params'] })).map((r) => r.params),
      );
      expect([...params]).toEqual(['{}']);
    } finally {
      await mailer.stop();
      await catcher?.stop();
    }
  });

  it('a claimed mail is not claimed again while its lease runs; after the lease (sender died) it is', async () => {
    const user = await h.signup();
    const now = new Date();
    const lease = new Date(now.getTime() + 60_000).toISOString();
    const claimed = await h.store.claimMail({ now: now.toISOString(), leaseUntil: lease });
    expect(claimed?.userId).toBe(user.id);
    expect(await h.store.claimMail({ now: now.toISOString(), leaseUntil: lease })).toBeNull();
    const later = new Date(now.getTime() + 61_000).toISOString();
    const again = await h.store.claimMail({ now: later, leaseUntil: later });
    expect(again?.id).toBe(claimed!.id);
    expect(again?.attempts).toBe(2);
    await h.store.markMailSent({ id: again!.id, now: later });
    // A stale sender marking it afterwards changes nothing.
    await h.store.markMailFailed({
      id: claimed!.id,
      state: 'pending',
      error: 'late',
      nextAttemptAt: later,
    });
    const [row] = await h.data.rows({
      table: 'mail_outbox',
      columns: ['state'],
      where: { id: claimed!.id },
    });
    expect(row?.state).toBe('sent');
  });
});
