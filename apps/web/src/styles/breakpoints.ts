/**
 * The layout breakpoints (max-width, px), the same numbers the media queries in the CSS use
 * (see styles/tokens.css). For code that must agree with the CSS, e.g. `matchMedia`.
 */
export const BREAKPOINTS = {
  phone: 480,
  small: 640,
  tablet: 860,
  laptop: 1000,
} as const;

export const maxWidth = (bp: keyof typeof BREAKPOINTS) => `(max-width: ${BREAKPOINTS[bp]}px)`;
