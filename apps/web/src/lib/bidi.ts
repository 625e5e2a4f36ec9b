// Explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks
// (U+200E, U+200F, U+061C): in a name or a prompt they would reorder the text around them.
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
