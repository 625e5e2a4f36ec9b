import type { z } from 'zod';
import { sessionOwner } from '../auth/session';

/**
 * Unsent form input kept in sessionStorage: it survives a reload and the detour through the
 * login page after a session expires, but not closing the tab. Drafts belong to the signed-in
 * person (the key carries their id) and are removed on sign-out, so the next account in the
 * same browser never sees them.
 */
const PREFIX = 'lumen.draft.';

function storageKey(name: string): string | null {
  const owner = sessionOwner();
  return owner ? `${PREFIX}${owner}.${name}` : null;
}

export function loadDraft<T>(name: string, schema: z.ZodType<T>): T | null {
  try {
    const key = storageKey(name);
    const raw = key ? sessionStorage.getItem(key) : null;
    if (!raw) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveDraft(name: string, value: unknown): void {
  try {
    const key = storageKey(name);
    if (key) sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage can be full or disabled (private mode); losing a draft is not worth an error.
  }
}

/** Every draft of every account: called on sign-out. */
export function clearDrafts(): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const key = sessionStorage.key(i);
      if (key?.startsWith(PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Storage disabled: there is nothing to clear.
  }
}
