import autocannon, { type Request, type Result } from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { invocationPath, type Config } from '../src/config.ts';
import { pruneExpiredIdempotencyKeys } from '../src/services/idempotency/prune-expired-keys.ts';
import { pruneWebhookEvents } from '../src/services/pruning/prune-webhook-events.ts';
import { openDatabase } from '../src/store/sqlite/open.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { PromMetrics } from '../src/ops/prom-metrics.ts';
import {
  buyPacks,
  freshWebhookRequest,
  openCounter,
  repoRoot,
  signup,
  startServer,
  topUpTo,
  webhookEvents,
  type BenchUser,
  type RunningServer,
} from './lib.ts';

/**
 * `pnpm bench:big [database]`: the bench's request phases on the database built by
 * `pnpm bench:seed` and on an empty one, in one run, with one table: each route is measured
 * on both servers in alternating short slices (ABBA order, as `pnpm bench` does for its
 * ratios), so the "big / empty" ratio is not the machine drifting between two phases. Then:
 * `ledger:verify` over the whole database and for one user (time, peak RSS), server start-up
 * on the big database and after a SIGKILL with a large WAL, the streamed CSV export of the
 * longest history (time, peak server RSS), and the idempotency and webhook-event tables under
 * a simulated week of traffic with the real pruning.
 *
 * The bench writes to the seeded database (charges, payments, events): it is a bench artifact.
 */

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    pairs: { type: 'string', default: process.env.BENCH_BIG_PAIRS ?? '4' },
    slice: { type: 'string', default: process.env.BENCH_BIG_SLICE_SECONDS ?? '1.5' },
    'skip-crash': { type: 'boolean', default: false },
  },
});
const PAIRS = Number(values.pairs);
const SLICE = Number(values.slice);
const file = positionals[0]
  ? invocationPath(positionals[0])
  : path.join(tmpdir(), 'credit-bench', 'big-1.db');
const resultsDir = path.join(repoRoot, 'apps/server/bench/results');
const GENERATE_BODY = { prompt: 'A benchmark', durationMinutes: 1, resolution: '720p' };

interface SeedMeta {
  scale: number;
  seededAt: string;
  buildSeconds: number;
  counts: Record<string, number>;
  password: string;
  heavyUsers: string[];
  heavyEntries: number;
  normalUsers: string[];
}

interface Side {
  server: RunningServer;
  databasePath: string;
  user: BenchUser;
}

interface Slice {
  rps: number;
  p99: number;
  requests: number;
  errors: number;
}

interface Row {
  phase: string;
  empty: Slice;
  big: Slice;
  ratio: number;
  note?: string;
}

function sliceOf(r: Result, expected: number[]): Slice {
  const statuses = Object.entries(r.statusCodeStats);
  const requests = statuses.reduce((n, [, s]) => n + s.count, 0);
  const unexpected = statuses
    .filter(([code]) => !expected.includes(Number(code)))
    .reduce((n, [, s]) => n + s.count, 0);
  return {
    rps: requests / r.duration,
    p99: r.latency.p99,
    requests,
    errors: r.errors + r.timeouts + unexpected,
  };
}

async function load(
  url: string,
  connections: number,
  requests: Request[],
  seconds: number,
): Promise<Result> {
  return autocannon({ url, connections, duration: seconds, requests, timeout: 10 });
}

/** Alternating slices on the two servers; the ratio is big over empty, over the sums. */
async function compare(
  phase: string,
  sides: { empty: Side; big: Side },
  requests: (side: Side, which: 'empty' | 'big') => Request[],
  options: { connections?: number; seconds?: number; expected?: number[]; note?: string } = {},
  settle?: () => Promise<void>,
): Promise<Row> {
  const connections = options.connections ?? 50;
  const seconds = options.seconds ?? SLICE;
  const expected = options.expected ?? [200];
  const acc = { empty: [] as Slice[], big: [] as Slice[] };
  const run = async (which: 'empty' | 'big') => {
    await settle?.();
    const side = sides[which];
    acc[which].push(
      sliceOf(
        await load(side.server.baseUrl, connections, requests(side, which), seconds),
        expected,
      ),
    );
  };
  // One short warm-up each, then ABBA.
  for (const which of ['empty', 'big'] as const) {
    await load(sides[which].server.baseUrl, connections, requests(sides[which], which), 0.5);
  }
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 === 0 ? (['empty', 'big'] as const) : (['big', 'empty'] as const);
    for (const which of order) await run(which);
  }
  const sum = (slices: Slice[]): Slice => ({
    rps: slices.reduce((n, s) => n + s.rps, 0) / slices.length,
    p99: Math.max(...slices.map((s) => s.p99)),
    requests: slices.reduce((n, s) => n + s.requests, 0),
    errors: slices.reduce((n, s) => n + s.errors, 0),
  });
  const row = {
    phase,
    empty: sum(acc.empty),
    big: sum(acc.big),
    ratio: sum(acc.big).requests / Math.max(1, sum(acc.empty).requests),
    note: options.note,
  };
  console.log(
    `  ${phase.padEnd(34)} empty ${row.empty.rps.toFixed(0).padStart(6)}/s p99 ${row.empty.p99} ms | big ${row.big.rps.toFixed(0).padStart(6)}/s p99 ${row.big.p99} ms | ${(row.ratio * 100).toFixed(0)}%  errors ${row.empty.errors}/${row.big.errors}`,
  );
  return row;
}

