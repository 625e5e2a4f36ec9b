import type { Card, FontWeight } from './layout.ts';

export interface GraphInput {
  cards: Card[];
  framesPerCard: number[];
  frameRate: string;
  width: number;
  height: number;
  fonts: Record<FontWeight, string>;
  /** Path of the file holding the text of cards[i].texts[j]. */
  textFile: (card: number, block: number) => string;
}

/**
 * Escapes a value for an option inside a filtergraph: once for the option parser (\ ' :) and
 * once more for the graph parser (\ ' [ ] , ;), per ffmpeg-filters "Notes on filtergraph
 * escaping". User text never goes through here: it is read from files with expansion=none.
 */
export function escapeFilterValue(value: string): string {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

function cardChain(input: GraphInput, index: number): string {
  const card = input.cards[index];
  const frames = input.framesPerCard[index];
  if (!card || frames === undefined) throw new Error(`No card ${index}`);
  const filters = [
    `color=c=${card.background}:s=${input.width}x${input.height}:r=${input.frameRate}`,
    'trim=end_frame=1',
    ...card.boxes.map((b) => `drawbox=x=${b.x}:y=${b.y}:w=${b.w}:h=${b.h}:color=${b.color}:t=fill`),
    ...card.texts.map((t, j) =>
      [
        `drawtext=fontfile=${escapeFilterValue(input.fonts[t.weight])}`,
        `textfile=${escapeFilterValue(input.textFile(index, j))}`,
        'expansion=none',
        `fontsize=${t.fontSize}`,
        `fontcolor=${t.color}`,
        `line_spacing=${t.lineSpacing}`,
        `x=${t.x}`,
        `y=${t.y}`,
      ].join(':'),
    ),
    // Text is drawn once per card, then that frame is repeated: drawing it on every frame was
    // the bulk of the render time.
    `loop=loop=${frames - 1}:size=1:start=0`,
    'setpts=N',
  ];
  return `${filters.join(',')}[v${index}]`;
}

/** A filter_complex script whose output pad is [vout]. */
export function buildFilterGraph(input: GraphInput): string {
  const chains = input.cards.map((_, i) => cardChain(input, i));
  const pads = input.cards.map((_, i) => `[v${i}]`).join('');
  const join = `${pads}concat=n=${input.cards.length}:v=1:a=0,format=yuv420p[vout]`;
  return [...chains, join].join(';\n');
}
