import type { RequestLogEntry } from './control.ts';

export const DEFAULT_REQUEST_LOG_LIMIT = 1000;
// Header-sized values (up to 16 KB each) would make even a bounded log large.
const MAX_FIELD_CHARS = 256;

function clip(value: string): string {
  return value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…` : value;
}

/**
 * The last `limit` /v1 requests, oldest first. Bounded because every request is recorded,
 * unauthenticated ones included: an unbounded log let a flood exhaust the heap.
 */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new Error('requestLogLimit must be an integer >= 0.');
    }
  }

  add(entry: RequestLogEntry): void {
    if (this.limit === 0) return;
    this.entries.push({
      ...entry,
      path: clip(entry.path),
      idempotencyKey: entry.idempotencyKey === null ? null : clip(entry.idempotencyKey),
    });
    while (this.entries.length > this.limit) this.entries.shift();
  }

  clear(): void {
    this.entries.length = 0;
  }
}
