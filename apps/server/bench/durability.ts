import { calculateCost } from '@app/shared';
import autocannon, { type Request } from 'autocannon';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  buyPacks,
  freshWebhookRequest,
  openCounter,
  signup,
  startServer,
  generatorPool,
  webhookEvents,
  type RunningServer,
} from './lib.ts';
import { percentile } from './stats.ts';

/**
 * Issue 11, part 1: what power-loss durability costs. Three servers on fresh databases, the
 * same in everything but SQLITE_SYNCHRONOUS (`full`, the default: SQLite flushes the WAL
 * inside COMMIT, on the event loop; `durable`: NORMAL plus a WAL flush on another thread before
 * any answer; `normal`: no flush before answering), are driven in alternating short slices (the
 * settings in ABBA order from round to round, so a steady drift of this shared machine
 * cancels out): on each, the auth no-op, POST /api/video/generate and new signed webhook
 * events at 50 connections. Only one server is under load at a time.
 * Run alone: `pnpm --filter @app/server exec tsx bench/durability.ts` (BENCH_DURABILITY_ROUNDS,
 * BENCH_DURABILITY_SLICE_SECONDS make it shorter).
 */

export const SYNC_SETTINGS = ['full', 'durable', 'normal'] as const;
export type SyncSetting = (typeof SYNC_SETTINGS)[number];

const CONNECTIONS = 50;
const GENERATE_BODY = {
  prompt: 'A durability benchmark',
  durationMinutes: 1,
  resolution: '720p',
} as const;
const GENERATE_COST = calculateCost(GENERATE_BODY).total;
/** A generous ceiling on generate req/s, to buy enough credits before each slice. */
const MAX_GENERATE_RPS = 10_000;

interface Totals {
  requests: number;
  seconds: number;
  errors: number;
  latencies: number[];
}

export interface SettingResult {
  setting: SyncSetting;
  /** PRAGMA synchronous the server reported at start-up (2 FULL, 1 NORMAL). */
  pragma: number;
  /** Whether the server said it flushes the WAL before answering. */
  flushBeforeAck: boolean;
  noop: Totals;
  generate: Totals;
  webhook: Totals;
  /** generate requests / no-op requests, summed over the same rounds (equal slice lengths). */
  generateRatio: number;
}

export interface DurabilityResult {
  rounds: number;
  sliceSeconds: number;
  settings: SettingResult[];
}

interface Target {
  target: string;
  measured: string;
  pass: boolean;
}

const empty = (): Totals => ({ requests: 0, seconds: 0, errors: 0, latencies: [] });

export const p99 = (t: Totals) => percentile(t.latencies, 99);
export const rps = (t: Totals) => (t.seconds > 0 ? t.requests / t.seconds : 0);

/** One slice; every latency is kept, so the p99 is over all slices of a setting. */
async function slice(
  url: string,
  requests: Request[],
  expected: number,
  seconds: number,
  into: Totals,
): Promise<void> {
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests,
    timeout: 10,
  });
  const latencies: number[] = [];
  instance.on('response', (...args: unknown[]) => latencies.push(args[3] as number));
  const r = await instance;
  const answered = Object.values(r.statusCodeStats).reduce((n, s) => n + s.count, 0);
  into.requests += answered;
  into.seconds += r.duration;
  into.errors += r.errors + r.timeouts + answered - (r.statusCodeStats[expected]?.count ?? 0);
  into.latencies.push(...latencies);
}

interface Subject {
  setting: SyncSetting;
  server: RunningServer;
  pragma: number;
  flushBeforeAck: boolean;
  noop: Request[];
  generate: Request[];
  webhook: Request[];
  settle: (credits: number) => Promise<void>;
  result: SettingResult;
}

