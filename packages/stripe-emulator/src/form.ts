// Stripe's form encoding: nested keys use brackets (`metadata[user_id]=1`,
// `payment_method_data[card][number]=...`) and arrays use either `expand[]=a` or, as stripe-node
// sends them, `expand[0]=a`. Stripe knows its schema; we infer arrays from integer-only keys.

export type ParamValue = string | number | boolean | null | ParamValue[] | ParamObject;
export interface ParamObject {
  [key: string]: ParamValue;
}

const MAX_DEPTH = 10;
// A hash literally keyed by integers (e.g. `metadata[0]=x`) must stay an object.
const NEVER_ARRAY = new Set(['metadata']);

class FormError extends Error {}
export { FormError };

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new FormError(`Invalid URL encoding: ${text}`);
  }
}

function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^[\]]*)\]/gy;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(rest)) !== null) {
    segments.push(match[1] ?? '');
    consumed = re.lastIndex;
  }
  // Malformed brackets (`a[b`) are treated as a literal key, as qs does.
  if (consumed !== rest.length) return [key];
  if (segments.length > MAX_DEPTH + 1) throw new FormError(`Parameter nested too deeply: ${key}`);
  return segments;
}

type Tree = { [key: string]: Tree | string };

function newTree(): Tree {
  // Null prototype: keys like `__proto__` become ordinary own properties.
  return Object.create(null) as Tree;
}

function assign(root: Tree, segments: string[], value: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    let seg = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (seg === '' && i > 0) seg = String(Object.keys(node).length);
    if (last) {
      node[seg] = value;
      return;
    }
    const child = node[seg];
    if (typeof child === 'object') {
      node = child;
    } else {
      const fresh = newTree();
      node[seg] = fresh;
      node = fresh;
    }
  }
}

function finalize(tree: Tree, key: string): ParamValue {
  const keys = Object.keys(tree);
  const arrayLike =
    !NEVER_ARRAY.has(key) && keys.length > 0 && keys.every((k) => /^(0|[1-9]\d{0,5})$/.test(k));
  if (arrayLike) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => {
        const v = tree[String(index)];
        return typeof v === 'object' ? finalize(v, '') : (v ?? '');
      });
  }
  const out: ParamObject = Object.create(null) as ParamObject;
  for (const k of keys) {
    const v = tree[k];
    out[k] = typeof v === 'object' ? finalize(v, k) : (v ?? '');
  }
  return out;
}

/** Parses an application/x-www-form-urlencoded body or query string into nested params. */
export function parseForm(text: string): ParamObject {
  const root = newTree();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    if (key === '') continue;
    assign(root, splitKey(key), decode(rawValue));
  }
  const out: ParamObject = Object.create(null) as ParamObject;
  for (const k of Object.keys(root)) {
    const v = root[k];
    out[k] = typeof v === 'object' ? finalize(v, k) : (v ?? '');
  }
  return out;
}

/** Encodes params the way stripe-node does (indexed arrays, bracketed nesting). */
export function encodeForm(params: Record<string, unknown>): string {
  const pairs: string[] = [];
  const walk = (prefix: string, value: unknown): void => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${prefix}[${i}]`, v));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}[${k}]` : k, v);
    } else {
      pairs.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(value ?? ''))}`);
    }
  };
  walk('', params);
  return pairs.join('&');
}

/** JSON with sorted keys, so two param sets compare equal regardless of key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
