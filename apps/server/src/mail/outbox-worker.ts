import type { ServiceContext } from '../services/context.ts';
import { loadReceipt } from '../services/payments/get-receipt.ts';
import type { ClaimedMail } from '../store/types.ts';
import { isPermanentSmtpError, type MailSender } from './smtp-sender.ts';
import { renderMail } from './templates.ts';

export interface OutboxWorkerOptions {
  ctx: ServiceContext;
  sender: MailSender;
  /** PUBLIC_URL, or the address the server listens on once it is known. */
  baseUrl: () => string;
  /** How often to look for due mail when there is none. */
  pollMs?: number;
  /** A claimed mail not marked within this time is claimed again (its sender died). */
  leaseMs?: number;
  /** Retry n waits baseDelayMs * 2^(n-1), at most maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A mail the SMTP server refuses outright (5xx) is given up after this many tries. */
  maxRefusals?: number;
}

/**
 * Sends the outbox, one mail at a time. Each row is claimed first (state `sending` with a
 * lease, in a write transaction), then sent, then marked `sent`; a failure puts it back with
 * exponential backoff. A server that cannot be reached never loses mail: the row waits,
 * however long the outage. The only duplicate window is a crash after the SMTP server
 * accepted a mail and before it was marked sent: after the lease the mail is sent again, with
 * the same Message-ID. Mail is never sent twice otherwise.
 */
export class OutboxWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRefusals: number;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 2 * 60 * 1000;
    this.baseDelayMs = options.baseDelayMs ?? 5000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * 60 * 1000;
    this.maxRefusals = options.maxRefusals ?? 5;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Look for mail now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.options.sender.close();
  }

  /** Sends every mail due now, one after the other; returns how many were handled. */
  async drain(): Promise<number> {
    let handled = 0;
    while (await this.sendNext()) handled += 1;
    return handled;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        busy = await this.sendNext();
      } catch (err) {
        // The store itself failed (busy, disk): try again at the next poll.
        this.options.ctx.log.error({ err }, 'mail outbox: could not claim or mark a mail');
      }
      if (!busy && this.running) await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async sendNext(): Promise<boolean> {
    const { ctx } = this.options;
    const now = ctx.now();
    const mail = await ctx.store.claimMail({
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
    });
    if (!mail) return false;
    await this.deliver(mail);
    return true;
  }

  private async deliver(mail: ClaimedMail): Promise<void> {
    const { ctx, sender } = this.options;
    const end = (state: 'failed' | 'canceled', error: string) =>
      ctx.store.markMailFailed({ id: mail.id, state, error, nextAttemptAt: null });
    if (!mail.to) {
      await end('canceled', 'no recipient: the account was deleted');
      return;
    }
    let rendered;
    try {
      rendered = await renderMail(mail.template, mail.params, {
        baseUrl: this.options.baseUrl(),
        loadReceipt: (paymentId) => loadReceipt({ ctx, input: { paymentId } }),
      });
    } catch (err) {
      ctx.log.error({ err, mailId: mail.id }, 'mail outbox: cannot render a mail');
      await end('failed', `render: ${String(err)}`);
      return;
    }
    if (!rendered) {
      await end('canceled', 'nothing to send any more');
      return;
    }
    try {
      await sender.send({
        from: ctx.config.mail.from,
        to: mail.to,
        messageId: mail.messageId,
        ...rendered,
      });
    } catch (err) {
      const refused = isPermanentSmtpError(err);
      const message = err instanceof Error ? err.message : String(err);
      if (refused && mail.attempts >= this.maxRefusals) {
        ctx.log.error({ alert: true, mailId: mail.id, err }, 'mail outbox: mail refused, given up');
        await end('failed', message);
        return;
      }
      const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (mail.attempts - 1));
      ctx.log.warn(
        { mailId: mail.id, attempts: mail.attempts, retryInMs: delay, err: message },
        'mail outbox: send failed, will retry',
      );
      await ctx.store.markMailFailed({
        id: mail.id,
        state: 'pending',
        error: message,
        nextAttemptAt: new Date(ctx.now().getTime() + delay).toISOString(),
      });
      return;
    }
    await ctx.store.markMailSent({ id: mail.id, now: ctx.now().toISOString() });
  }
}
