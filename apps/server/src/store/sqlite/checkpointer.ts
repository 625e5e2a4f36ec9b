import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop. With SQLite's default auto-checkpoint, every ~1000
 * pages a commit on the request thread copies the WAL back into the database and fsyncs it:
 * tens of milliseconds with the event loop blocked, and about half the write cost of a
 * request. This thread opens its own connection and runs PASSIVE checkpoints (which never
 * block writers or readers) a few times a second; the main connection keeps a large
 * auto-checkpoint only as a safety net, so the WAL stays bounded even if this thread stops.
 */

export interface Checkpointer {
  stop(): Promise<void>;
}

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
} catch {
  db = undefined;
}
const checkpoint = () => {
  try {
    if (db && db.open) db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, read-only or gone: the next tick (or the safety net) will do it.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  try { if (db && db.open) db.close(); } catch {}
  parentPort.postMessage('stopped');
  parentPort.close();
});
`;

export function startCheckpointer(file: string, intervalMs = 100): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  // Never keeps a process alive on its own (CLI scripts, tests).
  worker.unref();
  worker.on('error', () => undefined);
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.once('message', () => void worker.terminate());
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
