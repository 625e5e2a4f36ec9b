import { calculateCost } from '@app/shared';
import autocannon, { type Request } from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import {
  buyPacks,
  ENTERPRISE_CREDITS,
  freshWebhookRequest,
  signup,
  startServer,
  verifyLedger,
  webhookEvents,
  type RunningServer,
} from './lib.ts';

/**
 * P3, opt-in (`pnpm --filter @app/server soak`; never part of the test suite): mixed traffic
 * at a fixed rate against the real server for SOAK_SECONDS (default 600), sampling the
 * server's RSS, open file descriptors and WAL size. Pass: RSS growth under 50 MB after
 * warm-up, descriptors flat, WAL bounded, I1-I8 after the run. Exit code 1 on a FAIL.
 */

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 200);
const GENERATE_BODY = { prompt: 'Soak', durationMinutes: 1, resolution: '720p' } as const;
const SAMPLE_MS = Math.min(10_000, Math.max(1000, (SECONDS * 1000) / 60));
const RSS_GROWTH_LIMIT_MB = 50;
const FD_GROWTH_LIMIT = 10;
const WAL_LIMIT_MB = 80;

interface Sample {
  t: number;
  rssMb: number;
  fds: number;
  walMb: number;
}

function sample(server: RunningServer, startedAt: number): Sample {
  const pid = server.child.pid!;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  let walBytes = 0;
  try {
    walBytes = statSync(`${server.databasePath}-wal`).size;
  } catch {
    walBytes = 0;
  }
  return {
    t: Math.round((Date.now() - startedAt) / 1000),
    rssMb: rssKb / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    walMb: walBytes / (1024 * 1024),
  };
}

async function main() {
  console.log(`soak: ${SECONDS} s at ${RATE} req/s of mixed traffic`);
  const server = await startServer();
  const samples: Sample[] = [];
  let violations: { invariant: string; message: string }[] = [];
  let statusCounts: Record<string, number> = {};
  let errors = 0;
  try {
    const user = await signup(server, 'soak');
    // One request in six is a generation.
    const needed = ((RATE * SECONDS) / 6) * calculateCost(GENERATE_BODY).total * 1.2;
    const { paymentIntentIds } = await buyPacks(
      server,
      user,
      Math.ceil(needed / ENTERPRISE_CREDITS),
    );
    const intent = await server.stripe.paymentIntents.retrieve(paymentIntentIds[0]!);
    const events = webhookEvents(server, intent);
    const auth = { Authorization: `Bearer ${user.token}` };
    const json = { ...auth, 'Content-Type': 'application/json' };
    const requests: Request[] = [
      { method: 'GET', path: '/api/credits/balance', headers: auth },
      {
        method: 'POST',
        path: '/api/video/generate',
        headers: json,
        body: JSON.stringify(GENERATE_BODY),
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, 'Idempotency-Key': randomUUID() },
        }),
      },
      { method: 'GET', path: '/api/credits/transactions?pageSize=20', headers: auth },
      freshWebhookRequest(events),
      {
        method: 'POST',
        path: '/api/credits/calculate-cost',
        headers: json,
        body: JSON.stringify({ durationMinutes: 3, resolution: '1080p' }),
      },
      { method: 'GET', path: '/api/credits/video-history?pageSize=10', headers: auth },
    ];
    const startedAt = Date.now();
    samples.push(sample(server, startedAt));
    const timer = setInterval(() => {
      const s = sample(server, startedAt);
      samples.push(s);
      console.log(
        `  t=${String(s.t).padStart(4)} s  rss ${s.rssMb.toFixed(1)} MB  fds ${s.fds}  wal ${s.walMb.toFixed(1)} MB`,
      );
    }, SAMPLE_MS);
    const result = await autocannon({
      url: server.baseUrl,
      connections: 10,
      overallRate: RATE,
      duration: SECONDS,
      requests,
      timeout: 10,
    });
    clearInterval(timer);
    samples.push(sample(server, startedAt));
    statusCounts = Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
    );
    errors =
      result.errors +
      result.timeouts +
      Object.entries(statusCounts)
        .filter(([code]) => !['200', '202'].includes(code))
        .reduce((n, [, c]) => n + c, 0);
    console.log(
      `  ${result.requests.total} requests, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(statusCounts)}`,
    );
  } finally {
    await server.stop();
  }
  violations = await verifyLedger(server.databasePath);
  rmSync(server.dataDir, { recursive: true, force: true });

  // The first fifth is warm-up (JIT, caches, SQLite page cache): growth is measured after it.
  const warm = samples.filter((s) => s.t >= SECONDS / 5);
  const base = warm[0] ?? samples[0]!;
  const last = samples.at(-1)!;
  const rssGrowth = last.rssMb - base.rssMb;
  const fdGrowth = Math.max(...warm.map((s) => s.fds)) - base.fds;
  const walMax = Math.max(...samples.map((s) => s.walMb));
  const targets = [
    {
      target: `RSS growth < ${RSS_GROWTH_LIMIT_MB} MB after warm-up`,
      measured: `${rssGrowth.toFixed(1)} MB (${base.rssMb.toFixed(0)} -> ${last.rssMb.toFixed(0)} MB)`,
      pass: rssGrowth < RSS_GROWTH_LIMIT_MB,
    },
    {
      target: `open file descriptors flat (growth <= ${FD_GROWTH_LIMIT})`,
      measured: `${base.fds} -> max ${base.fds + fdGrowth}`,
      pass: fdGrowth <= FD_GROWTH_LIMIT,
    },
    {
      target: `WAL bounded (<= ${WAL_LIMIT_MB} MB)`,
      measured: `max ${walMax.toFixed(1)} MB`,
      pass: walMax <= WAL_LIMIT_MB,
    },
    { target: 'no errors', measured: String(errors), pass: errors === 0 },
    {
      target: 'I1-I8 hold after the run',
      measured: violations.length === 0 ? 'ok' : `${violations.length} violation(s)`,
      pass: violations.length === 0,
    },
  ];
  console.log('\ntargets');
  for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.measured}`);
  for (const v of violations) console.log(`    [${v.invariant}] ${v.message}`);
  const failed = targets.filter((t) => !t.pass).length;
  console.log(failed === 0 ? '\nsoak PASS' : `\nsoak FAIL (${failed} target(s))`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
