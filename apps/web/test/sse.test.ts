import { describe, expect, it } from 'vitest';
import { readSse, type SseMessage } from '../src/lib/sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const message of readSse(streamOf(chunks))) out.push(message);
  return out;
}

describe('readSse', () => {
  it('parses events split at any byte boundary', async () => {
    const text =
      'event: video\ndata: {"a":1}\n\n: keep-alive\n\nevent: video\r\ndata: {"a":2}\r\n\r\n';
    for (let size = 1; size <= text.length; size += 3) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const messages = await collect(chunks);
      expect(messages.map((m) => [m.event, m.data])).toEqual([
        ['video', '{"a":1}'],
        ['video', '{"a":2}'],
      ]);
    }
  });

  it('joins multi-line data and defaults the event name', async () => {
    expect(await collect(['data: one\ndata:two\n\n'])).toEqual([
      { event: 'message', data: 'one\ntwo', id: undefined },
    ]);
  });

  it('drops an unterminated final event', async () => {
    expect(await collect(['event: video\ndata: {}'])).toEqual([]);
  });
});
