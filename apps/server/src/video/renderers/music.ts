/**
 * A short, seamlessly loopable background tune, synthesised here so no audio asset or network
 * fetch is needed. The renderer encodes it once and loops the encoded stream for the whole video,
 * which is far cheaper than encoding minutes of audio.
 */

export const MUSIC_SAMPLE_RATE = 22050;

const BEAT_SECONDS = 0.25;
const BEATS_PER_CHORD = 8;

// I–V–vi–IV in C; each chord is an arpeggio pattern plus a sustained bass note.
const CHORDS: ReadonlyArray<{ bass: number; notes: readonly number[] }> = [
  { bass: 48, notes: [60, 64, 67, 72] },
  { bass: 43, notes: [59, 62, 67, 71] },
  { bass: 45, notes: [57, 60, 64, 69] },
  { bass: 41, notes: [57, 60, 65, 69] },
];
const PATTERN = [0, 1, 2, 3, 2, 1, 2, 3];

function midiToHz(note: number): number {
  return 440 * 2 ** ((note - 69) / 12);
}

interface Note {
  start: number;
  length: number;
  hz: number;
  gain: number;
  decay: number;
}

function score(): Note[] {
  const notes: Note[] = [];
  CHORDS.forEach((chord, c) => {
    const chordStart = c * BEATS_PER_CHORD * BEAT_SECONDS;
    notes.push({
      start: chordStart,
      length: BEATS_PER_CHORD * BEAT_SECONDS,
      hz: midiToHz(chord.bass),
      gain: 0.22,
      decay: 1.2,
    });
    PATTERN.forEach((p, b) => {
      notes.push({
        start: chordStart + b * BEAT_SECONDS,
        length: BEAT_SECONDS,
        hz: midiToHz(chord.notes[p] ?? 60),
        gain: 0.16,
        decay: 9,
      });
    });
  });
  return notes;
}

export function loopSeconds(): number {
  return CHORDS.length * BEATS_PER_CHORD * BEAT_SECONDS;
}

/** Mono 16-bit PCM samples of one loop. */
export function synthesizeLoop(sampleRate = MUSIC_SAMPLE_RATE): Int16Array {
  const total = Math.round(loopSeconds() * sampleRate);
  const mix = new Float64Array(total);
  const attack = 0.01;
  for (const note of score()) {
    const first = Math.round(note.start * sampleRate);
    const count = Math.round(note.length * sampleRate);
    for (let i = 0; i < count && first + i < total; i++) {
      const t = i / sampleRate;
      // Short fades at both ends of every note avoid clicks, including at the loop seam.
      const envelope =
        Math.min(1, t / attack, (note.length - t) / attack) * Math.exp(-note.decay * t);
      const phase = 2 * Math.PI * note.hz * t;
      const tone = Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.1 * Math.sin(3 * phase);
      mix[first + i] = (mix[first + i] ?? 0) + note.gain * envelope * tone;
    }
  }
  const pcm = new Int16Array(total);
  for (let i = 0; i < total; i++) {
    pcm[i] = Math.round(Math.max(-1, Math.min(1, mix[i] ?? 0)) * 32767);
  }
  return pcm;
}

export function encodeWav(pcm: Int16Array, sampleRate = MUSIC_SAMPLE_RATE): Buffer {
  const dataBytes = pcm.length * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  const data = Buffer.alloc(dataBytes);
  pcm.forEach((sample, i) => data.writeInt16LE(sample, i * 2));
  return Buffer.concat([header, data]);
}
