import http from 'node:http';

/**
 * An open-loop load: requests start on a fixed schedule (`rate` per second, evenly spaced),
 * whether or not earlier ones have been answered, spread round robin over the given servers.
 * autocannon's closed loop measures throughput at saturation, where the latency is set by the
 * number of connections (mean = connections / throughput) rather than by the server; and its
 * `overallRate` sends each second's quota as a burst at the start of the second. A latency
 * target at a given load needs requests that arrive as a steady stream.
 *
 * Latency is counted from the scheduled start, not from when a socket was free, so a stalled
 * server cannot hide its queue behind the generator's (no coordinated omission).
 */

export interface PacedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PacedResult {
  /** Requests scheduled (rate x seconds). */
  scheduled: number;
  /** Answered with the expected status. */
  ok: number;
  /** Answered otherwise, by status; 0 for no answer (socket error or timeout). */
  unexpected: Record<string, number>;
  /** One per answered request, in ms from its scheduled start. */
  latencies: number[];
  /** Answers per second over the scheduled window. */
  achievedRps: number;
}

export async function pacedLoad(options: {
  baseUrls: string[];
  rate: number;
  seconds: number;
  expected: number;
  next: () => PacedRequest;
  /** Sockets per server; enough that the generator never queues before the server does. */
  socketsPerServer?: number;
  timeoutMs?: number;
}): Promise<PacedResult> {
  const { baseUrls, rate, seconds, expected } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agents = baseUrls.map(
    () => new http.Agent({ keepAlive: true, maxSockets: options.socketsPerServer ?? 200 }),
  );
  const targets = baseUrls.map((u) => new URL(u));
  const scheduled = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const result: PacedResult = {
    scheduled,
    ok: 0,
    unexpected: {},
    latencies: [],
    achievedRps: 0,
  };
  const count = (status: number) => {
    if (status === expected) result.ok += 1;
    else result.unexpected[status] = (result.unexpected[status] ?? 0) + 1;
  };

  const send = (n: number, plannedAt: number) =>
    new Promise<void>((resolve) => {
      const target = targets[n % targets.length]!;
      const r = options.next();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: r.method,
          path: r.path,
          headers: r.body
            ? { ...r.headers, 'Content-Length': Buffer.byteLength(r.body) }
            : r.headers,
          agent: agents[n % agents.length],
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.once('end', () => {
            result.latencies.push(performance.now() - plannedAt);
            count(res.statusCode ?? 0);
            resolve();
          });
        },
      );
      const fail = () => {
        count(0);
        resolve();
      };
      req.once('timeout', () => req.destroy());
      req.once('error', fail);
      req.end(r.body);
    });

  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  // A timer fires late under load; each tick starts every request whose time has come, each
  // timed from its own planned start.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < scheduled && started + sent * interval <= now) {
        inFlight.push(send(sent, started + sent * interval));
        sent += 1;
      }
      if (sent < scheduled) setTimeout(tick, Math.max(0, started + sent * interval - now));
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  for (const agent of agents) agent.destroy();
  result.achievedRps = result.ok / seconds;
  return result;
}
