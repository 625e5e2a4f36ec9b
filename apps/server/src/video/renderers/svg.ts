import type { Card, TextBlock } from './layout.ts';
import { graphemes, isEmoji } from './text.ts';

/**
 * A card as SVG for resvg, which shapes text (Arabic joining, bidi) with rustybuzz. Fonts are
 * named explicitly per run: resvg's own fallback between fonts is unreliable once emoji and
 * right-to-left text meet in one element (whole lines came out as empty boxes).
 */

export const TEXT_FAMILIES = 'Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans JP';
export const EMOJI_FAMILY = 'Noto Emoji';

// Noto Sans ascender (1069/1000 units) would put the glyph tops below `y`; drawtext placed the
// top of the line box at `y`, and 0.8 em keeps the cards looking as they did.
const BASELINE_EM = 0.8;
// Advance of a space in Noto Sans (260/1000 em).
const SPACE_EM = 0.26;
// Hebrew and Arabic letters (and their presentation forms).
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
const STRONG_LTR = /[A-Za-z\u00c0-\u024f\u0370-\u04ff\u3040-\u30ff\u3400-\u9fff]/u;

/** Measures the advance of a run of text (no surrounding spaces) in a font family, in pixels. */
export type MeasureRun = (text: string, family: string, fontSize: number, bold: boolean) => number;

const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

const color = (value: string) => value.replace(/^0x/i, '#');

/** Direction of a line by its first strong character, as the bidi algorithm's P2 rule does. */
export function isRtlLine(line: string): boolean {
  for (const ch of line) {
    if (RTL.test(ch)) return true;
    if (STRONG_LTR.test(ch)) return false;
  }
  return false;
}

interface Run {
  text: string;
  emoji: boolean;
}

function runsOf(line: string): Run[] {
  const runs: Run[] = [];
  for (const g of graphemes(line)) {
    // Spaces belong to text runs: the emoji font's space is far wider than Noto Sans's.
    const emoji = isEmoji(g) && (g.codePointAt(0) ?? 0) > 0xff;
    const last = runs[runs.length - 1];
    if (last && last.emoji === emoji) last.text += g;
    else runs.push({ text: g, emoji });
  }
  return runs;
}

function textAttrs(t: TextBlock, x: number, y: number, family: string, anchor?: 'end'): string {
  const weight = t.weight === 'bold' ? ' font-weight="700"' : '';
  const end = anchor ? ` text-anchor="${anchor}"` : '';
  return `x="${x}" y="${y}" font-size="${t.fontSize}" fill="${color(t.color)}" font-family="${family}"${weight}${end} xml:space="preserve"`;
}

function lineSvg(
  t: TextBlock,
  line: string,
  y: number,
  rightEdge: number,
  measure: MeasureRun,
): string {
  const runs = runsOf(line);
  const rtl = isRtlLine(line);
  const x = rtl ? rightEdge : t.x;
  const anchor = rtl ? 'end' : undefined;
  if (!runs.some((r) => r.emoji)) {
    return `<text ${textAttrs(t, x, y, TEXT_FAMILIES, anchor)}>${escapeXml(line)}</text>`;
  }
  if (!RTL.test(line)) {
    // Left-to-right text with emoji: one element, the emoji in their own font.
    const inner = runs
      .map((r) =>
        r.emoji
          ? `<tspan font-family="${EMOJI_FAMILY}">${escapeXml(r.text)}</tspan>`
          : escapeXml(r.text),
      )
      .join('');
    return `<text ${textAttrs(t, x, y, TEXT_FAMILIES)}>${inner}</text>`;
  }
  // Right-to-left text with emoji: each run its own element, placed one after the other in the
  // line's direction (emoji are neutral, so they follow the paragraph direction). Spaces are
  // gaps between elements: an element's ink box does not include them.
  const bold = t.weight === 'bold';
  const space = t.fontSize * SPACE_EM;
  let cursor = x;
  const step = (width: number) => {
    const at = cursor;
    cursor += rtl ? -width : width;
    return at;
  };
  const out: string[] = [];
  for (const r of runs) {
    const leading = r.text.length - r.text.trimStart().length;
    const trailing = r.text.length - r.text.trimEnd().length;
    const text = r.text.trim();
    step(leading * space);
    if (text) {
      const family = r.emoji ? EMOJI_FAMILY : TEXT_FAMILIES;
      const at = step(measure(text, family, t.fontSize, bold));
      out.push(`<text ${textAttrs(t, at, y, family, anchor)}>${escapeXml(text)}</text>`);
    }
    if (text) step(trailing * space);
  }
  return out.join('');
}

export function cardSvg(card: Card, width: number, height: number, measure: MeasureRun): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${color(card.background)}"/>`,
    ...card.boxes.map(
      (b) =>
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="${color(b.color)}"/>`,
    ),
  ];
  for (const t of card.texts) {
    // Right-to-left lines end where left-to-right lines start, mirrored.
    const rightEdge = width - t.x;
    t.text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const y = t.y + Math.round(t.fontSize * BASELINE_EM) + i * (t.fontSize + t.lineSpacing);
      parts.push(lineSvg(t, line, y, rightEdge, measure));
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}
