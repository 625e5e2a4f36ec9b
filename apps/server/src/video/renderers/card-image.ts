import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import type { Card } from './layout.ts';
import { cardSvg, type MeasureRun } from './svg.ts';

const options = (fontFiles: string[]): ResvgRenderOptions => ({
  font: { loadSystemFonts: false, fontFiles, defaultFontFamily: 'Noto Sans' },
  textRendering: 1,
  logLevel: 'off',
});

function measurer(fontFiles: string[]): MeasureRun {
  return (text, family, fontSize, bold) => {
    const weight = bold ? ' font-weight="700"' : '';
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${fontSize * text.length * 2 + 10}" height="${fontSize * 2}"><text x="0" y="${fontSize}" font-size="${fontSize}" font-family="${family}"${weight}>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</text></svg>`;
    const box = new Resvg(svg, options(fontFiles)).getBBox();
    // The ink box leaves out the glyphs' side bearings; a little room keeps runs apart.
    return (box?.width ?? 0) + Math.round(fontSize * 0.1);
  };
}

/**
 * Draws a card to PNG. resvg runs on libuv's thread pool (renderAsync), so a long prompt does
 * not stall the event loop while it is shaped and rasterised.
 */
export async function renderCardPng(
  card: Card,
  size: { width: number; height: number },
  fontFiles: string[],
): Promise<Buffer> {
  const svg = cardSvg(card, size.width, size.height, measurer(fontFiles));
  const image = await renderAsync(svg, options(fontFiles));
  return image.asPng();
}
