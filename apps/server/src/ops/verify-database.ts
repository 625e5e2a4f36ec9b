import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./verify-database-child.ts', import.meta.url));

export interface VerifyResult {
  ok: boolean;
  report: string;
}

/**
 * Checks a database file (SQLite integrity, then every ledger invariant) in a child process,
 * so a long check never blocks the server's event loop and its memory goes when it ends.
 */
export function verifyDatabaseFile(file: string): Promise<VerifyResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CHILD, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let report = '';
    child.stdout.on('data', (c: Buffer) => (report += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (report += c.toString('utf8')));
    child.on('error', (err) => resolve({ ok: false, report: String(err) }));
    child.on('exit', (code) => resolve({ ok: code === 0, report: report.trim() }));
  });
}
