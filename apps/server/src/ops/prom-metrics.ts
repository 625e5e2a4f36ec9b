import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CreditFlow,
  Metrics,
  ReconcileFinding,
  RenderOutcome,
  WebhookResult,
} from '../services/metrics.ts';
import type { OperationalGauges } from '../store/types.ts';

const PREFIX = 'credits_app_';

/**
 * The Prometheus side of `Metrics`, in its own registry (one per composed app, so tests can
 * run several in one process). Backlogs are read from the database at scrape time, so they
 * are right after a restart and across processes.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly payments: Counter<'event'>;
  private readonly creditsCounter: Counter<'flow'>;
  private readonly webhooks: Counter<'result'>;
  private readonly reconcile: Counter<'kind'>;
  private readonly renders: Histogram<'outcome'>;
  private readonly renderFailures: Counter<'reason'>;
  private readonly dbErrors: Counter<'kind'>;

  constructor(options: { gauges?: () => Promise<OperationalGauges>; defaultMetrics?: boolean }) {
    const registers = [this.registry];
    // Event-loop lag, heap, file descriptors, GC: prom-client's process metrics.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.payments = new Counter({
      name: `${PREFIX}payments_total`,
      help: 'Payments created, succeeded (credited) and failed',
      labelNames: ['event'],
      registers,
    });
    this.creditsCounter = new Counter({
      name: `${PREFIX}credits_total`,
      help: 'Credits sold, spent, refunded (failed or canceled videos) and clawed back (refunds, disputes)',
      labelNames: ['flow'],
      registers,
    });
    this.webhooks = new Counter({
      name: `${PREFIX}webhooks_total`,
      help: 'Stripe webhook deliveries: received (all), duplicate, rejected (signature, malformed), failed (5xx)',
      labelNames: ['result'],
      registers,
    });
    this.reconcile = new Counter({
      name: `${PREFIX}reconcile_findings_total`,
      help: 'What payment reconciliation found: payments credited or updated without their webhook, anomalies',
      labelNames: ['kind'],
      registers,
    });
    this.renders = new Histogram({
      name: `${PREFIX}video_render_duration_seconds`,
      help: 'Render time of videos, by outcome',
      labelNames: ['outcome'],
      buckets: [1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.renderFailures = new Counter({
      name: `${PREFIX}video_render_failures_total`,
      help: 'Renders that failed (refunded), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.dbErrors = new Counter({
      name: `${PREFIX}database_errors_total`,
      help: 'Database operations refused: busy (lock timeout), full, unavailable (read-only, I/O)',
      labelNames: ['kind'],
      registers,
    });
    // Every series exists from the start, so rate() and alerts see a 0, not an absence.
    for (const flow of ['sold', 'spent', 'refunded', 'clawed_back'] as const) {
      this.creditsCounter.inc({ flow }, 0);
    }
    for (const result of ['received', 'duplicate', 'rejected', 'failed'] as const) {
      this.webhooks.inc({ result }, 0);
    }
    for (const event of ['created', 'succeeded', 'failed'] as const)
      this.payments.inc({ event }, 0);
    for (const kind of ['busy', 'full', 'unavailable'] as const) this.dbErrors.inc({ kind }, 0);
    const gauges = options.gauges;
    if (gauges) this.registerGauges(gauges, registers);
  }

  private registerGauges(read: () => Promise<OperationalGauges>, registers: Registry[]) {
    // One database read per scrape, shared by the gauges collected in it.
    let pending: Promise<OperationalGauges | null> | undefined;
    const snapshot = () => {
      pending ??= read()
        .catch(() => null)
        .finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    new Gauge({
      name: `${PREFIX}video_queue_depth`,
      help: 'Videos waiting (queued) and rendering (processing)',
      labelNames: ['status'],
      registers,
      async collect() {
        const g = await snapshot();
        if (!g) return;
        this.set({ status: 'queued' }, g.videosQueued);
        this.set({ status: 'processing' }, g.videosProcessing);
      },
    });
    new Gauge({
      name: `${PREFIX}mail_outbox_backlog`,
      help: 'Mails waiting in the outbox (pending or being sent)',
      registers,
      async collect() {
        const g = await snapshot();
        if (g) this.set(g.mailBacklog);
      },
    });
  }

  httpRequest(r: { method: string; route: string; status: number; seconds: number }): void {
    this.httpRequests.inc({ method: r.method, route: r.route, status: String(r.status) });
    this.httpDuration.observe({ method: r.method, route: r.route }, r.seconds);
  }

  paymentCreated(): void {
    this.payments.inc({ event: 'created' });
  }

  paymentSucceeded(): void {
    this.payments.inc({ event: 'succeeded' });
  }

  paymentFailed(): void {
    this.payments.inc({ event: 'failed' });
  }

  credits(flow: CreditFlow, amount: number): void {
    if (amount > 0) this.creditsCounter.inc({ flow }, amount);
  }

  webhook(result: WebhookResult): void {
    this.webhooks.inc({ result });
  }

  reconcileFinding(kind: ReconcileFinding): void {
    this.reconcile.inc({ kind });
  }

  renderFinished(outcome: RenderOutcome, seconds: number): void {
    this.renders.observe({ outcome }, seconds);
    if (outcome === 'failed' || outcome === 'timed_out')
      this.renderFailures.inc({ reason: outcome });
  }

  databaseError(kind: 'busy' | 'full' | 'unavailable'): void {
    this.dbErrors.inc({ kind });
  }

  /** The text exposition format, and its content type. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
