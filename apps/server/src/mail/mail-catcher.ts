import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A local mail catcher (maildev) on loopback: what `pnpm start` sends to when no SMTP_URL is
 * set, the way the Stripe emulator stands in for Stripe, and what the tests read mail from.
 * Its web inbox is at `webUrl`; its HTTP API lists messages at `${webUrl}/email`.
 */
export interface MailCatcher {
  smtpUrl: string;
  webUrl: string;
  smtpPort: number;
  webPort: number;
  stop(): Promise<void>;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'maildev-child.mjs');
const HOST = '127.0.0.1';

/** A port that was free a moment ago (maildev cannot report the port it picked for 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** maildev ended before it was ready (a port it could not bind, among others). */
class CatcherExited extends Error {}

async function waitReady(child: ChildProcess, webUrl: string, timeoutMs: number): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code) => {
    exited = `maildev exited with code ${code}`;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new CatcherExited(exited);
    try {
      const res = await fetch(`${webUrl}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the mail catcher did not start within ${timeoutMs} ms`);
}

/** How often fresh ports are tried when the ones picked here were taken before maildev bound them. */
const PICKED_PORT_ATTEMPTS = 5;

/**
 * Starts maildev with its messages kept in `mailDir` (they survive a restart of the catcher).
 * A port given as 0 is picked here; another process may take it between the pick and
 * maildev's listen (maildev then exits at start), so picked ports are picked again a few
 * times. A port configured explicitly is not: that failure is the operator's to see.
 */
export async function startMailCatcher(options: {
  smtpPort: number;
  webPort: number;
  mailDir: string;
  timeoutMs?: number;
  /** Picks a port for a 0 (tests hand out a taken one first). */
  pickPort?: () => Promise<number>;
}): Promise<MailCatcher> {
  const pick = options.pickPort ?? freePort;
  const picksPorts = !options.smtpPort || !options.webPort;
  mkdirSync(options.mailDir, { recursive: true, mode: 0o700 });
  for (let attempt = 1; ; attempt++) {
    const smtpPort = options.smtpPort || (await pick());
    const webPort = options.webPort || (await pick());
    try {
      return await launch({ ...options, smtpPort, webPort });
    } catch (err) {
      if (!(err instanceof CatcherExited) || !picksPorts || attempt >= PICKED_PORT_ATTEMPTS) {
        throw err;
      }
    }
  }
}

async function launch(options: {
  smtpPort: number;
  webPort: number;
  mailDir: string;
  timeoutMs?: number;
}): Promise<MailCatcher> {
  const { smtpPort, webPort } = options;
  const config = { smtp: smtpPort, web: webPort, mailDirectory: options.mailDir };
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const webUrl = `http://${HOST}:${webPort}`;
  try {
    await waitReady(child, webUrl, options.timeoutMs ?? 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    smtpUrl: `smtp://${HOST}:${smtpPort}`,
    webUrl,
    smtpPort,
    webPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
