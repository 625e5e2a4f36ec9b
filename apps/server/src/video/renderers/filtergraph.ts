export interface GraphInput {
  /** One still image input per card, in order, as ffmpeg inputs 0..n-1. */
  cardCount: number;
  framesPerCard: number[];
  frameRate: string;
}

function cardChain(input: GraphInput, index: number): string {
  const frames = input.framesPerCard[index];
  if (frames === undefined) throw new Error(`No card ${index}`);
  const [num, den = '1'] = input.frameRate.split('/');
  const filters = [
    // Each card is one still image (drawn by resvg), repeated: drawing text on every frame was
    // the bulk of the render time.
    `[${index}:v]format=yuv420p`,
    `loop=loop=${frames - 1}:size=1:start=0`,
    `settb=${den}/${num}`,
    'setpts=N',
  ];
  return `${filters.join(',')}[v${index}]`;
}

/** A filter_complex script whose output pad is [vout]. */
export function buildFilterGraph(input: GraphInput): string {
  const indexes = Array.from({ length: input.cardCount }, (_, i) => i);
  const chains = indexes.map((i) => cardChain(input, i));
  const pads = indexes.map((i) => `[v${i}]`).join('');
  const join = `${pads}concat=n=${input.cardCount}:v=1:a=0,format=yuv420p[vout]`;
  return [...chains, join].join(';\n');
}
