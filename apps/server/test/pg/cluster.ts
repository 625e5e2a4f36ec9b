import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl from the installed binaries
 * (Debian's /usr/lib/postgresql/<version>/bin, or PG_BIN), on a random loopback port, with
 * fsync off. initdb refuses root, so as root the cluster runs as `nobody`.
 */
export interface Cluster {
  /** Superuser URL (role `postgres`, trust auth on loopback). */
  url: (database?: string, role?: string) => string;
  stop: () => void;
  /** pg_ctl for tests that restart the server or make it read-only (battery M6). */
  ctl: (...args: string[]) => void;
  dataDir: string;
  port: number;
}

export function findPgBin(): string {
  const candidates = [
    process.env.PG_BIN,
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ].filter((d): d is string => !!d);
  const bin = candidates.find((d) => existsSync(path.join(d, 'initdb')));
  if (!bin) {
    // Loud on purpose: the PostgreSQL suites must run, never skip (.ci/run installs it).
    throw new Error(
      'PostgreSQL server binaries not found (initdb). Install them: apt-get install postgresql ' +
        '(or set PG_BIN to the directory holding initdb and pg_ctl).',
    );
  }
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const NOBODY = { uid: 65534, gid: 65534 };

/** Fast and crash-unsafe: the tests need a database, not durability. */
const TEST_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
  shared_buffers: '64MB',
};

/** `settings` override TEST_SETTINGS (the bench restores PostgreSQL's durable defaults). */
export async function startCluster(settings: Record<string, string> = {}): Promise<Cluster> {
  const bin = findPgBin();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-pg-'));
  chmodSync(dir, 0o700);
  if (root) chownSync(dir, NOBODY.uid, NOBODY.gid);
  const dataDir = path.join(dir, 'data');
  const as = (cmd: string, args: string[]) =>
    root
      ? ([
          'setpriv',
          ['--reuid=nobody', '--regid=nogroup', '--clear-groups', path.join(bin, cmd), ...args],
        ] as const)
      : ([path.join(bin, cmd), args] as const);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = as(cmd, args);
    const r = spawnSync(file, [...argv], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
    }
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    ...Object.entries({ ...TEST_SETTINGS, ...settings }).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', dataDir, ...args]);
  ctl('-o', options, '-l', path.join(dir, 'log'), '-w', 'start');
  const url = (database = 'postgres', role = 'postgres') =>
    `postgres://${role}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    dataDir,
    ctl: (...args: string[]) => {
      // A restart must keep the original options.
      if (args[0] === 'restart' || args[0] === 'start') {
        ctl(...args, '-o', options, '-l', path.join(dir, 'log'), '-w');
      } else ctl(...args);
    },
    stop: () => {
      try {
        ctl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
