import { invalidRequest, parameterInvalid, parameterMissing, parameterUnknown } from './errors.ts';
import type { ParamObject, ParamValue } from './form.ts';
import type { Metadata } from './types.ts';

// Coercion helpers: form bodies carry only strings, JSON bodies carry real types; both must
// validate identically and fail with Stripe's messages and `param` names.

export function isObject(value: ParamValue | undefined): value is ParamObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function rejectUnknown(params: ParamObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw parameterUnknown(prefix ? `${prefix}[${key}]` : key);
  }
}

function scalar(params: ParamObject, name: string, label: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') {
    throw invalidRequest(`Invalid string: ${JSON.stringify(value)}`, { param: label });
  }
  return String(value);
}

/** Optional string; Stripe treats an empty string as "unset". */
export function optString(
  params: ParamObject,
  name: string,
  opts: { label?: string; maxLength?: number } = {},
): string | undefined {
  const label = opts.label ?? name;
  const value = scalar(params, name, label);
  if (value === undefined || value === '') return undefined;
  if (opts.maxLength !== undefined && value.length > opts.maxLength) {
    throw invalidRequest(
      `Invalid string: ${value.slice(0, 20)}...; must be at most ${opts.maxLength} characters`,
      { param: label },
    );
  }
  return value;
}

export function reqString(params: ParamObject, name: string, label = name): string {
  const value = optString(params, name, { label });
  if (value === undefined) throw parameterMissing(label);
  return value;
}

export function optInt(
  params: ParamObject,
  name: string,
  opts: { label?: string; min?: number; max?: number } = {},
): number | undefined {
  const label = opts.label ?? name;
  const raw = scalar(params, name, label);
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    throw invalidRequest(`Invalid integer: ${raw}`, {
      param: label,
      code: 'parameter_invalid_integer',
    });
  }
  const value = Number(raw);
  if (opts.min !== undefined && value < opts.min) {
    throw invalidRequest(`This value must be greater than or equal to ${opts.min}.`, {
      param: label,
    });
  }
  if (opts.max !== undefined && value > opts.max) {
    throw invalidRequest(`This value must be less than or equal to ${opts.max}.`, {
      param: label,
    });
  }
  return value;
}

export function reqInt(
  params: ParamObject,
  name: string,
  opts: { label?: string; min?: number; max?: number } = {},
): number {
  const value = optInt(params, name, opts);
  if (value === undefined) throw parameterMissing(opts.label ?? name);
  return value;
}

export function optBool(params: ParamObject, name: string, label = name): boolean | undefined {
  const raw = scalar(params, name, label);
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidRequest(`Invalid boolean: ${raw}`, { param: label });
}

export function optEnum<T extends string>(
  params: ParamObject,
  name: string,
  values: readonly T[],
  label = name,
): T | undefined {
  const value = optString(params, name, { label });
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw parameterInvalid(label, `Invalid ${name}: must be one of ${values.join(', ')}`);
  }
  return value as T;
}

export function optObject(
  params: ParamObject,
  name: string,
  label = name,
): ParamObject | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (!isObject(value)) throw invalidRequest(`Invalid object`, { param: label });
  return value;
}

export function optStringArray(
  params: ParamObject,
  name: string,
  label = name,
): string[] | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (!Array.isArray(value)) throw invalidRequest(`Invalid array`, { param: label });
  return value.map((item) => {
    if (item === null || typeof item === 'object') {
      throw invalidRequest(`Invalid array`, { param: label });
    }
    return String(item);
  });
}

/** Validates `metadata` with Stripe's limits (50 keys, 40-char keys, 500-char values). */
export function optMetadata(params: ParamObject, name = 'metadata'): Metadata | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (!isObject(value)) throw invalidRequest('Invalid metadata: must be a hash', { param: name });
  const keys = Object.keys(value);
  if (keys.length > 50) {
    throw invalidRequest('Invalid metadata: metadata can have up to 50 keys', { param: name });
  }
  const out: Metadata = {};
  for (const key of keys) {
    const v = value[key];
    if (key.length > 40) {
      throw invalidRequest(`Invalid metadata: keys can be at most 40 characters`, {
        param: `${name}[${key}]`,
      });
    }
    if (v !== null && typeof v === 'object') {
      throw invalidRequest('Invalid metadata: values must be strings', {
        param: `${name}[${key}]`,
      });
    }
    const str = v === null ? '' : String(v);
    if (str.length > 500) {
      throw invalidRequest('Invalid metadata: values can be at most 500 characters', {
        param: `${name}[${key}]`,
      });
    }
    if (str !== '') out[key] = str;
  }
  return out;
}

export function expandParam(params: ParamObject): string[] {
  return optStringArray(params, 'expand') ?? [];
}

export function formatAmount(amount: number, currency: string): string {
  const major = (amount / 100).toFixed(2);
  return currency === 'usd' ? `$${major}` : `${major} ${currency.toUpperCase()}`;
}
