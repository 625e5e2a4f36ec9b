import { z } from 'zod';

/**
 * The bearer token lives in localStorage so a reload keeps people signed in. Everything that
 * needs to know about an expired session goes through `notifySessionExpired`, which the
 * AuthProvider turns into a redirect to the login page.
 */

const STORAGE_KEY = 'lumen.session';

const StoredSessionSchema = z.object({ token: z.string().min(1), expiresAt: z.string() });
export type StoredSession = z.infer<typeof StoredSessionSchema>;

export function readSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = StoredSessionSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function isExpired(session: StoredSession, now = Date.now()): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isFinite(expires) && expires <= now;
}

export function writeSession(session: StoredSession): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(STORAGE_KEY);
}

export function getToken(): string | null {
  return readSession()?.token ?? null;
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();

export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

export function notifySessionExpired(): void {
  for (const listener of expiredListeners) listener();
}

/** Only same-app paths are accepted as a post-login destination (no open redirects). */
export function safeNextPath(next: string | null | undefined, fallback = '/studio'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  if (next.startsWith('/login') || next.startsWith('/signup')) return fallback;
  return next;
}

/**
 * Whose session this is, read from the token's `sub` claim without verifying it (the server
 * does that): enough to keep one person's unsent drafts away from the next.
 */
export function sessionOwner(): string | null {
  const token = getToken();
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const sub = (json as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub !== '' ? sub : null;
  } catch {
    return null;
  }
}
