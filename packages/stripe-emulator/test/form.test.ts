import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, encodeForm, parseForm } from '../src/form.ts';

const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('parseForm', () => {
  it('parses Stripe’s bracket notation', () => {
    expect(
      plain(
        parseForm(
          'amount=1000&metadata[user_id]=1&payment_method_types[]=card&payment_method_types[]=link' +
            '&expand[0]=latest_charge&payment_method_data[card][number]=4242+4242&description=a%20b%26c',
        ),
      ),
    ).toEqual({
      amount: '1000',
      metadata: { user_id: '1' },
      payment_method_types: ['card', 'link'],
      expand: ['latest_charge'],
      payment_method_data: { card: { number: '4242 4242' } },
      description: 'a b&c',
    });
  });

  it('accepts percent-encoded brackets and keeps integer-keyed metadata a hash', () => {
    expect(plain(parseForm('metadata%5B0%5D=x&created%5Bgte%5D=5'))).toEqual({
      metadata: { '0': 'x' },
      created: { gte: '5' },
    });
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = parseForm('__proto__[polluted]=1&metadata[__proto__]=2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(parsed)).toContain('__proto__');
  });

  it('rejects malformed percent-encoding', () => {
    expect(() => parseForm('a=%E0%A4%A')).toThrow();
  });

  it('round-trips what encodeForm (stripe-node’s format) produces', () => {
    const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
    const value = fc.string({ maxLength: 20 });
    fc.assert(
      fc.property(
        fc.record({
          // Stripe forbids square brackets in metadata keys; they could not be encoded.
          metadata: fc.dictionary(
            fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !/[[\]]/.test(k)),
            value,
          ),
          list: fc.array(value, { minLength: 1, maxLength: 5 }),
          nested: fc.dictionary(key, fc.dictionary(key, value)),
        }),
        (params) => {
          const parsed = plain(parseForm(encodeForm(params))) as Record<string, unknown>;
          expect(canonicalJson(parsed.metadata ?? {})).toBe(canonicalJson(params.metadata));
          expect(parsed.list).toEqual(params.list);
          expect(canonicalJson(parsed.nested ?? {})).toBe(
            canonicalJson(
              Object.fromEntries(
                Object.entries(params.nested).filter(([, v]) => Object.keys(v).length > 0),
              ),
            ),
          );
        },
      ),
    );
  });
});
