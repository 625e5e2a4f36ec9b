const TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
  storedAt: number;
}

export type Lookup =
  | { kind: 'miss' }
  | { kind: 'replay'; stored: StoredResponse }
  | { kind: 'mismatch'; message: string };

/** Stripe's idempotency layer: keys are scoped per API key and remembered for 24 hours. */
export class IdempotencyStore {
  private readonly entries = new Map<string, StoredResponse>();

  lookup(
    apiKey: string,
    idempotencyKey: string,
    request: { method: string; path: string; fingerprint: string },
    nowMs: number,
  ): Lookup {
    const id = `${apiKey}\u0000${idempotencyKey}`;
    const stored = this.entries.get(id);
    if (!stored) return { kind: 'miss' };
    if (nowMs - stored.storedAt > TTL_MS) {
      this.entries.delete(id);
      return { kind: 'miss' };
    }
    if (stored.method !== request.method || stored.path !== request.path) {
      return {
        kind: 'mismatch',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.method} ${stored.path}' vs '${request.method} ${request.path}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      };
    }
    if (stored.fingerprint !== request.fingerprint) {
      return {
        kind: 'mismatch',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
      };
    }
    return { kind: 'replay', stored };
  }

  save(apiKey: string, idempotencyKey: string, response: StoredResponse): void {
    this.entries.set(`${apiKey}\u0000${idempotencyKey}`, response);
  }

  clear(): void {
    this.entries.clear();
  }
}
