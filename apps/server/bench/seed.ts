import { calculateCost, RESOLUTIONS, SIGNUP_BONUS_CREDITS } from '@app/shared';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { invocationPath } from '../src/config.ts';
import { newId } from '../src/ids.ts';
import { hashPassword } from '../src/services/auth/passwords.ts';
import { applyEntry, LedgerRejected } from '../src/store/sqlite/ledger.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { PackageRecord, PaymentDecision } from '../src/store/types.ts';
import { prng } from './stats.ts';

/**
 * `pnpm bench:seed [file] [--scale 0.01] [--force] [--verify]`: a database that looks like a
 * year of a successful product (at scale 1: 100,000 users, 10,000,000 ledger entries with ten
 * users at 100,000 each, 1,000,000 videos, 300,000 payments, 1,000,000 webhook events and
 * 1,000,000 idempotency records), built through the real store so every invariant holds:
 * the real migrations, triggers and CHECKs, and the store's own write paths: `createUser`,
 * `createPayment` / `updatePayment` (with the Stripe event), `chargeAndCreateVideo` /
 * `finishVideo`, `recordStripeEvent`, `beginIdempotentRequest` / `completeIdempotentRequest`.
 * Thousands of calls are issued per event-loop turn, so group commit runs each batch as one
 * transaction. The ledger entries that no business event explains (support adjustments,
 * about 85 % of the total at scale 1) are written with `applyEntry`, the store's ledger write
 * path (cached balance first, then the entry, checked by the triggers), in one transaction
 * per simulated day.
 *
 * Writes `<file>.json` next to the database (counts, build time, the users to sign in as).
 * The database goes under the OS temp directory by default: it is a few GB at scale 1.
 */

const DAY_MS = 24 * 3600 * 1000;
const DAYS = 365;
const EVENT_RETENTION_DAYS = 30;
const SEED_PASSWORD = 'seeded users all share this password';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scale: { type: 'string', default: '1' },
    force: { type: 'boolean', default: false },
    verify: { type: 'boolean' },
    'bcrypt-cost': { type: 'string', default: '12' },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new Error('--scale must be in (0, 1]');
const defaultSeedFile = (scaleText: string) =>
  path.join(tmpdir(), 'credit-bench', `big-${scaleText}.db`);
const file = positionals[0] ? invocationPath(positionals[0]) : defaultSeedFile(values.scale);

const TOTAL = {
  users: Math.round(100_000 * scale),
  entries: Math.round(10_000_000 * scale),
  videos: Math.round(1_000_000 * scale),
  payments: Math.round(300_000 * scale),
  webhookEvents: Math.round(1_000_000 * scale),
  idempotency: Math.round(1_000_000 * scale),
};
const HEAVY_USERS = Math.max(1, Math.round(10 * scale));
/** At least 2,000 pages of 20 at scale 1; small runs keep a deep page to measure. */
const HEAVY_ENTRIES = Math.max(5_000, Math.round(100_000 * scale));
const random = prng(20261124);
/** floor(x), plus one with probability frac(x): totals come out right on average. */
const share = (x: number) => Math.floor(x) + (random() < x - Math.floor(x) ? 1 : 0);
/** How many of a user's `n` items fall on day `d`, spread evenly over the year. */
const onDay = (n: number, d: number) =>
  Math.floor((n * (d + 1)) / DAYS) - Math.floor((n * d) / DAYS);
/** The same, but each item at the start of its stretch: a user's first purchase on day 1. */
const onDayEarly = (n: number, d: number) =>
  Math.ceil((n * (d + 1)) / DAYS) - Math.ceil((n * d) / DAYS);

interface Plan {
  id: string;
  email: string;
  payments: number;
  videos: number;
  adjustments: number;
  /** Running indexes of what was done so far. */
  paid: number;
  charged: number;
  adjusted: number;
}

const credit =
  (ok: boolean): PaymentDecision =>
  (payment) =>
    ok
      ? {
          patch: { status: 'succeeded', credited: true, amountReceivedCents: payment.amountCents },
          entries: [
            {
              type: 'purchase',
              amount: payment.credits,
              referenceType: 'payment',
              referenceId: payment.id,
              description: `Purchase: ${payment.packageName} package`,
            },
          ],
          outcomes: ['credited'],
        }
      : {
          patch: { status: 'failed', failureMessage: 'Your card was declined.' },
          entries: [],
          outcomes: ['updated'],
        };

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

