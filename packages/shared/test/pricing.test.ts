import { describe, expect, it } from 'vitest';
import {
  CREDIT_PACKAGES,
  calculateCost,
  creditsValueCents,
  InvalidCostOptionsError,
  totalCredits,
  type CostOptions,
} from '../src/pricing.ts';

describe('calculateCost', () => {
  const cases: Array<[string, CostOptions, number]> = [
    // The specification's worked examples.
    ['3 min 720p', { durationMinutes: 3, resolution: '720p' }, 15],
    ['5 min 1080p + music', { durationMinutes: 5, resolution: '1080p', customMusic: true }, 42],
    [
      '10 min 720p + premium TTS',
      { durationMinutes: 10, resolution: '720p', premiumTTS: true },
      53,
    ],
    // Per started minute.
    ['2.5 min 720p bills 3 minutes', { durationMinutes: 2.5, resolution: '720p' }, 15],
    ['0.01 min 720p bills 1 minute', { durationMinutes: 0.01, resolution: '720p' }, 5],
    ['1 min 720p', { durationMinutes: 1, resolution: '720p' }, 5],
    ['1 min 1080p', { durationMinutes: 1, resolution: '1080p' }, 8],
    ['1.0001 min 1080p bills 2 minutes', { durationMinutes: 1.0001, resolution: '1080p' }, 16],
    ['60 min 1080p', { durationMinutes: 60, resolution: '1080p' }, 480],
    ['AI enhancement is flat', { durationMinutes: 7, resolution: '720p', aiEnhancement: true }, 39],
    [
      'every add-on',
      {
        durationMinutes: 1,
        resolution: '1080p',
        customMusic: true,
        premiumTTS: true,
        aiEnhancement: true,
      },
      17,
    ],
  ];

  it.each(cases)('%s costs %i', (_name, options, expected) => {
    const cost = calculateCost(options);
    expect(cost.total).toBe(expected);
    expect(Number.isInteger(cost.total)).toBe(true);
  });

  it('breaks the cost down', () => {
    expect(calculateCost({ durationMinutes: 5, resolution: '1080p', customMusic: true })).toEqual({
      billedMinutes: 5,
      creditsPerMinute: 8,
      baseCredits: 40,
      addOns: { customMusic: 2, premiumTTS: 0, aiEnhancement: 0 },
      total: 42,
    });
  });

  it.each([0, -1, 60.0001, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects a duration of %s',
    (durationMinutes) => {
      expect(() => calculateCost({ durationMinutes, resolution: '720p' })).toThrow(
        InvalidCostOptionsError,
      );
    },
  );

  it('rejects an unknown resolution', () => {
    expect(() =>
      calculateCost({ durationMinutes: 1, resolution: '4k' as unknown as '720p' }),
    ).toThrow(InvalidCostOptionsError);
  });
});

describe('credit packages', () => {
  it('match the specification exactly', () => {
    expect(
      CREDIT_PACKAGES.map((p) => [
        p.id,
        p.name,
        p.credits,
        p.bonusCredits,
        p.priceCents,
        p.bestValue,
      ]),
    ).toEqual([
      [1, 'Starter', 50, 0, 999, false],
      [2, 'Pro', 150, 10, 2499, true],
      [3, 'Business', 500, 50, 7999, false],
      [4, 'Enterprise', 2000, 200, 29999, false],
    ]);
    expect(CREDIT_PACKAGES.map(totalCredits)).toEqual([50, 160, 550, 2200]);
  });

  it('values credits at a package rate in whole cents', () => {
    const starter = CREDIT_PACKAGES[0]!;
    expect(creditsValueCents(15, starter)).toBe(300); // "~$3.00 with Starter"
    expect(creditsValueCents(42, starter)).toBe(839); // "~$8.40"
    expect(creditsValueCents(53, starter)).toBe(1059); // "~$10.60"
  });
});
