import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMailCatcher, type MailCatcher } from '../src/mail/mail-catcher.ts';

/**
 * The catcher picks its own ports when given 0, and another process can take a picked port
 * before maildev binds it: the CI run lost a whole test file to that (EADDRINUSE, then
 * "maildev exited with code 1"). Here the first pick is a port that is already taken.
 */
let taken: Server;
let takenPort: number;
let dir: string;
const started: MailCatcher[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'credit-mail-ports-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  for (const c of started) await c.stop();
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Hands out the taken port first, then free ones as the catcher itself picks them. */
function pickerStartingWithTakenPort() {
  let first = true;
  return async () => {
    if (first) {
      first = false;
      return takenPort;
    }
    return freePort();
  };
}

describe('the mail catcher on ports it picks itself', () => {
  it('picks again when a picked port was taken before maildev could bind it', async () => {
    const catcher = await startMailCatcher({
      smtpPort: 0,
      webPort: 0,
      mailDir: path.join(dir, 'picked'),
      pickPort: pickerStartingWithTakenPort(),
    });
    started.push(catcher);
    expect(catcher.smtpPort).not.toBe(takenPort);
    expect((await fetch(`${catcher.webUrl}/email`)).status).toBe(200);
  }, 60_000);

  it('does not move off a port the operator configured', async () => {
    await expect(
      startMailCatcher({ smtpPort: takenPort, webPort: 0, mailDir: path.join(dir, 'fixed') }),
    ).rejects.toThrow(/maildev exited/);
  }, 60_000);
});
