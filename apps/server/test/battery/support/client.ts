import net from 'node:net';

/** A small JSON client over real loopback HTTP (Node's fetch). */
export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export async function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  o: CallOptions = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + urlPath, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: o.signal,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export function errorCode(res: JsonResponse): string | undefined {
  return (res.body as { error?: { code?: string } } | undefined)?.error?.code;
}

/** The raw bytes of one HTTP/1.1 request that closes its connection afterwards. */
export function rawRequest(
  baseUrl: string,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body: string,
): Buffer {
  const host = new URL(baseUrl).host;
  const lines = [
    `${method} ${urlPath} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export interface HeldRequest {
  /** Sends the last byte (synchronously hands it to the socket). */
  release: () => void;
  /** The status and raw response once the server has answered and closed. */
  response: Promise<{ status: number; raw: string }>;
}

/**
 * Opens a socket and writes all of `bytes` but the last one; resolves once those bytes are
 * flushed to the kernel. The server then waits for the last byte before it can act.
 */
export async function holdRequest(baseUrl: string, bytes: Buffer): Promise<HeldRequest> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
  const chunks: Buffer[] = [];
  const response = new Promise<{ status: number; raw: string }>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(raw);
      if (!match) reject(new Error(`no HTTP response: ${raw.slice(0, 200)}`));
      else resolve({ status: Number(match[1]), raw });
    });
  });
  response.catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  await new Promise<void>((resolve, reject) =>
    socket.write(bytes.subarray(0, bytes.length - 1), (err) => (err ? reject(err) : resolve())),
  );
  const last = bytes.subarray(bytes.length - 1);
  return { release: () => void socket.write(last), response };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `condition` every `everyMs` until it holds; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  condition: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  timeoutMs = 5000,
  everyMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A small deterministic PRNG, so fault timings can be replayed from a logged seed. */
export { mulberry32 as prng } from '@app/stripe-emulator';

export function newSeed(): number {
  return (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
}
