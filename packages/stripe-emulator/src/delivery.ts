import http from 'node:http';
import https from 'node:https';
import { signatureHeader } from './signature.ts';
import type { Store } from './state.ts';
import type { StripeEvent } from './types.ts';

export const DELIVERY_LOG_LIMIT = 10_000;
const DELIVERY_LOG_SLACK = 1_000;

export interface DeliveryLogEntry {
  eventId: string;
  type: string;
  /** 1-based attempt number within one delivery (automatic retries) or one manual `deliver`. */
  attempt: number;
  /** HTTP status from the webhook endpoint; null when nothing answered or the event was dropped. */
  status: number | null;
  ok: boolean;
  error?: string;
  dropped?: boolean;
  manual?: boolean;
  at: number;
}

interface DeliveryDeps {
  store: Store;
  now(): number;
  secret: string;
  retries: number;
  getUrl(): string | null;
}

const ATTEMPT_TIMEOUT_MS = 10_000;
const BASE_BACKOFF_MS = 200;

type PostResult = { status: number } | { error: string };

/** Small deterministic PRNG so `dropRate(p, seed)` drops the same events on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Webhook delivery, always outside the API request that created the event. Automatic delivery
 * is one event at a time in creation order, so consumers see Stripe's usual order unless a test
 * deliberately reorders with pause + deliver.
 */
export class Delivery {
  readonly log: DeliveryLogEntry[] = [];
  private queue: string[] = [];
  private paused = false;
  private pumping = false;
  private manualInFlight = 0;
  private dropCount = 0;
  private dropProbability = 0;
  private random: () => number = Math.random;
  private waiters: Array<() => void> = [];
  // Bumped by reset/close so that loops and sleeps from before it stop touching state.
  private generation = 0;
  private closed = false;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly requests = new Set<http.ClientRequest>();

  constructor(private readonly deps: DeliveryDeps) {}

  /**
   * The log keeps the most recent DELIVERY_LOG_LIMIT attempts: every confirmation a browser
   * sends through the same-origin proxy adds events, and a local server must not grow forever.
   */
  private record(entry: DeliveryLogEntry): void {
    this.log.push(entry);
    // Trimmed in chunks so a long run does not pay an O(n) shift per delivery.
    if (this.log.length > DELIVERY_LOG_LIMIT + DELIVERY_LOG_SLACK) {
      this.log.splice(0, this.log.length - DELIVERY_LOG_LIMIT);
    }
  }

  enqueue(event: StripeEvent): void {
    if (this.closed) return;
    if (this.shouldDrop()) {
      this.record({
        eventId: event.id,
        type: event.type,
        attempt: 0,
        status: null,
        ok: false,
        dropped: true,
        at: this.deps.now(),
      });
      return;
    }
    this.queue.push(event.id);
    this.kick();
  }

  pause(): void {
    this.paused = true;
    this.settle();
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  dropNext(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new Error('dropNext expects a count >= 0');
    this.dropCount += count;
  }

  dropRate(rate: number, random?: number | (() => number)): void {
    if (!(rate >= 0 && rate <= 1)) throw new Error('dropRate expects a rate between 0 and 1');
    this.dropProbability = rate;
    this.random =
      typeof random === 'function'
        ? random
        : typeof random === 'number'
          ? mulberry32(random)
          : Math.random;
  }

  pending(): StripeEvent[] {
    return this.queue.flatMap((id) => {
      const event = this.deps.store.events.get(id);
      return event ? [structuredClone(event)] : [];
    });
  }

  redeliver(eventId: string): void {
    if (!this.deps.store.events.has(eventId)) throw new Error(`No such event: '${eventId}'`);
    this.queue.push(eventId);
    this.kick();
  }

  /** Sends one event right now, `times` times, one attempt each, ignoring pause and order. */
  async deliverNow(eventId: string, times = 1): Promise<DeliveryLogEntry[]> {
    const event = this.deps.store.events.get(eventId);
    if (!event) throw new Error(`No such event: '${eventId}'`);
    const url = this.deps.getUrl();
    if (url === null) throw new Error('No webhook URL is configured');
    this.queue = this.queue.filter((id) => id !== eventId);
    const generation = this.generation;
    const entries: DeliveryLogEntry[] = [];
    this.manualInFlight++;
    try {
      for (let i = 1; i <= times && generation === this.generation; i++) {
        entries.push(await this.send(event, url, i, true, generation));
      }
    } finally {
      this.manualInFlight--;
      this.settle();
    }
    return entries;
  }

  /** Called when the webhook URL changes. */
  urlChanged(): void {
    this.kick();
    this.settle();
  }

  /** Resolves once nothing is in flight and nothing deliverable is queued (paused = idle). */
  waitForIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  reset(): void {
    this.abortAll();
    this.queue = [];
    this.paused = false;
    this.log.length = 0;
    this.dropCount = 0;
    this.dropProbability = 0;
    this.random = Math.random;
    this.settle();
  }

  close(): void {
    this.closed = true;
    this.abortAll();
    this.queue = [];
    this.settle();
  }

  private abortAll(): void {
    this.generation++;
    this.pumping = false;
    for (const req of this.requests) req.destroy(new Error('emulator reset'));
    this.requests.clear();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake();
    }
    this.sleepers.clear();
  }

