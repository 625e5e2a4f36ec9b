import { calculateCost } from '@app/shared';
import autocannon, { type Request } from 'autocannon';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  pgBackend,
  pgUnavailable,
  sqliteBackend,
  startPgCluster,
  type Backend,
  type PgCluster,
} from './backends.ts';
import { signup, type BenchUser } from './lib.ts';
import { pacedLoad, type PacedRequest } from './paced.ts';
import { percentile, prng } from './stats.ts';

/**
 * Issue 12, step 7: the same many-user load on SQLite (1 instance), PostgreSQL (1 instance)
 * and PostgreSQL (2 instances on one database). Each deployment gets 1,000 users signed up
 * over HTTP; every request picks one of them at random (a seeded sequence, the same on every
 * deployment), so no single account's row lock is the bottleneck. The deployments take turns
 * in short slices, in ABBA order from round to round (and balance/generate swap places within
 * a deployment each round), so a steady drift of this shared machine cancels out in the
 * ratios. With two instances, half the connections go to each (round robin by connection).
 * Before every slice the render queue is drained and short balances topped up.
 *
 * Those closed-loop slices measure throughput at saturation, where the latency is set by the
 * 50 connections (mean = 50 / throughput). So the latency at a given load is measured too:
 * generates arriving as a steady open-loop stream at the rate the throughput target asks of
 * PostgreSQL (half of SQLite's figure from the rounds just run), on every deployment, in the
 * same alternating order (bench/paced.ts). It is reported beside the target, not part of it.
 * Run alone: `pnpm --filter @app/server exec tsx bench/many-users.ts` (BENCH_MANY_USERS,
 * BENCH_MANY_USERS_ROUNDS, BENCH_MANY_USERS_SLICE_SECONDS make it smaller; BENCH_SKIP_PG=1
 * skips it).
 */

const CONNECTIONS = 50;
const GENERATE_BODY = {
  prompt: 'A many-user benchmark',
  durationMinutes: 1,
  resolution: '720p',
} as const;
const GENERATE_COST = calculateCost(GENERATE_BODY).total;
/** A generous ceiling on generate req/s, to size the credits each user needs per slice. */
const MAX_GENERATE_RPS = 5_000;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 100;
/** The paced phase: this many rounds of slices this many times longer than a closed-loop one. */
const PACED_ROUNDS = 3;
const PACED_SLICE_FACTOR = 2;

interface Totals {
  requests: number;
  seconds: number;
  errors: number;
  /** Answers other than the expected one, by status (0: no answer: error or timeout). */
  unexpected: Record<string, number>;
  latencies: number[];
}

interface Subject {
  backend: Backend;
  users: BenchUser[];
  balance: Totals;
  generate: Totals;
  paced: Totals & { scheduled: number };
  violations: number;
}

export interface BackendResult {
  name: string;
  instances: number;
  balance: Summary;
  generate: Summary;
  /** Generates sent open loop at `pacedRate` (rps: answered with 202 per second). */
  pacedGenerate: Summary & { scheduled: number };
  /** This deployment's req/s over SQLite's, from the same rounds. */
  balanceVsSqlite: number;
  generateVsSqlite: number;
  invariantViolations: number;
}

interface Summary {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  unexpected: Record<string, number>;
}

export type ManyUsersResult =
  | {
      skipped: false;
      users: number;
      rounds: number;
      sliceSeconds: number;
      connections: number;
      /** Generates per second of the paced phase: TARGET_RATIO x SQLite's closed-loop figure. */
      pacedRate: number;
      pacedSeconds: number;
      postgres: { version: string; settings: string };
      backends: BackendResult[];
    }
  | { skipped: true; reason: string };

const empty = (): Totals => ({
  requests: 0,
  seconds: 0,
  errors: 0,
  unexpected: {},
  latencies: [],
});

function summary(t: Totals): Summary {
  return {
    requests: t.requests,
    seconds: t.seconds,
    rps: t.seconds > 0 ? t.requests / t.seconds : 0,
    p50: percentile(t.latencies, 50),
    p99: percentile(t.latencies, 99),
    errors: t.errors,
    unexpected: t.unexpected,
  };
}

