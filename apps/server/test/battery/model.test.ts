import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateVideoResponseSchema } from '@app/shared';
import { errorCode, newSeed, until } from './support/client.ts';
import { controlledRenderer, type ControlledRenderer } from './support/controlled-renderer.ts';
import { World, type WorldUser } from './support/world.ts';

/**
 * C5: a model-based test. The model is an integer wallet plus the documented payment policy
 * (refunds claw back their share of the purchase, an open or lost dispute holds the whole
 * purchase, a won dispute restores it) and the job rules (charge first; a failed render is
 * refunded once; a video interrupted by a crash is rendered again, and failed with a refund
 * once it has been claimed 3 times). Every command goes through real HTTP, the real worker
 * and the Stripe emulator; after each one the real balances must equal the model and
 * I1-I8 must hold.
 */

const CONCURRENCY = 2;
const MAX_ATTEMPTS = 3;
const STARTER = { id: 1, credits: 50, cents: 999 };
const BODIES = [
  { prompt: 'five', durationMinutes: 1, resolution: '720p' },
  { prompt: 'seven', durationMinutes: 1, resolution: '720p', customMusic: true },
  { prompt: 'eight', durationMinutes: 1, resolution: '1080p' },
  { prompt: 'ten', durationMinutes: 2, resolution: '720p' },
] as const;
const COSTS = [5, 7, 8, 10];

interface ModelPayment {
  pi: string;
  paymentId: string;
  refunded: number;
  dispute: { id: string; status: 'open' | 'won' | 'lost' } | null;
  clawed: number;
}
interface ModelVideo {
  id: string;
  cost: number;
  status: 'pending' | 'completed' | 'failed';
  rendering: boolean;
  attempts: number;
}
interface Model {
  balance: number;
  purchased: number;
  payments: ModelPayment[];
  videos: ModelVideo[];
  requests: Array<{ key: string; body: object; status: number; text: string }>;
  delivered: string[];
}
interface Real {
  w: World;
  r: ControlledRenderer;
  user: WorldUser;
}
type Cmd = fc.AsyncCommand<Model, Real>;

const pending = (m: Model) => m.videos.filter((v) => v.status === 'pending');
const rendering = (m: Model) => m.videos.filter((v) => v.status === 'pending' && v.rendering);
const pick = <T>(items: T[], i: number): T => items[i % items.length]!;

/** The worker claims the oldest queued videos up to its concurrency; each claim is an attempt. */
function claim(m: Model) {
  let busy = rendering(m).length;
  for (const v of pending(m)) {
    if (busy >= CONCURRENCY) break;
    if (v.rendering) continue;
    v.rendering = true;
    v.attempts += 1;
    busy += 1;
  }
}

/** The payment policy: what is clawed back follows the merged state, never applied twice. */
function settle(m: Model, p: ModelPayment) {
  const held = p.dispute?.status === 'open' || p.dispute?.status === 'lost';
  const target = held
    ? STARTER.credits
    : Math.floor((STARTER.credits * p.refunded) / STARTER.cents);
  m.balance -= target - p.clawed;
  p.clawed = target;
}

let commandsRun = 0;

/** After every command: let deliveries and the worker settle, then compare everything. */
async function verify(m: Model, { w, r, user }: Real) {
  commandsRun += 1;
  claim(m);
  await w.emulator.control.waitForIdle();
  const expected = rendering(m)
    .map((v) => v.id)
    .sort();
  await until(
    `renderer to hold ${expected.join(',')} (has ${r.rendering().join(',')})`,
    () => JSON.stringify(r.rendering().sort()) === JSON.stringify(expected),
    5000,
    1,
  );
  const balance = await w.store.getBalance({ userId: user.id });
  expect(balance).toEqual({ creditBalance: m.balance, totalCreditsPurchased: m.purchased });
  for (const v of m.videos) {
    const real = (await w.store.findVideo({ id: v.id }))!;
    const status = v.status === 'pending' ? (v.rendering ? 'processing' : 'queued') : v.status;
    expect(real.status, `video ${v.id}`).toBe(status);
  }
  await w.assertInvariants();
}

function recordDeliveries(m: Model, w: World) {
  for (const e of w.emulator.control.deliveryLog) {
    if (e.ok && !m.delivered.includes(e.eventId)) m.delivered.push(e.eventId);
  }
}

