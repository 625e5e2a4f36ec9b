/** Longest URL written to the access log; the rest is cut (a URL may be 16 KB of junk). */
export const MAX_LOGGED_URL_CHARS = 256;

/** Query parameters whose values are credentials wherever they appear. */
const SECRET_PARAM = /token|secret|password|key|signature|code/i;

/**
 * The URL as it may be logged: every secret-looking query parameter's value replaced,
 * however often it repeats, then truncated.
 */
export function loggableUrl(url: string): string {
  const queryAt = url.indexOf('?');
  let safe = url;
  if (queryAt !== -1) {
    const pairs = url.slice(queryAt + 1).split('&');
    const redacted = pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // An undecodable name is judged as written.
      }
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
    safe = `${url.slice(0, queryAt)}?${redacted.join('&')}`;
  }
  return safe.length > MAX_LOGGED_URL_CHARS
    ? `${safe.slice(0, MAX_LOGGED_URL_CHARS)}…[${safe.length - MAX_LOGGED_URL_CHARS} more]`
    : safe;
}
