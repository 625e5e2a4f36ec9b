import type { z } from 'zod';

/**
 * Unsent form input kept in sessionStorage: it survives a reload and the detour through the
 * login page after a session expires, but not closing the tab.
 */
export function loadDraft<T>(key: string, schema: z.ZodType<T>): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: unknown): void {
  try {
    sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage can be full or disabled (private mode); losing a draft is not worth an error.
  }
}