  private shouldDrop(): boolean {
    if (this.dropCount > 0) {
      this.dropCount--;
      return true;
    }
    return this.dropProbability > 0 && this.random() < this.dropProbability;
  }

  private canPump(): boolean {
    return !this.closed && !this.paused && this.deps.getUrl() !== null && this.queue.length > 0;
  }

  private isIdle(): boolean {
    return this.closed || (!this.pumping && this.manualInFlight === 0 && !this.canPump());
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private kick(): void {
    if (this.pumping || !this.canPump()) {
      this.settle();
      return;
    }
    this.pumping = true;
    const generation = this.generation;
    // setImmediate: never deliver inside the API request that created the event.
    setImmediate(() => void this.pump(generation));
  }

  private async pump(generation: number): Promise<void> {
    try {
      while (generation === this.generation && this.canPump()) {
        const id = this.queue.shift();
        if (id !== undefined) await this.deliverWithRetries(id, generation);
      }
    } finally {
      if (generation === this.generation) this.pumping = false;
      this.settle();
    }
  }

  private async deliverWithRetries(eventId: string, generation: number): Promise<void> {
    const event = this.deps.store.events.get(eventId);
    if (!event) return;
    for (let attempt = 1; ; attempt++) {
      const url = this.deps.getUrl();
      if (url === null) {
        this.queue.unshift(eventId);
        return;
      }
      const entry = await this.send(event, url, attempt, false, generation);
      if (entry.ok || generation !== this.generation || attempt > this.deps.retries) return;
      await this.sleep(BASE_BACKOFF_MS * 2 ** (attempt - 1));
      if (generation !== this.generation) return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  private async send(
    event: StripeEvent,
    url: string,
    attempt: number,
    manual: boolean,
    generation: number,
  ): Promise<DeliveryLogEntry> {
    const payload = JSON.stringify(event, null, 2);
    // Each attempt is signed with the time it is sent, as Stripe does.
    const timestamp = Math.floor(this.deps.now() / 1000);
    const result = await this.post(
      url,
      payload,
      signatureHeader(payload, this.deps.secret, timestamp),
    );
    const status = 'status' in result ? result.status : null;
    const entry: DeliveryLogEntry = {
      eventId: event.id,
      type: event.type,
      attempt,
      status,
      ok: status !== null && status >= 200 && status < 300,
      ...('error' in result ? { error: result.error } : {}),
      ...(manual ? { manual: true } : {}),
      at: this.deps.now(),
    };
    if (generation === this.generation) {
      this.record(entry);
      if (entry.ok) event.pending_webhooks = 0;
    }
    return entry;
  }

  private post(url: string, payload: string, signature: string): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ error: `invalid webhook URL: ${url}` });
        return;
      }
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(
        target,
        {
          method: 'POST',
          // No keep-alive pool: a test's receiver must be able to close without waiting on us.
          agent: false,
          timeout: ATTEMPT_TIMEOUT_MS,
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': Buffer.byteLength(payload),
            'Stripe-Signature': signature,
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            Accept: '*/*; q=0.5, application/xml',
            'Cache-Control': 'no-cache',
            Connection: 'close',
          },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        },
      );
      this.requests.add(req);
      req.on('timeout', () => req.destroy(new Error(`timed out after ${ATTEMPT_TIMEOUT_MS}ms`)));
      req.on('error', (err) => resolve({ error: err.message }));
      req.on('close', () => this.requests.delete(req));
      req.end(payload);
    });
  }
}
