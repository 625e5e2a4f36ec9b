import path from 'node:path';
import type { ServiceContext } from '../services/context.ts';
import { startMailCatcher, type MailCatcher } from './mail-catcher.ts';
import { OutboxWorker } from './outbox-worker.ts';
import { createSmtpSender } from './smtp-sender.ts';

export interface MailRuntime {
  worker: OutboxWorker | null;
  catcher: MailCatcher | null;
  /** The server's own address, for links while PUBLIC_URL is unset. */
  setListenUrl(url: string): void;
  stop(): Promise<void>;
}

/**
 * SMTP_URL set: the outbox worker sends there. Unset in development: a local mail catcher on
 * loopback takes the mail (its inbox URL is printed). Unset under NODE_ENV=test: mail stays in
 * the outbox (test servers are many and short-lived; the mail tests bring their own catcher).
 * Production never gets here without SMTP_URL (config.ts refuses to start).
 */
export async function startMail(ctx: ServiceContext): Promise<MailRuntime> {
  const { config, log } = ctx;
  let listenUrl = 'http://127.0.0.1';
  let catcher: MailCatcher | null = null;
  let smtpUrl = config.mail.smtpUrl;
  if (!smtpUrl && config.env === 'development') {
    const mailDir = path.join(config.dataDir, 'mail-catcher');
    const { smtpPort, webPort } = config.mail.catcher;
    catcher = await startMailCatcher({ smtpPort, webPort, mailDir }).catch((err: unknown) => {
      log.warn({ err }, 'mail catcher ports busy: starting it on free ports');
      return startMailCatcher({ smtpPort: 0, webPort: 0, mailDir });
    });
    smtpUrl = catcher.smtpUrl;
    console.log(`mail catcher: every mail goes to the inbox at ${catcher.webUrl}`);
  }
  if (!smtpUrl) {
    log.info('no SMTP_URL: mail is kept in the outbox and not sent');
    return { worker: null, catcher: null, setListenUrl: () => undefined, stop: async () => {} };
  }
  const worker = new OutboxWorker({
    ctx,
    sender: createSmtpSender(smtpUrl),
    baseUrl: () => config.publicUrl ?? listenUrl,
  });
  worker.start();
  return {
    worker,
    catcher,
    setListenUrl: (url) => {
      listenUrl = url;
    },
    stop: async () => {
      await worker.stop();
      await catcher?.stop();
    },
  };
}
