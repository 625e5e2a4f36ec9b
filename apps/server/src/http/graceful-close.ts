import type http from 'node:http';
import type { ServerResponse } from 'node:http';

/**
 * Tracks the responses in flight so a shutdown can wait for them: it stops accepting,
 * answers every request already received (with `Connection: close`), ends live progress
 * streams (they would never end by themselves), closes idle keep-alive sockets at once and,
 * when the grace period is over, every socket still open.
 */
export function gracefulClose(server: http.Server) {
  const open = new Set<ServerResponse>();
  let closing = false;
  const closeIdle = () => setImmediate(() => server.closeIdleConnections());
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (closing) closeIdle();
    });
  });
  return {
    inFlight: () => open.size,
    close(graceMs: number): Promise<void> {
      closing = true;
      for (const res of open) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        const type = res.getHeader('content-type');
        if (typeof type === 'string' && type.startsWith('text/event-stream')) res.end();
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
