import { describe, expect, it } from 'vitest';
import { smallestPackCovering } from '../src/library.ts';
import { CREDIT_PACKAGES } from '../src/pricing.ts';

describe('smallestPackCovering', () => {
  const name = (shortfall: number) => smallestPackCovering(shortfall, CREDIT_PACKAGES)?.name;

  it('offers the smallest pack whose total credits (bonus included) cover the shortfall', () => {
    expect(name(1)).toBe('Starter');
    expect(name(50)).toBe('Starter');
    expect(name(51)).toBe('Pro'); // 150 + 10 bonus
    expect(name(160)).toBe('Pro');
    expect(name(161)).toBe('Business');
    expect(name(2200)).toBe('Enterprise');
  });

  it('falls back to the largest pack when none covers it, and to nothing without packs', () => {
    expect(name(5000)).toBe('Enterprise');
    expect(smallestPackCovering(5, [])).toBeUndefined();
  });

  it('does not depend on the order packages are listed in; ties go to the cheaper one', () => {
    const reversed = [...CREDIT_PACKAGES].reverse();
    expect(smallestPackCovering(60, reversed)?.name).toBe('Pro');
    const twin = { ...CREDIT_PACKAGES[0]!, name: 'Cheap twin', priceCents: 1 };
    expect(smallestPackCovering(10, [CREDIT_PACKAGES[0]!, twin])?.name).toBe('Cheap twin');
  });
});
