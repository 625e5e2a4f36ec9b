import { describe, expect, it } from 'vitest';
import {
  CREDIT_PACKAGES,
  calculateCost,
  cancelRefundCredits,
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
    ['0.1 min (the minimum) 720p bills 1 minute', { durationMinutes: 0.1, resolution: '720p' }, 5],
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

  it.each([0, 0.0001, 0.0999, -1, 60.0001, Number.NaN, Number.POSITIVE_INFINITY])(
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

describe('cancelRefundCredits (the cancel policy)', () => {
  it('refunds a queued video in full, whatever its recorded progress', () => {
    expect(cancelRefundCredits({ status: 'queued', creditsUsed: 482, progress: 0 })).toBe(482);
    expect(cancelRefundCredits({ status: 'queued', creditsUsed: 482, progress: 50 })).toBe(482);
  });

  it.each([
    // The review's case: 60 min 1080p with music (482) canceled at 81 %: 19 % of 482 is 91.58.
    [482, 81, 92],
    [60, 37, 38],
    [5, 10, 5],
    [5, 99, 1],
    [8, 50, 4],
    [100, 0, 100],
    [100, 100, 0],
    [7, 13, 7],
  ])('refunds the unrendered share of %i credits at %i %%, rounded up: %i', (credits, at, back) => {
    expect(cancelRefundCredits({ status: 'processing', creditsUsed: credits, progress: at })).toBe(
      back,
    );
  });

  it('never refunds more than was paid or less than zero, and is exact for every case', () => {
    for (let credits = 1; credits <= 500; credits += 7) {
      for (let progress = 0; progress <= 100; progress++) {
        const back = cancelRefundCredits({ status: 'processing', creditsUsed: credits, progress });
        expect(Number.isInteger(back)).toBe(true);
        // The smallest integer >= credits * (100 - progress) / 100.
        expect(back * 100).toBeGreaterThanOrEqual(credits * (100 - progress));
        expect((back - 1) * 100).toBeLessThan(credits * (100 - progress));
      }
    }
  });
});
