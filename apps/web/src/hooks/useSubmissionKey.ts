import { useRef } from 'react';
import { newIdempotencyKey } from '../lib/uuid';

/**
 * The Idempotency-Key of one intended submission of a money action. `begin` returns null while
 * the previous attempt is still in flight (a double click: React re-renders the disabled button
 * only after the second click has been delivered), the same key for a retry of the same input,
 * and a new key once the input changed or the last attempt succeeded.
 */
export function useSubmissionKey<T>() {
  const state = useRef<{ key: string; input: string } | null>(null);
  const inFlight = useRef(false);
  return {
    begin(input: T): string | null {
      if (inFlight.current) return null;
      const serialized = JSON.stringify(input);
      if (!state.current || state.current.input !== serialized) {
        state.current = { key: newIdempotencyKey(), input: serialized };
      }
      inFlight.current = true;
      return state.current.key;
    },
    settle() {
      inFlight.current = false;
    },
    succeeded() {
      state.current = null;
    },
  };
}
