import { describe, expect, it } from 'vitest';
import { buildCards } from '../../src/video/renderers/layout.ts';
import { encodeWav, loopSeconds, synthesizeLoop } from '../../src/video/renderers/music.ts';
import { createProgressParser, monotonicProgress } from '../../src/video/renderers/progress.ts';
import { paginate, sanitizeText, wrapText } from '../../src/video/renderers/text.ts';
import { fitCards, planTimeline } from '../../src/video/renderers/timeline.ts';
import { makeJob } from './helpers.ts';

describe('text', () => {
  it('keeps what the fonts draw, one ? per grapheme of other scripts, no bidi controls', () => {
    expect(sanitizeText('cat 🐱 family 👨‍👩‍👧 café 你 ไทย')).toBe('cat 🐱 family 👨👩👧 café 你 ???');
    expect(sanitizeText('שלום مرحبا 👍🏽❤️')).toBe('שלום مرحبا 👍❤');
    expect(sanitizeText('a\u202eevil\u202c\u2066b\u2069')).toBe('aevilb');
    expect(sanitizeText('a\tb\r\nc\u0000d\u0007')).toBe('a b\ncd');
  });

  it('wraps on words, hard-breaks long words, keeps paragraphs', () => {
    expect(wrapText('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrapText('abcdefghijklmnop', 5)).toEqual(['abcde', 'fghij', 'klmno', 'p']);
    expect(wrapText('one\n\n\n\ntwo', 10)).toEqual(['one', '', 'two']);
    for (const line of wrapText('x'.repeat(37) + ' word '.repeat(50), 12)) {
      expect(Array.from(line).length).toBeLessThanOrEqual(12);
    }
    // Wide characters take two columns, so a line of them holds half as many.
    expect(wrapText('夕暮れの庭で遊ぶ小さな猫', 10)).toEqual(['夕暮れの庭', 'で遊ぶ小さ', 'な猫']);
  });

  it('paginates and marks cut text with an ellipsis', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    expect(paginate(lines, 4, 10)).toHaveLength(3);
    const cut = paginate(lines, 4, 2);
    expect(cut).toHaveLength(2);
    expect(cut[1]?.at(-1)).toBe('line …');
  });
});

describe('layout', () => {
  it('splits a 2000-character prompt over several cards that all fit the frame', () => {
    const job = makeJob({ outputPath: 'x', prompt: 'lorem ipsum '.repeat(167), width: 1920 });
    const cards = buildCards({ ...job, height: 1080 });
    expect(cards.length).toBeGreaterThan(2);
    const options = cards.at(-1)?.texts.map((t) => t.text) ?? [];
    expect(options.join(' ')).toMatch(/Custom music.*Premium voice.*AI enhanced/);
    for (const card of cards) {
      for (const t of card.texts) {
        const longest = Math.max(...t.text.split('\n').map((l) => Array.from(l).length));
        expect(t.x + longest * t.fontSize * 0.6).toBeLessThanOrEqual(1920);
        const lines = t.text.split('\n').length;
        expect(t.y + lines * (t.fontSize + t.lineSpacing)).toBeLessThanOrEqual(1080);
      }
    }
  });
});

describe('timeline', () => {
  it('uses ~1 fps with an exact rational rate', () => {
    expect(planTimeline(600, 2)).toEqual({
      frameRate: '1/1',
      frameCount: 600,
      framesPerCard: [300, 300],
    });
    const fractional = planTimeline(7.25, 3);
    expect(fractional.frameCount).toBe(8);
    expect(fractional.frameRate).toBe('32/29');
    expect(fractional.framesPerCard.reduce((a, b) => a + b)).toBe(8);
  });

  it('still shows every card in very short videos', () => {
    const plan = planTimeline(0.5, 4);
    expect(plan.framesPerCard).toEqual([1, 1, 1, 1]);
    expect(planTimeline(0.05, 4).framesPerCard).toEqual([1]);
    expect(fitCards(['p1', 'p2', 'p3', 'options'], 2)).toEqual(['p1', 'options']);
  });
});

describe('progress', () => {
  it('parses out_time across chunk boundaries', () => {
    const seen: number[] = [];
    const parse = createProgressParser((us) => seen.push(us));
    parse('frame=1\nout_time_us=1500');
    parse('000\nout_time_ms=3000000\nout_time_us=N/A\nprogress=continue\n');
    expect(seen).toEqual([1500000, 3000000]);
  });

  it('only reports increasing integers within 0..100 and survives throwing listeners', () => {
    const seen: number[] = [];
    const report = monotonicProgress((p) => {
      seen.push(p);
      throw new Error('listener bug');
    });
    for (const p of [0, 5.7, 3, 5.9, 50, 120, 100]) report(p);
    expect(seen).toEqual([0, 5, 50, 100]);
  });
});

describe('music', () => {
  it('synthesises an audible loop as a valid WAV', () => {
    const pcm = synthesizeLoop();
    expect(pcm.length).toBe(loopSeconds() * 22050);
    expect(pcm.reduce((max, v) => Math.max(max, Math.abs(v)), 0)).toBeGreaterThan(3000);
    const wav = encodeWav(pcm);
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(wav.length).toBe(44 + pcm.length * 2);
  });
});