async function drainRenders(server: RunningServer): Promise<void> {
  const counter = openCounter(server.databasePath);
  try {
    const deadline = Date.now() + 60_000;
    while (counter.pendingVideos() > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
  } finally {
    counter.close();
  }
}

async function prepare(setting: SyncSetting): Promise<Subject> {
  const server = await startServer({ SQLITE_SYNCHRONOUS: setting });
  const pragma = Number(/synchronous=(\d)/.exec(server.startupOutput)?.[1] ?? Number.NaN);
  const flushBeforeAck = /wal_flush_before_ack=on/.test(server.startupOutput);
  const reader = await signup(server, `durability-${setting}`);
  const { paymentIntentIds } = await buyPacks(server, reader, 1);
  const intent = await server.stripe.paymentIntents.retrieve(paymentIntentIds[0]!);
  const events = webhookEvents(server, intent);
  const generators = await generatorPool(server, `durability-gen-${setting}`);
  return {
    setting,
    server,
    pragma,
    flushBeforeAck,
    noop: [
      {
        method: 'GET',
        path: '/api/credits/does-not-exist',
        headers: { Authorization: `Bearer ${reader.token}` },
      },
    ],
    generate: generators.requests(GENERATE_BODY),
    webhook: [freshWebhookRequest(events)],
    // Before every slice (the webhook's too): an empty render queue, so that no slice pays
    // for rendering an earlier one's videos (at FULL each render's own commits are fsynced),
    // and enough credits for a generate slice.
    async settle(credits) {
      await drainRenders(server);
      // Charges autocannon sent just before it stopped may still be landing; buyPacks
      // expects the balance to move only by what it buys.
      await new Promise((r) => setTimeout(r, 300));
      await drainRenders(server);
      await generators.topUpTo(credits);
      await drainRenders(server);
    },
    result: {
      setting,
      pragma,
      flushBeforeAck,
      noop: empty(),
      generate: empty(),
      webhook: empty(),
      generateRatio: Number.NaN,
    },
  };
}

export async function measureDurability(
  options: { rounds?: number; sliceSeconds?: number; log?: (line: string) => void } = {},
): Promise<DurabilityResult> {
  const rounds = options.rounds ?? 8;
  const sliceSeconds = options.sliceSeconds ?? 1.5;
  const log = options.log ?? ((line: string) => console.log(line));
  const credits = Math.ceil(MAX_GENERATE_RPS * sliceSeconds * GENERATE_COST);
  const subjects: Subject[] = [];
  try {
    for (const setting of SYNC_SETTINGS) subjects.push(await prepare(setting));
    // A fresh server's first seconds are JIT warm-up; neither setting should pay for that.
    for (const s of subjects) {
      for (const [requests, expected] of [
        [s.noop, 404],
        [s.generate, 202],
        [s.webhook, 200],
      ] as const) {
        await s.settle(credits);
        await slice(s.server.baseUrl, requests, expected, 1, empty());
      }
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? subjects : [...subjects].reverse();
      const line: string[] = [];
      for (const s of order) {
        const r = s.result;
        const before = [r.noop, r.generate, r.webhook].map((t) => ({ ...t }));
        // Within a setting the no-op and generate swap places every round too.
        const pair: Array<[Request[], number, Totals]> = [
          [s.noop, 404, r.noop],
          [s.generate, 202, r.generate],
        ];
        if (round % 2 === 1) pair.reverse();
        for (const [requests, expected, into] of pair) {
          await s.settle(credits);
          await slice(s.server.baseUrl, requests, expected, sliceSeconds, into);
        }
        await s.settle(0);
        await slice(s.server.baseUrl, s.webhook, 200, sliceSeconds, r.webhook);
        const [noop, generate, webhook] = [r.noop, r.generate, r.webhook].map((t, i) =>
          ((t.requests - before[i]!.requests) / (t.seconds - before[i]!.seconds)).toFixed(0),
        );
        line.push(`${s.setting}: no-op ${noop}/s, generate ${generate}/s, webhook ${webhook}/s`);
      }
      log(`  round ${round + 1}/${rounds}  ${line.join('  |  ')}`);
    }
  } finally {
    for (const s of subjects) {
      await s.server.stop();
      rmSync(s.server.dataDir, { recursive: true, force: true });
    }
  }
  for (const s of subjects)
    s.result.generateRatio = s.result.generate.requests / s.result.noop.requests;
  return { rounds, sliceSeconds, settings: subjects.map((s) => s.result) };
}

export function describeDurability(d: DurabilityResult): string[] {
  const fmt = (t: Totals) =>
    `${rps(t).toFixed(0)}/s p99 ${p99(t).toFixed(0)} ms${t.errors ? ` (${t.errors} errors)` : ''}`;
  return d.settings.map(
    (s) =>
      `  SQLITE_SYNCHRONOUS=${s.setting} (pragma ${s.pragma}, WAL flushed before the answer: ${s.flushBeforeAck ? 'yes' : 'no'}): no-op ${fmt(s.noop)}; generate ${fmt(s.generate)} = ${(s.generateRatio * 100).toFixed(1)}% of the no-op; webhook ${fmt(s.webhook)}`,
  );
}

/**
 * The issue's targets hold at the default, SQLite's FULL; `durable` (the same guarantee with the
 * flush off the event loop) and the non-durable NORMAL are reported beside it.
 */
export function durabilityTargets(d: DurabilityResult): Target[] {
  const by = (setting: SyncSetting) => d.settings.find((s) => s.setting === setting)!;
  const [durable, full, normal] = [by('durable'), by('full'), by('normal')];
  const pct = (s: SettingResult) => `${(s.generateRatio * 100).toFixed(1)}%`;
  const hook = (s: SettingResult) =>
    `${rps(s.webhook).toFixed(0)}/s, p99 ${p99(s.webhook).toFixed(0)} ms`;
  const slices = `${d.rounds} alternating rounds of ${d.sliceSeconds} s slices`;
  return [
    {
      target:
        'the default server flushes the WAL inside COMMIT (full: synchronous = 2); durable = 1 + flush before answering; normal = 1, no flush',
      measured: `default ${full.pragma} + flush ${full.flushBeforeAck ? 'on' : 'off'}, durable ${durable.pragma} + flush ${durable.flushBeforeAck ? 'on' : 'off'}, normal ${normal.pragma} + flush ${normal.flushBeforeAck ? 'on' : 'off'}`,
      pass:
        full.pragma === 2 &&
        !full.flushBeforeAck &&
        durable.pragma === 1 &&
        durable.flushBeforeAck &&
        normal.pragma === 1 &&
        !normal.flushBeforeAck,
    },
    {
      target: 'default (FULL): generate >= 60% of the auth no-op, 0 errors (50 conns)',
      measured: `${pct(full)} (durable ${pct(durable)}, NORMAL ${pct(normal)}) over ${slices}, ${full.generate.errors} errors`,
      pass: full.generateRatio >= 0.6 && full.generate.errors === 0,
    },
    {
      target: 'default (FULL): webhook >= 1,500 new signed events/s, p99 < 100 ms (50 conns)',
      measured: `${hook(full)} (durable ${hook(durable)}; NORMAL ${hook(normal)}) over ${slices}`,
      pass: rps(full.webhook) >= 1500 && p99(full.webhook) < 100 && full.webhook.errors === 0,
    },
  ];
}

/** The report without the raw latencies. */
export function durabilityReport(d: DurabilityResult) {
  const summary = (t: Totals) => ({
    requests: t.requests,
    seconds: t.seconds,
    rps: rps(t),
    p50: percentile(t.latencies, 50),
    p99: p99(t),
    errors: t.errors,
  });
  return {
    rounds: d.rounds,
    sliceSeconds: d.sliceSeconds,
    settings: d.settings.map((s) => ({
      setting: s.setting,
      pragma: s.pragma,
      flushBeforeAck: s.flushBeforeAck,
      generateRatio: s.generateRatio,
      noop: summary(s.noop),
      generate: summary(s.generate),
      webhook: summary(s.webhook),
    })),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const d = await measureDurability({
    rounds: Number(process.env.BENCH_DURABILITY_ROUNDS ?? 8),
    sliceSeconds: Number(process.env.BENCH_DURABILITY_SLICE_SECONDS ?? 1.5),
  });
  for (const line of describeDurability(d)) console.log(line);
  for (const t of durabilityTargets(d))
    console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.measured}`);
  process.exit(0);
}