class Purchase implements Cmd {
  check = () => true;
  async run(m: Model, real: Real) {
    const { w, user } = real;
    const res = await w.call('POST', '/api/payments/create-intent', {
      token: user.token,
      body: { packageId: STARTER.id },
    });
    expect(res.status, res.text).toBe(201);
    const body = res.body as { paymentIntentId: string; paymentId: string };
    await w.stripe.paymentIntents.confirm(body.paymentIntentId, { payment_method: 'pm_card_visa' });
    await w.emulator.control.waitForIdle();
    recordDeliveries(m, w);
    const p = {
      pi: body.paymentIntentId,
      paymentId: body.paymentId,
      refunded: 0,
      dispute: null,
      clawed: 0,
    };
    m.payments.push(p);
    m.balance += STARTER.credits;
    m.purchased += STARTER.credits;
    await verify(m, real);
  }
  toString = () => 'purchase';
}

class DuplicateDelivery implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.delivered.length > 0;
  async run(m: Model, real: Real) {
    const id = pick(m.delivered, this.i);
    const log = await real.w.emulator.control.deliver(id);
    expect(log.map((l) => l.status)).toEqual([200]);
    await verify(m, real);
  }
  toString = () => `duplicate delivery #${this.i}`;
}

class Generate implements Cmd {
  constructor(readonly kind: number) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const body = BODIES[this.kind]!;
    const cost = COSTS[this.kind]!;
    const key = `c5-${randomUUID()}`;
    const res = await real.w.call('POST', '/api/video/generate', {
      token: real.user.token,
      body,
      headers: { 'Idempotency-Key': key },
    });
    m.requests.push({ key, body, status: res.status, text: res.text });
    if (m.balance < 0) {
      expect(res.status, res.text).toBe(402);
      expect(errorCode(res)).toBe('ACCOUNT_OWES_CREDITS');
    } else if (m.balance < cost) {
      expect(res.status, res.text).toBe(402);
      expect(errorCode(res)).toBe('INSUFFICIENT_CREDITS');
    } else {
      expect(res.status, res.text).toBe(202);
      const out = GenerateVideoResponseSchema.parse(res.body);
      expect(out.creditsUsed).toBe(cost);
      expect(out.newBalance).toBe(m.balance - cost);
      m.balance -= cost;
      m.videos.push({ id: out.video.id, cost, status: 'pending', rendering: false, attempts: 0 });
    }
    await verify(m, real);
  }
  toString = () => `generate ${COSTS[this.kind]}`;
}

class RenderOutcome implements Cmd {
  constructor(
    readonly i: number,
    readonly ok: boolean,
  ) {}
  check = (m: Readonly<Model>) => rendering(m as Model).length > 0;
  async run(m: Model, real: Real) {
    const v = pick(rendering(m), this.i);
    if (this.ok) await real.r.succeed(v.id);
    else real.r.fail(v.id);
    const status = this.ok ? 'completed' : 'failed';
    await until(
      `video ${status}`,
      async () => (await real.w.store.findVideo({ id: v.id }))?.status === status,
    );
    v.status = status;
    v.rendering = false;
    if (!this.ok) m.balance += v.cost;
    await verify(m, real);
  }
  toString = () => `render ${this.ok ? 'succeeds' : 'fails'} #${this.i}`;
}

class Restart implements Cmd {
  check = () => true;
  async run(m: Model, real: Real) {
    await real.w.restart({ crash: true, keepConnection: true });
    for (const v of rendering(m)) {
      v.rendering = false;
      if (v.attempts >= MAX_ATTEMPTS) {
        v.status = 'failed';
        m.balance += v.cost;
      }
    }
    await verify(m, real);
  }
  toString = () => 'crash and restart';
}

const refundable = (m: Model) =>
  m.payments.filter((p) => p.dispute === null && p.refunded < STARTER.cents);

class Refund implements Cmd {
  constructor(
    readonly i: number,
    /** Percent of what is left; 100 is a full refund. */
    readonly percent: number,
  ) {}
  check = (m: Readonly<Model>) => refundable(m as Model).length > 0;
  async run(m: Model, real: Real) {
    const p = pick(refundable(m), this.i);
    const left = STARTER.cents - p.refunded;
    const amount =
      this.percent >= 100 ? left : Math.max(1, Math.floor((left * this.percent) / 100));
    await real.w.stripe.refunds.create({ payment_intent: p.pi, amount });
    await real.w.emulator.control.waitForIdle();
    recordDeliveries(m, real.w);
    p.refunded += amount;
    settle(m, p);
    await verify(m, real);
  }
  toString = () =>
    this.percent >= 100 ? `full refund #${this.i}` : `refund ${this.percent}% #${this.i}`;
}