async function login(server: RunningServer, email: string, password: string): Promise<BenchUser> {
  const res = await fetch(`${server.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { token: string; user: { id: string } };
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(body)}`);
  return { email, password, token: body.token, id: body.user.id };
}

async function timedStart(env: Record<string, string>) {
  const t0 = performance.now();
  const server = await startServer(env);
  return { server, ms: performance.now() - t0 };
}

/** Peak resident set of a command, from GNU time. */
function measureCommand(
  args: string[],
): Promise<{ seconds: number; peakMb: number; ok: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      '/usr/bin/time',
      ['-f', 'BENCH_TIME %e %M', process.execPath, '--import', 'tsx', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const m = /BENCH_TIME ([\d.]+) (\d+)/.exec(out);
      resolve({
        seconds: m ? Number(m[1]) : Number.NaN,
        peakMb: m ? Number(m[2]) / 1024 : Number.NaN,
        ok: code === 0,
        out: out
          .replace(/BENCH_TIME.*\n?/, '')
          .trim()
          .slice(-400),
      });
    });
  });
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Downloads the CSV export while sampling the server's resident memory. */
async function measureExport(side: Side) {
  const pid = side.server.child.pid!;
  const before = rssMb(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const t0 = performance.now();
  const res = await fetch(`${side.server.baseUrl}/api/credits/transactions.csv`, {
    headers: { Authorization: `Bearer ${side.user.token}` },
  });
  let bytes = 0;
  let lines = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  return {
    status: res.status,
    seconds,
    bytes,
    rows: Math.max(0, lines - 1),
    rssBeforeMb: before,
    rssPeakMb: peak,
  };
}

async function waitForRenders(databasePath: string) {
  const counter = openCounter(databasePath);
  try {
    const deadline = Date.now() + 60_000;
    while (counter.pendingVideos() > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    counter.close();
  }
}

/**
 * A week of traffic against the real pruning services on a scratch database: every simulated
 * hour adds a day's share of idempotency records and webhook events (at the seeded
 * database's daily rate times `rateScale`), and the pruning runs every 15 simulated minutes,
 * as the server schedules it. Returns the table sizes at the end of each day.
 */
async function simulateWeek(perDay: { idempotency: number; events: number }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-bench-week-'));
  const store = openSqliteStore(path.join(dir, 'week.db'));
  store.db.pragma('synchronous = OFF');
  let clock = Date.UTC(2026, 0, 1);
  // The two settings the pruning services read, at their defaults.
  const config = { idempotencyKeyTtlHours: 24, webhookEventRetentionDays: 30 } as Config;
  const ctx = {
    store,
    config,
    log: pino({ level: 'silent' }),
    now: () => new Date(clock),
    metrics: new PromMetrics({ defaultMetrics: false }),
  };
  const userId = randomUUID();
  await store.createUser({
    id: userId,
    email: 'week@example.com',
    name: 'W',
    passwordHash: 'x',
    signupBonus: 0,
    now: new Date(clock).toISOString(),
  });
  const days: { day: number; idempotency: number; events: number }[] = [];
  const count = (t: string) =>
    store.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number;
  // Webhook events are kept 30 days, so a week cannot show their steady state by itself:
  // the simulation runs 35 days and reports the last week.
  for (let hour = 0; hour < 35 * 24; hour++) {
    for (let quarter = 0; quarter < 4; quarter++) {
      const nowIso = new Date(clock).toISOString();
      await Promise.all([
        ...Array.from({ length: Math.round(perDay.idempotency / 96) }, () =>
          store.beginIdempotentRequest({
            userId,
            scope: 'week',
            key: randomUUID(),
            requestHash: 'h',
            now: nowIso,
            staleBefore: nowIso,
          }),
        ),
        ...Array.from({ length: Math.round(perDay.events / 96) }, () =>
          store.recordStripeEvent({
            id: `evt_${randomUUID()}`,
            type: 'charge.succeeded',
            outcome: 'ignored',
            now: nowIso,
          }),
        ),
      ]);
      store.db
        .prepare("UPDATE idempotency_keys SET state = 'completed' WHERE state = 'in_progress'")
        .run();
      await pruneExpiredIdempotencyKeys({ ctx });
      await pruneWebhookEvents({ ctx });
      clock += 15 * 60 * 1000;
    }
    if (hour % 24 === 23)
      days.push({
        day: (hour + 1) / 24,
        idempotency: count('idempotency_keys'),
        events: count('stripe_events'),
      });
  }
  const fileMb = statSync(path.join(dir, 'week.db')).size / 1e6;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { days, fileMb };
}

async function main() {
  const started = Date.now();
  if (!existsSync(`${file}.json`))
    throw new Error(`no ${file}.json: build it with pnpm bench:seed`);
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as SeedMeta;
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    ramGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    `bench:big on ${file} (scale ${meta.scale}, ${JSON.stringify(meta.counts)}); ${JSON.stringify(machine)}`,
  );
  // Keep the seed's records inside their retention windows, whenever the seed was built, so
  // the first start does not spend the bench pruning them.
  const ageHours = Math.ceil((Date.now() - Date.parse(meta.seededAt)) / 3_600_000);
  const bigEnv = {
    DATABASE_PATH: file,
    IDEMPOTENCY_KEY_TTL_HOURS: String(Math.min(24 * 30, 24 + ageHours)),
    WEBHOOK_EVENT_RETENTION_DAYS: String(30 + Math.ceil(ageHours / 24)),
  };

  // Migrations other changes added since the seed was built run once here, not inside the
  // timed start-ups below.
  const migrateStart = performance.now();
  await openSqliteStore(file).close();
  const migrateMs = performance.now() - migrateStart;
  console.log(`pending migrations applied in ${migrateMs.toFixed(0)} ms`);
  console.log('start-up');
  const emptyStart = await timedStart({});
  const bigStart = await timedStart(bigEnv);
  console.log(`  empty ${emptyStart.ms.toFixed(0)} ms, big ${bigStart.ms.toFixed(0)} ms`);
  const rows: Row[] = [];
  const extra: Record<string, unknown> = {};
  let bigServer = bigStart.server;
  const bigDataDirs = [bigServer.dataDir];
  try {
    const emptyUser = await signup(emptyStart.server, 'empty');
    const heavy = await login(bigServer, meta.heavyUsers[0]!, meta.password);
    const sides = {
      empty: {
        server: emptyStart.server,
        databasePath: emptyStart.server.databasePath,
        user: emptyUser,
      },
      big: { server: bigServer, databasePath: file, user: heavy },
    };
    const auth = (s: Side) => ({ Authorization: `Bearer ${s.user.token}` });
    const get = (p: string) => (s: Side) => [{ method: 'GET' as const, path: p, headers: auth(s) }];
    // A purchase on each: credits for generate, an intent for the webhook phase.
    const intents = {
      empty: (await buyPacks(sides.empty.server, emptyUser, 1)).paymentIntentIds[0]!,
      big: (await buyPacks(bigServer, heavy, 1)).paymentIntentIds[0]!,
    };
    // The empty database's user gets one full page of everything, so both sides render the
    // same number of rows: the comparison is of the database, not of the page size.
    await buyPacks(sides.empty.server, emptyUser, 20);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${sides.empty.server.baseUrl}/api/video/generate`, {
        method: 'POST',
        headers: { ...auth(sides.empty), 'Content-Type': 'application/json' },
        body: JSON.stringify(GENERATE_BODY),
      });
      if (res.status !== 202) throw new Error(`generate: ${res.status} ${await res.text()}`);
    }
    await waitForRenders(sides.empty.databasePath);
    const totalRes = await fetch(`${bigServer.baseUrl}/api/credits/transactions?pageSize=20`, {
      headers: auth(sides.big),
    });
    const heavyTotal = ((await totalRes.json()) as { pagination: { total: number } }).pagination
      .total;
    const deepPage = Math.min(2000, Math.floor(heavyTotal / 20));

    console.log(`phases: ${PAIRS} alternating pairs of ${SLICE} s slices per route (empty vs big)`);
    rows.push(await compare('GET /api/credits/balance', sides, get('/api/credits/balance')));
    rows.push(
      await compare(
        'transactions, page 1',
        sides,
        get('/api/credits/transactions?page=1&pageSize=20'),
      ),
    );
    rows.push(
      await compare(
        `transactions, page ${deepPage} (big) vs page 1 (empty)`,
        sides,
        (s, which) =>
          get(`/api/credits/transactions?page=${which === 'big' ? deepPage : 1}&pageSize=20`)(s),
        { note: `user with ${heavyTotal} entries` },
      ),
    );
    rows.push(
      await compare(
        'payments history, page 1',
        sides,
        get('/api/payments/history?page=1&pageSize=20'),
      ),
    );
    rows.push(
      await compare(
        'video history, page 1',
        sides,
        get('/api/credits/video-history?page=1&pageSize=20'),
      ),
    );
    const events = {
      empty: webhookEvents(
        sides.empty.server,
        await sides.empty.server.stripe.paymentIntents.retrieve(intents.empty),
      ),
      big: webhookEvents(bigServer, await bigServer.stripe.paymentIntents.retrieve(intents.big)),
    };
    rows.push(
      await compare('webhook, new signed events', sides, (_s, which) => [
        freshWebhookRequest(events[which]),
      ]),
    );
    rows.push(
      await compare(
        'POST /api/auth/login (cost 12)',
        sides,
        (s) => [
          {
            method: 'POST',
            path: '/api/auth/login',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              email: s.user.email,
              password: s === sides.big ? meta.password : s.user.password,
            }),
          },
        ],
        { connections: 10, seconds: Math.max(8, SLICE * 4) },
      ),
    );
    const generateCredits = 40_000;
    const settle = async () => {
      for (const s of [sides.empty, sides.big]) {
        await topUpTo(s.server, s.user, generateCredits);
        await waitForRenders(s.databasePath);
      }
    };
    rows.push(
      await compare(
        'POST /api/video/generate',
        sides,
        (s) => [
          {
            method: 'POST',
            path: '/api/video/generate',
            headers: { ...auth(s), 'Content-Type': 'application/json' },
            body: JSON.stringify(GENERATE_BODY),
            setupRequest: (req) => ({
              ...req,
              headers: { ...req.headers, 'Idempotency-Key': randomUUID() },
            }),
          },
        ],
        { expected: [202] },
        settle,
      ),
    );

    console.log('CSV export of the longest history');
    extra.exportBig = await measureExport(sides.big);
    extra.exportEmpty = await measureExport(sides.empty);
    console.log(
      `  big ${JSON.stringify(extra.exportBig)}\n  empty ${JSON.stringify(extra.exportEmpty)}`,
    );

    if (!values['skip-crash']) {
      console.log('unclean shutdown: SIGKILL during writes while a reader holds the WAL open');
      const reader = openDatabase(file, { readonly: true });
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT COUNT(*) FROM credit_packages').get();
      await settle();
      const loadRun = load(
        bigServer.baseUrl,
        50,
        [
          {
            method: 'POST',
            path: '/api/video/generate',
            headers: { ...auth(sides.big), 'Content-Type': 'application/json' },
            body: JSON.stringify(GENERATE_BODY),
            setupRequest: (req) => ({
              ...req,
              headers: { ...req.headers, 'Idempotency-Key': randomUUID() },
            }),
          },
        ],
        8,
      );
      await new Promise((r) => setTimeout(r, 6_000));
      bigServer.child.kill('SIGKILL');
      await loadRun.catch(() => undefined);
      await new Promise((r) =>
        bigServer.child.exitCode !== null || bigServer.child.signalCode
          ? r(undefined)
          : bigServer.child.once('exit', r),
      );
      reader.prepare('COMMIT').run();
      reader.close();
      const walMb = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size / 1e6 : 0;
      const restart = await timedStart(bigEnv);
      bigServer = restart.server;
      sides.big.server = bigServer;
      bigDataDirs.push(bigServer.dataDir);
      extra.crash = { walMb, restartMs: restart.ms };
      console.log(`  WAL ${walMb.toFixed(1)} MB at the kill; restart ${restart.ms.toFixed(0)} ms`);
    }
  } finally {
    await Promise.all([emptyStart.server.stop(), bigServer.stop()]);
  }

  console.log('ledger:verify');
  const verifyFull = await measureCommand(['apps/server/src/cli/ledger-verify.ts', file]);
  const heavyId = openDatabase(file, { readonly: true });
  const heavyUserId = heavyId
    .prepare('SELECT id FROM users WHERE email = ?')
    .pluck()
    .get(meta.heavyUsers[0]) as string;
  heavyId.close();
  const verifyUser = await measureCommand([
    'apps/server/src/cli/ledger-verify.ts',
    file,
    '--user',
    heavyUserId,
  ]);
  const verifyEmpty = await measureCommand([
    'apps/server/src/cli/ledger-verify.ts',
    emptyStart.server.databasePath,
  ]);
  console.log(
    `  whole database: ${JSON.stringify(verifyFull)}\n  one user: ${JSON.stringify(verifyUser)}\n  empty: ${JSON.stringify(verifyEmpty)}`,
  );

  console.log('a simulated month of idempotency keys and webhook events with the real pruning');
  const perDay = {
    idempotency: Math.max(1000, Math.round((meta.counts.idempotency_keys ?? 0) * 0.02)),
    events: Math.max(1000, Math.round((meta.counts.stripe_events ?? 0) / 30)),
  };
  const week = await simulateWeek(perDay);
  const lastWeek = week.days.slice(-7);
  console.log(
    `  per day: ${JSON.stringify(perDay)}; days: ${JSON.stringify(week.days.filter((d) => d.day % 7 === 0 || d.day <= 2))}`,
  );

  // ---------- one table ----------
  const pct = (r: number) => `${(r * 100).toFixed(0)}%`;
  const table = [
    '| phase | empty req/s | big req/s | big / empty | p99 empty ms | p99 big ms | errors | within 10 % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.phase}${r.note ? ` (${r.note})` : ''} | ${r.empty.rps.toFixed(0)} | ${r.big.rps.toFixed(0)} | ${pct(r.ratio)} | ${r.empty.p99} | ${r.big.p99} | ${r.empty.errors + r.big.errors} | ${r.ratio >= 0.9 ? 'PASS' : 'FAIL'} |`,
    ),
  ];
  const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const exp = extra.exportBig as Awaited<ReturnType<typeof measureExport>>;
  const expE = extra.exportEmpty as Awaited<ReturnType<typeof measureExport>>;
  const crash = extra.crash as { walMb: number; restartMs: number } | undefined;
  const other = [
    '| measurement | empty | big |',
    '| --- | ---: | ---: |',
    `| migrations added since the seed, applied once before the timed start-ups | | ${migrateMs.toFixed(0)} ms |`,
    `| server start-up (spawn to listening) | ${emptyStart.ms.toFixed(0)} ms | ${bigStart.ms.toFixed(0)} ms |`,
    crash
      ? `| start-up after SIGKILL during writes (WAL ${fmt(crash.walMb)} MB) | | ${crash.restartMs.toFixed(0)} ms |`
      : '| start-up after SIGKILL | | skipped |',
    `| ledger:verify, whole database: time / peak RSS | ${fmt(verifyEmpty.seconds)} s / ${fmt(verifyEmpty.peakMb, 0)} MB | ${fmt(verifyFull.seconds)} s / ${fmt(verifyFull.peakMb, 0)} MB${verifyFull.ok ? '' : ' (FAILED)'} |`,
    `| ledger:verify --user (${meta.heavyEntries}-entry user): time / peak RSS | | ${fmt(verifyUser.seconds)} s / ${fmt(verifyUser.peakMb, 0)} MB${verifyUser.ok ? '' : ' (FAILED)'} |`,
    `| CSV export: rows, time, server RSS before → peak | ${expE.rows}, ${fmt(expE.seconds, 2)} s, ${fmt(expE.rssBeforeMb, 0)} → ${fmt(expE.rssPeakMb, 0)} MB | ${exp.rows}, ${fmt(exp.seconds, 2)} s, ${fmt(exp.rssBeforeMb, 0)} → ${fmt(exp.rssPeakMb, 0)} MB |`,
    `| steady state, 35 simulated days at ${perDay.idempotency} keys + ${perDay.events} events / day: idempotency_keys (max of last 7 days) | | ${Math.max(...lastWeek.map((d) => d.idempotency))} rows (TTL 24 h) |`,
    `| steady state: stripe_events (max of last 7 days) | | ${Math.max(...lastWeek.map((d) => d.events))} rows (retention 30 days) |`,
  ];
  const md = [
    `Machine: ${machine.cpus} vCPU (${machine.model}), ${machine.ramGb} GB RAM, Node ${machine.node}. Database: scale ${meta.scale}, ${Object.entries(
      meta.counts,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; built in ${meta.buildSeconds.toFixed(0)} s.`,
    '',
    ...table,
    '',
    ...other,
  ].join('\n');
  console.log(`\n${md}\n\nin ${((Date.now() - started) / 1000).toFixed(0)} s`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'big-latest.md'), `${md}\n`);
  writeFileSync(
    path.join(resultsDir, 'big-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, seed: meta, rows, extra, verifyFull, verifyUser, verifyEmpty, week }, null, 2)}\n`,
  );
  for (const dir of [emptyStart.server.dataDir, ...bigDataDirs])
    rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
