import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createPool, PgRunner } from '../../src/store/pg/pool.ts';

/**
 * A PostgreSQL that is shutting down can finish a new connection's handshake and terminate it
 * in the same TCP packet (ReadyForQuery, then FATAL 57P01). node-postgres parses both in one
 * go: the pool hands the client out on ReadyForQuery and the client emits 'error' for the
 * FATAL before any code awaiting the checkout runs. With no listener attached by then, that
 * 'error' is thrown and kills the process (seen as M6's instance exiting with code 1 while
 * the database restarted). This server speaks just enough of the protocol to send exactly
 * that packet, so the race happens every time.
 */

const message = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const fields = (entries: Array<[string, string]>) =>
  Buffer.concat([
    ...entries.map(([k, v]) => Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from(`${v}\0`)])),
    Buffer.from([0]),
  ]);

const HANDSHAKE_THEN_TERMINATE = Buffer.concat([
  message('R', int32(0)), // AuthenticationOk
  message('Z', Buffer.from('I')), // ReadyForQuery
  message(
    'E',
    fields([
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ]),
  ),
]);

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

it('a connection terminated in the packet that completes its handshake fails the operation with 503, and the process lives', async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    // Whatever the client sends first is its StartupMessage; answer it in one write.
    socket.once('data', () => socket.end(HANDSHAKE_THEN_TERMINATE));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const pool = createPool({ connectionString: `postgres://app@127.0.0.1:${port}/credits` });
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const runner = new PgRunner(pool);
    for (let i = 0; i < 5; i++) {
      await expect(runner.run((q) => q.all('SELECT 1', {}))).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
    await pool.end().catch(() => undefined);
  }
});