type Route = 'balance' | 'generate';

function pacedGenerate(users: BenchUser[], random: () => number): () => PacedRequest {
  const body = JSON.stringify(GENERATE_BODY);
  return () => ({
    method: 'POST',
    path: '/api/video/generate',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${users[Math.floor(random() * users.length)]!.token}`,
      'Idempotency-Key': randomUUID(),
    },
    body,
  });
}

/** One request template whose user (and, for generate, Idempotency-Key) is drawn per request. */
function randomUserRequest(route: Route, users: BenchUser[], random: () => number): Request {
  const pick = () => users[Math.floor(random() * users.length)]!;
  if (route === 'balance') {
    return {
      method: 'GET',
      path: '/api/credits/balance',
      setupRequest: (req) => ({
        ...req,
        headers: { ...req.headers, Authorization: `Bearer ${pick().token}` },
      }),
    };
  }
  return {
    method: 'POST',
    path: '/api/video/generate',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(GENERATE_BODY),
    setupRequest: (req) => ({
      ...req,
      headers: {
        ...req.headers,
        Authorization: `Bearer ${pick().token}`,
        'Idempotency-Key': randomUUID(),
      },
    }),
  };
}

/**
 * One slice on one deployment: CONNECTIONS split evenly over its instances, all driven at
 * once for `seconds`; every latency is kept, so the p99 is over all slices of a deployment.
 */
async function slice(
  s: Subject,
  route: Route,
  seed: number,
  seconds: number,
  into: Totals,
): Promise<void> {
  const expected = route === 'balance' ? 200 : 202;
  const random = prng(seed);
  const servers = s.backend.servers;
  const latencies: number[] = [];
  const results = await Promise.all(
    servers.map((server, i) => {
      const connections =
        Math.floor(CONNECTIONS / servers.length) + (i < CONNECTIONS % servers.length ? 1 : 0);
      const instance = autocannon({
        url: server.baseUrl,
        connections,
        duration: seconds,
        requests: [randomUserRequest(route, s.users, random)],
        timeout: 10,
      });
      instance.on('response', (...args: unknown[]) => latencies.push(args[3] as number));
      return instance;
    }),
  );
  for (const r of results) {
    const answered = Object.values(r.statusCodeStats).reduce((n, c) => n + c.count, 0);
    into.requests += answered;
    into.errors += r.errors + r.timeouts + answered - (r.statusCodeStats[expected]?.count ?? 0);
    for (const [code, c] of Object.entries(r.statusCodeStats)) {
      if (Number(code) !== expected) into.unexpected[code] = (into.unexpected[code] ?? 0) + c.count;
    }
    if (r.errors + r.timeouts > 0)
      into.unexpected['0'] = (into.unexpected['0'] ?? 0) + r.errors + r.timeouts;
  }
  into.seconds += Math.max(...results.map((r) => r.duration));
  into.latencies.push(...latencies);
}

async function signupMany(backend: Backend, count: number): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  const batch = 20;
  for (let i = 0; i < count; i += batch) {
    users.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(batch, count - i) }, (_, j) =>
          // Round robin over the instances, as a load balancer would.
          signup(backend.servers[(i + j) % backend.servers.length]!, `many-${i + j}`),
        ),
      )),
    );
  }
  return users;
}

async function drainRenders(backend: Backend): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const g = await backend.store.operationalGauges();
    if (g.videosQueued + g.videosProcessing === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Gives every user whose balance is under `floor` twice that, as a console grant (an
 * `adjustment` entry with its audit record): buying 1,000 users' packs through Stripe before
 * every slice would take longer than the measurement.
 */
async function topUp(backend: Backend, users: BenchUser[], floor: number): Promise<number> {
  let granted = 0;
  const batch = 50;
  for (let i = 0; i < users.length; i += batch) {
    await Promise.all(
      users.slice(i, i + batch).map(async (u) => {
        const balance = (await backend.store.getBalance({ userId: u.id }))?.creditBalance ?? 0;
        if (balance >= floor) return;
        const r = await backend.store.admin.adjustCredits({
          actor: { id: null, role: 'cli', requestId: null },
          adjustment: {
            action: 'grant_credits',
            userId: u.id,
            amount: 2 * floor - balance,
            entryType: 'adjustment',
            description: 'Benchmark credits',
            reason: 'goodwill',
            note: 'bench/many-users.ts',
          },
          now: new Date().toISOString(),
        });
        if (r.kind !== 'applied') throw new Error(`top-up of ${u.id} failed: ${r.kind}`);
        granted += 1;
      }),
    );
  }
  return granted;
}

/** Charges sent just before a slice stopped may still be landing; then the queue empties. */
/**
 * Before a slice: every deployment's render queue empty, not only the one measured next. The
 * workers of the deployment measured just before are still rendering the videos its slice
 * queued, and on a shared machine that CPU would be charged to whoever runs next.
 */
async function settle(s: Subject, all: Backend[], floor: number): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (const backend of all) await drainRenders(backend);
  await topUp(s.backend, s.users, floor);
  await drainRenders(s.backend);
}

export async function measureManyUsers(
  options: {
    users?: number;
    rounds?: number;
    sliceSeconds?: number;
    log?: (line: string) => void;
  } = {},
): Promise<ManyUsersResult> {
  const unavailable = pgUnavailable();
  if (unavailable) return { skipped: true, reason: unavailable };
  const userCount = options.users ?? Number(process.env.BENCH_MANY_USERS ?? 1000);
  const rounds = options.rounds ?? Number(process.env.BENCH_MANY_USERS_ROUNDS ?? 6);
  const sliceSeconds =
    options.sliceSeconds ?? Number(process.env.BENCH_MANY_USERS_SLICE_SECONDS ?? 1.5);
  const log = options.log ?? ((line: string) => console.log(line));
  // Per-user charges in a slice are about Poisson(rate * seconds / users): three times the
  // mean plus 20 is never reached in practice.
  const perUserCharges = Math.ceil((3 * MAX_GENERATE_RPS * sliceSeconds) / userCount + 20);
  const floor = perUserCharges * GENERATE_COST;

  let cluster: PgCluster | undefined;
  const backends: Backend[] = [];
  const subjects: Subject[] = [];
  try {
    cluster = await startPgCluster();
    backends.push(await sqliteBackend());
    backends.push(await pgBackend(cluster, 'bench_pg1', 1));
    backends.push(await pgBackend(cluster, 'bench_pg2', 2));
    for (const backend of backends) {
      const t0 = performance.now();
      const users = await signupMany(backend, userCount);
      subjects.push({
        backend,
        users,
        balance: empty(),
        generate: empty(),
        paced: { ...empty(), scheduled: 0 },
        violations: 0,
      });
      log(
        `  ${backend.name}: ${users.length} users signed up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    // A fresh server's first seconds are JIT warm-up (and PostgreSQL's first plans and
    // connections); no deployment should pay for that inside a measured slice.
    for (const s of subjects) {
      for (const route of ['balance', 'generate'] as const) {
        await settle(s, backends, floor);
        await slice(s, route, 0, 1, empty());
      }
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? subjects : [...subjects].reverse();
      const routes: Route[] = round % 2 === 0 ? ['balance', 'generate'] : ['generate', 'balance'];
      const line: string[] = [];
      for (const s of order) {
        const parts: string[] = [];
        for (const route of routes) {
          const into = s[route];
          const before = { requests: into.requests, seconds: into.seconds, errors: into.errors };
          await settle(s, backends, floor);
          // Same seed for every deployment in this round and route: the same users, in order.
          await slice(s, route, round * 2 + (route === 'balance' ? 1 : 2), sliceSeconds, into);
          const rps = (into.requests - before.requests) / (into.seconds - before.seconds);
          const errors = into.errors - before.errors;
          parts.push(`${route} ${rps.toFixed(0)}/s${errors ? ` (${errors} errors)` : ''}`);
        }
        line.push(`${s.backend.name}: ${parts.join(', ')}`);
      }
      log(`  round ${round + 1}/${rounds}  ${line.join('  |  ')}`);
    }
    const sqlite = subjects[0]!;
    const rate = (t: Totals) => (t.seconds > 0 ? t.requests / t.seconds : 0);
    const pacedRate = Math.round(TARGET_RATIO * rate(sqlite.generate));
    const pacedSeconds = sliceSeconds * PACED_SLICE_FACTOR;
    for (let round = 0; round < PACED_ROUNDS; round++) {
      const order = round % 2 === 0 ? subjects : [...subjects].reverse();
      const line: string[] = [];
      for (const s of order) {
        await settle(s, backends, floor);
        const r = await pacedLoad({
          baseUrls: s.backend.servers.map((server) => server.baseUrl),
          rate: pacedRate,
          seconds: pacedSeconds,
          expected: 202,
          next: pacedGenerate(s.users, prng(1000 + round)),
        });
        const p = s.paced;
        p.scheduled += r.scheduled;
        p.requests += r.ok;
        p.seconds += pacedSeconds;
        p.latencies.push(...r.latencies);
        for (const [code, n] of Object.entries(r.unexpected)) {
          p.unexpected[code] = (p.unexpected[code] ?? 0) + n;
          p.errors += n;
        }
        line.push(
          `${s.backend.name}: p99 ${percentile(r.latencies, 99).toFixed(0)} ms, ${r.achievedRps.toFixed(0)}/s`,
        );
      }
      log(`  paced ${pacedRate}/s, round ${round + 1}/${PACED_ROUNDS}  ${line.join('  |  ')}`);
    }
    for (const s of subjects) {
      await drainRenders(s.backend);
      s.violations = (await s.backend.store.verifyInvariants()).length;
    }
    return {
      skipped: false,
      users: userCount,
      rounds,
      sliceSeconds,
      connections: CONNECTIONS,
      pacedRate,
      pacedSeconds: pacedSeconds * PACED_ROUNDS,
      postgres: {
        version: cluster.version,
        settings: 'fsync=on, synchronous_commit=on, full_page_writes=on, PG_POOL_MAX=10',
      },
      backends: subjects.map((s) => ({
        name: s.backend.name,
        instances: s.backend.instances,
        balance: summary(s.balance),
        generate: summary(s.generate),
        pacedGenerate: { ...summary(s.paced), scheduled: s.paced.scheduled },
        balanceVsSqlite: rate(s.balance) / rate(sqlite.balance),
        generateVsSqlite: rate(s.generate) / rate(sqlite.generate),
        invariantViolations: s.violations,
      })),
    };
  } finally {
    for (const b of backends) await b.close();
    cluster?.stop();
  }
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(0));

export function describeManyUsers(m: ManyUsersResult): string[] {
  if (m.skipped) return [`  skipped: ${m.reason}`];
  return m.backends.map(
    (b) =>
      `  ${b.name.padEnd(26)} balance ${b.balance.rps.toFixed(0)}/s p50 ${ms(b.balance.p50)} p99 ${ms(b.balance.p99)} ms (${pct(b.balanceVsSqlite)} of SQLite, ${b.balance.errors} errors); generate ${b.generate.rps.toFixed(0)}/s p50 ${ms(b.generate.p50)} p99 ${ms(b.generate.p99)} ms (${pct(b.generateVsSqlite)} of SQLite, ${b.generate.errors} errors); paced at ${m.pacedRate}/s: ${b.pacedGenerate.rps.toFixed(0)}/s p50 ${ms(b.pacedGenerate.p50)} p99 ${ms(b.pacedGenerate.p99)} ms (${b.pacedGenerate.errors} errors)`,
  );
}

export function manyUsersTargets(
  m: ManyUsersResult,
): { target: string; measured: string; pass: boolean }[] {
  const users = (m.skipped ? 1000 : m.users).toLocaleString('en');
  const target = `many users: generate on PostgreSQL with 2 instances >= ${pct(TARGET_RATIO)} of SQLite, p99 < ${TARGET_P99_MS} ms, 0 errors (${users} users, ${CONNECTIONS} conns)`;
  const invariants = 'I1-I8 hold after the many-user phases (SQLite and both PostgreSQL databases)';
  if (m.skipped) {
    return [
      { target, measured: `not measured: ${m.reason}`, pass: false },
      { target: invariants, measured: 'not measured', pass: false },
    ];
  }
  const pg2 = m.backends.find((b) => b.instances === 2)!;
  const pg1 = m.backends.find((b) => b.name.startsWith('PostgreSQL') && b.instances === 1)!;
  const sqlite = m.backends[0]!;
  const errors = m.backends.reduce(
    (n, b) => n + b.balance.errors + b.generate.errors + b.pacedGenerate.errors,
    0,
  );
  const violations = m.backends.reduce((n, b) => n + b.invariantViolations, 0);
  const paced = pg2.pacedGenerate;
  return [
    {
      target,
      measured: `${pct(pg2.generateVsSqlite)} (1 instance ${pct(pg1.generateVsSqlite)}), p99 ${ms(pg2.generate.p99)} ms (SQLite ${ms(sqlite.generate.p99)} ms), over ${m.rounds} alternating rounds of ${m.sliceSeconds} s slices; open loop at ${m.pacedRate}/s (half of SQLite's figure) for ${m.pacedSeconds} s: p99 ${ms(paced.p99)} ms, ${paced.requests} of ${paced.scheduled} answered 202 (1 instance p99 ${ms(pg1.pacedGenerate.p99)} ms, SQLite ${ms(sqlite.pacedGenerate.p99)} ms); ${errors} errors in all many-user slices`,
      pass:
        pg2.generateVsSqlite >= TARGET_RATIO && pg2.generate.p99 < TARGET_P99_MS && errors === 0,
    },
    {
      target: invariants,
      measured: violations === 0 ? 'ok' : `${violations} violation(s)`,
      pass: violations === 0,
    },
  ];
}

/** The markdown table of latest.md and the README. */
export function manyUsersMarkdown(m: ManyUsersResult): string[] {
  if (m.skipped) return [`Many users on SQLite and PostgreSQL: skipped (${m.reason}).`];
  const header = [
    'deployment',
    'balance req/s',
    'balance p50 / p99 ms',
    'balance vs SQLite',
    'generate req/s',
    'generate p50 / p99 ms',
    'generate vs SQLite',
    `generate at ${m.pacedRate}/s open loop: p50 / p99 ms`,
    'errors',
  ];
  return [
    `Many users: ${m.users.toLocaleString('en')} users, ${m.connections} connections, ${m.rounds} alternating rounds of ${m.sliceSeconds} s slices; then generates paced at ${m.pacedRate}/s (half of SQLite's figure) for ${m.pacedSeconds} s per deployment; PostgreSQL ${m.postgres.version} (${m.postgres.settings}).`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...m.backends.map(
      (b) =>
        `| ${b.name} | ${b.balance.rps.toFixed(0)} | ${ms(b.balance.p50)} / ${ms(b.balance.p99)} | ${pct(b.balanceVsSqlite)} | ${b.generate.rps.toFixed(0)} | ${ms(b.generate.p50)} / ${ms(b.generate.p99)} | ${pct(b.generateVsSqlite)} | ${ms(b.pacedGenerate.p50)} / ${ms(b.pacedGenerate.p99)} | ${b.balance.errors + b.generate.errors + b.pacedGenerate.errors} |`,
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const m = await measureManyUsers();
  for (const line of describeManyUsers(m)) console.log(line);
  for (const t of manyUsersTargets(m))
    console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.measured}`);
  console.log(manyUsersMarkdown(m).join('\n'));
  process.exit(0);
}