class DisputeOpen implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.payments.some((p) => p.dispute === null);
  async run(m: Model, real: Real) {
    const p = pick(
      m.payments.filter((x) => x.dispute === null),
      this.i,
    );
    const dispute = real.w.emulator.control.createDispute({ paymentIntentId: p.pi });
    await real.w.emulator.control.waitForIdle();
    recordDeliveries(m, real.w);
    p.dispute = { id: dispute.id, status: 'open' };
    settle(m, p);
    await verify(m, real);
  }
  toString = () => `dispute opened #${this.i}`;
}

class DisputeClose implements Cmd {
  constructor(
    readonly i: number,
    readonly won: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.payments.some((p) => p.dispute?.status === 'open');
  async run(m: Model, real: Real) {
    const p = pick(
      m.payments.filter((x) => x.dispute?.status === 'open'),
      this.i,
    );
    real.w.emulator.control.closeDispute(p.dispute!.id, this.won ? 'won' : 'lost');
    await real.w.emulator.control.waitForIdle();
    recordDeliveries(m, real.w);
    p.dispute!.status = this.won ? 'won' : 'lost';
    settle(m, p);
    await verify(m, real);
  }
  toString = () => `dispute ${this.won ? 'won' : 'lost'} #${this.i}`;
}

class Replay implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, real: Real) {
    const first = pick(m.requests, this.i);
    const res = await real.w.call('POST', '/api/video/generate', {
      token: real.user.token,
      body: first.body,
      headers: { 'Idempotency-Key': first.key },
    });
    expect(res.status).toBe(first.status);
    expect(res.text).toBe(first.text);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    await verify(m, real);
  }
  toString = () => `idempotent replay #${this.i}`;
}

/** Between runs on one database: the last run's unfinished videos must not hold the slots. */
async function cancelLeftovers(w: World, r: ControlledRenderer) {
  for (const status of ['queued', 'processing'] as const) {
    for (const v of await w.store.listVideosInStatus({ statuses: [status] })) {
      await w.store.finishVideo({
        id: v.id,
        finish: { status: 'canceled', error: 'test cleanup' },
        now: new Date().toISOString(),
      });
      w.worker.abort(v.id);
    }
  }
  await until('renderer idle', () => r.rendering().length === 0 && w.worker.activeCount === 0);
}

const commands = [
  fc.constant(new Purchase()),
  fc.nat().map((i) => new DuplicateDelivery(i)),
  fc.nat({ max: BODIES.length - 1 }).map((k) => new Generate(k)),
  fc.nat({ max: BODIES.length - 1 }).map((k) => new Generate(k)),
  fc.nat().map((i) => new RenderOutcome(i, true)),
  fc.nat().map((i) => new RenderOutcome(i, false)),
  fc.constant(new Restart()),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 99 })).map(([i, pct]) => new Refund(i, pct)),
  fc.nat().map((i) => new Refund(i, 100)),
  fc.nat().map((i) => new DisputeOpen(i)),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, won]) => new DisputeClose(i, won)),
  fc.nat().map((i) => new Replay(i)),
];

describe('C5: model-based wallet (fc.commands)', () => {
  const r = controlledRenderer();
  let w: World;
  beforeAll(async () => {
    w = await World.create({
      env: { VIDEO_CONCURRENCY: String(CONCURRENCY) },
      renderer: r.renderer,
      verifyOutput: false,
    });
  });
  afterAll(async () => w?.close());

  it('real balances equal the integer-wallet model after every command (1,000 runs of up to 50)', async () => {
    const seed = newSeed();
    console.log(`C5 model-based seed: ${seed}`);
    const started = Date.now();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
        runs += 1;
        // A fresh user per run; a fresh database file every 20 runs keeps each full I1-I8
        // check small. The emulator is reset.
        if (runs % 20 === 1) await w.restart({ fresh: true });
        else await cancelLeftovers(w, r);
        w.emulator.control.reset();
        const user = await w.signup();
        const model: Model = {
          balance: 10,
          purchased: 0,
          payments: [],
          videos: [],
          requests: [],
          delivered: [],
        };
        await fc.asyncModelRun(() => ({ model, real: { w, r, user } }), cmds);
      }),
      { numRuns: 1000, seed },
    );
    console.log(
      `C5: ${runs} runs, ${commandsRun} commands in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 600_000);
});
