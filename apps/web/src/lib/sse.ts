/**
 * Server-sent events read from a fetch body. EventSource cannot send an Authorization header,
 * so the video progress stream is read by hand; this follows the WHATWG parsing rules.
 */

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;

  const dispatch = (): SseMessage | null => {
    const message =
      data.length > 0 ? { event: event || 'message', data: data.join('\n'), id } : null;
    event = '';
    data = [];
    return message;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A trailing "\r" may be half of a "\r\n" split across chunks: wait for the next chunk.
      let match: RegExpExecArray | null;
      const lineBreak = /\r\n|\n|\r(?!$)/g;
      let consumed = 0;
      while ((match = lineBreak.exec(buffer))) {
        const line = buffer.slice(consumed, match.index);
        consumed = match.index + match[0].length;
        if (line === '') {
          const message = dispatch();
          if (message) yield message;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? '' : line.slice(colon + 1);
        if (fieldValue.startsWith(' ')) fieldValue = fieldValue.slice(1);
        if (field === 'event') event = fieldValue;
        else if (field === 'data') data.push(fieldValue);
        else if (field === 'id') id = fieldValue;
      }
      buffer = buffer.slice(consumed);
      if (done) {
        // Per spec an unterminated final event is discarded.
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
