import http from 'node:http';
import type { Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import type { Config } from '../config.ts';
import { networkOf } from './client-ip.ts';

/** How often Node looks for sockets past headersTimeout/requestTimeout (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The HTTP server with socket-level limits, so idle, half-sent or piled-up connections cannot
 * use up the process's file descriptors: a total cap, a cap per client network (the address,
 * or the /64 for IPv6), and short header/request/keep-alive timeouts.
 */
export function createLimitedServer(
  listener: RequestListener,
  limits: Config['server'],
): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerIp > 0) capPerNetwork(server, limits.maxConnectionsPerIp);
  return server;
}

function capPerNetwork(server: http.Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const network = networkOf(socket.remoteAddress ?? 'unknown');
    const count = open.get(network) ?? 0;
    if (count >= cap) {
      socket.destroy();
      return;
    }
    open.set(network, count + 1);
    socket.once('close', () => {
      const left = (open.get(network) ?? 1) - 1;
      if (left <= 0) open.delete(network);
      else open.set(network, left);
    });
  });
}
