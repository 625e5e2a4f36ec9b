export type Fault = { status: number } | 'reset' | { hangMs: number };

export interface FaultMatch {
  /** HTTP method, case-insensitive; '*' matches any. */
  method: string;
  /**
   * Exact path (query string ignored) or a prefix ending in '*'. No regular expressions: a
   * pattern is matched against every request, so it must take linear time whatever it is.
   */
  path: string;
}

interface Armed {
  match: FaultMatch;
  fault: Fault;
  remaining: number;
}

function pathMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

/** Faults armed by tests; each fires on the next matching requests, oldest armed first. */
export class FaultInjector {
  private armed: Armed[] = [];

  add(match: FaultMatch, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    if (typeof match.path !== 'string') {
      throw new Error("fault path must be a literal path or a prefix ending in '*'");
    }
    if (typeof fault === 'object' && 'status' in fault) {
      if (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599) {
        throw new Error('fault status must be an HTTP error status (400-599)');
      }
    }
    this.armed.push({ match, fault, remaining: times });
  }

  take(method: string, path: string): Fault | null {
    const found = this.armed.find(
      (a) =>
        (a.match.method === '*' || a.match.method.toUpperCase() === method.toUpperCase()) &&
        pathMatches(a.match.path, path),
    );
    if (!found) return null;
    found.remaining--;
    if (found.remaining === 0) this.armed = this.armed.filter((a) => a !== found);
    return found.fault;
  }

  clear(): void {
    this.armed = [];
  }
}