async function main() {
  if (existsSync(file)) {
    if (!values.force) throw new Error(`${file} exists (use --force to rebuild it)`);
    for (const suffix of ['', '-wal', '-shm', '.json']) rmSync(file + suffix, { force: true });
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const started = performance.now();
  const seedNow = Date.now();
  const t0 = seedNow - DAYS * DAY_MS;
  const at = (ms: number) => new Date(ms).toISOString();
  console.log(`seeding ${file} at scale ${scale}: ${JSON.stringify(TOTAL)}`);

  const store = openSqliteStore(file);
  // A bench artifact rebuilt from scratch on failure: no fsync while building it.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -524288');
  const packages = (await store.listActivePackages()) as PackageRecord[];
  const passwordHash = await hashPassword(SEED_PASSWORD, Number(values['bcrypt-cost']));

  // ---------- users and their year ----------
  const normalUsers = TOTAL.users - HEAVY_USERS;
  const normalEntries = (TOTAL.entries - HEAVY_USERS * HEAVY_ENTRIES) / Math.max(1, normalUsers);
  const plans: Plan[] = [];
  for (let u = 0; u < TOTAL.users; u++) {
    const entries = u < HEAVY_USERS ? HEAVY_ENTRIES : share(normalEntries);
    const payments = Math.max(1, share((TOTAL.payments * entries) / TOTAL.entries));
    const videos = share((TOTAL.videos * entries) / TOTAL.entries);
    // bonus + purchases (most payments) + charges + refunds (a few videos) ≈ the business events
    const adjustments = Math.max(0, entries - 1 - Math.round(payments * 0.9) - videos * 1.03);
    plans.push({
      id: newId(),
      email: `seed-${u}@example.com`,
      payments,
      videos,
      adjustments: Math.round(adjustments),
      paid: 0,
      charged: 0,
      adjusted: 0,
    });
  }
  await inBatches(plans, 5_000, (p) =>
    store.createUser({
      id: p.id,
      email: p.email,
      name: 'Seeded user',
      passwordHash,
      signupBonus: SIGNUP_BONUS_CREDITS,
      now: at(t0),
    }),
  );
  console.log(`  ${plans.length} users (${elapsed(started)})`);

  let paymentsMade = 0;
  let videosMade = 0;
  let refused = 0;
  let adjustmentSeq = 0;
  let eventsMade = 0;
  // Webhook events are kept WEBHOOK_EVENT_RETENTION_DAYS (30 by default): the seeded ones all
  // fall inside that window, so the first start does not prune the seed. Older payments were
  // settled without a stored event, as after pruning.
  const eventDays = Math.min(EVENT_RETENTION_DAYS, DAYS);
  const paymentEvents = (TOTAL.payments * eventDays) / DAYS;
  const extraEventsPerDay = Math.max(0, TOTAL.webhookEvents - paymentEvents) / eventDays;
  for (let d = 0; d < DAYS; d++) {
    const dayStart = t0 + d * DAY_MS;
    let tick = 0;
    const now = () => at(dayStart + Math.min(DAY_MS - 1, (tick++ * DAY_MS) / 100_000));

    // Purchases first, so the day's charges have credits to spend.
    const buying = plans.flatMap((p) => Array.from({ length: onDayEarly(p.payments, d) }, () => p));
    await inBatches(buying, 10_000, async (p) => {
      const pkg = packages[Math.floor(random() * packages.length)]!;
      const ok = random() < 0.9;
      const id = newId();
      const intent = `pi_seed_${id.replaceAll('-', '')}`;
      const when = now();
      await store.createPayment({ id, userId: p.id, pkg, now: when });
      await store.attachPaymentIntent({ paymentId: id, paymentIntentId: intent, now: when });
      await store.updatePayment({
        paymentIntentId: intent,
        event:
          d < DAYS - eventDays
            ? undefined
            : {
                id: `evt_seed_${randomUUID().replaceAll('-', '')}`,
                type: ok ? 'payment_intent.succeeded' : 'payment_intent.payment_failed',
              },
        decide: credit(ok),
        now: when,
      });
      p.paid++;
    });
    paymentsMade += buying.length;
    if (d >= DAYS - eventDays) eventsMade += buying.length;

    // Support adjustments: small credits and debits that net positive, one transaction a day.
    store.db.transaction(() => {
      for (const p of plans) {
        const n = onDay(p.adjustments, d);
        for (let i = 0; i < n; i++) {
          const debit = p.adjusted++ % 2 === 1;
          const adjust = (amount: number) =>
            applyEntry(
              store.db,
              p.id,
              {
                type: 'adjustment',
                amount,
                referenceType: 'support',
                referenceId: `adj-${String(adjustmentSeq++).padStart(10, '0')}`,
                description: amount > 0 ? 'Support credit: goodwill' : 'Support correction',
              },
              now(),
            );
          try {
            adjust(debit ? -2 : 3);
          } catch (err) {
            // The ledger refused a debit the balance cannot cover (nothing was written).
            if (!(err instanceof LedgerRejected)) throw err;
            adjust(3);
          }
        }
      }
    })();

    // Videos: charged and resolved through the store; about 3 % fail and are refunded.
    const charging = plans.flatMap((p) => Array.from({ length: onDay(p.videos, d) }, () => p));
    await inBatches(charging, 10_000, async (p) => {
      const resolution = RESOLUTIONS[Math.floor(random() * RESOLUTIONS.length)]!;
      const durationMinutes = 1 + Math.floor(random() * 5);
      const options = {
        customMusic: random() < 0.2,
        premiumTTS: random() < 0.1,
        aiEnhancement: random() < 0.1,
      };
      const id = newId();
      const when = now();
      const result = await store.chargeAndCreateVideo({
        maxQueued: 1_000_000,
        video: {
          id,
          userId: p.id,
          idempotencyKey: null,
          prompt: `Seeded video ${p.charged} of ${p.email}: a walk along the harbour at dawn`,
          durationMinutes,
          resolution,
          ...options,
          creditsUsed: calculateCost({ durationMinutes, resolution, ...options }).total,
          createdAt: when,
        },
      });
      p.charged++;
      if (result.kind !== 'created') {
        refused++;
        return;
      }
      videosMade++;
      await store.finishVideo({
        id,
        finish:
          random() < 0.03
            ? { status: 'failed', error: 'Rendering failed' }
            : { status: 'completed', filePath: `/videos/${id}.mp4` },
        now: when,
      });
    });

    // Stripe sends more than the events that move money; those are recorded and ignored.
    const extra = d < DAYS - eventDays ? 0 : share(extraEventsPerDay);
    await inBatches(Array.from({ length: extra }), 10_000, () =>
      store.recordStripeEvent({
        id: `evt_seed_${randomUUID().replaceAll('-', '')}`,
        type: 'charge.succeeded',
        outcome: 'ignored',
        now: now(),
      }),
    );
    eventsMade += extra;
    if (d % 30 === 29 || d === DAYS - 1) {
      console.log(
        `  day ${d + 1}: ${paymentsMade} payments, ${videosMade} videos, ${adjustmentSeq} adjustments, ${eventsMade} events (${elapsed(started)})`,
      );
    }
  }

  // Idempotency records live 24 hours: a steady state holds about a day of keys.
  await seedIdempotency(store, plans, seedNow);
  console.log(`  ${TOTAL.idempotency} idempotency records (${elapsed(started)})`);

  const counts = Object.fromEntries(
    [
      'users',
      'transactions',
      'video_generations',
      'payments',
      'stripe_events',
      'idempotency_keys',
    ].map((t) => [t, store.db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]),
  );
  const buildSeconds = (performance.now() - started) / 1000;
  let violations: number | undefined;
  const verify = values.verify ?? scale <= 0.1;
  if (verify) violations = (await store.verifyInvariants()).length;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();

  const heavy = plans.slice(0, HEAVY_USERS).map((p) => p.email);
  const meta = {
    file,
    scale,
    seededAt: at(seedNow),
    buildSeconds,
    counts,
    refusedCharges: refused,
    password: SEED_PASSWORD,
    heavyUsers: heavy,
    heavyEntries: HEAVY_ENTRIES,
    /** Typical users, spread over the table. */
    normalUsers: [0.25, 0.5, 0.75].map(
      (f) => plans[HEAVY_USERS + Math.floor(f * normalUsers)]!.email,
    ),
    invariantViolations: violations,
  };
  writeFileSync(`${file}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `built in ${buildSeconds.toFixed(0)} s: ${JSON.stringify(counts)}${refused ? `, ${refused} charges refused (no credits)` : ''}${violations === undefined ? '' : `, invariant violations: ${violations}`}`,
  );
  console.log(`metadata: ${file}.json`);
}

async function seedIdempotency(store: SqliteStore, plans: Plan[], seedNow: number) {
  const body = (i: number) =>
    JSON.stringify({
      paymentId: newId(),
      paymentIntentId: `pi_seed_${i}`,
      clientSecret: `pi_seed_${i}_secret_${randomBytes(12).toString('hex')}`,
      credits: 550,
      amountCents: 4999,
    });
  const items = Array.from({ length: TOTAL.idempotency }, (_, i) => i);
  await inBatches(items, 10_000, async (i) => {
    const p = plans[i % plans.length]!;
    const key = randomUUID();
    const when = new Date(seedNow - DAY_MS + (i * DAY_MS) / (TOTAL.idempotency + 1)).toISOString();
    const scope = i % 3 === 0 ? 'payments.confirm' : 'payments.create-intent';
    const requestHash = randomBytes(32).toString('hex');
    await store.beginIdempotentRequest({
      userId: p.id,
      scope,
      key,
      requestHash,
      now: when,
      staleBefore: when,
    });
    await store.completeIdempotentRequest({
      userId: p.id,
      scope,
      key,
      status: 200,
      body: body(i),
      now: when,
    });
  });
}

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
