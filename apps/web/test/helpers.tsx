import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';

export function renderWithProviders(ui: ReactElement, { route = '/' }: { route?: string } = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

type Reply = { status?: number; json?: unknown; text?: string; headers?: Record<string, string> };
type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

/**
 * A fake network at the fetch boundary: routes are "METHOD /path" (query string ignored) and
 * every request is recorded for assertions. Unknown routes fail the test loudly.
 */
export function fakeFetch(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const req: RecordedRequest = {
      method,
      url,
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : '',
    };
    requests.push(req);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) throw new Error(`Unexpected request ${method} ${url.pathname}`);
    const reply = await handler(req);
    if (reply.text !== undefined) {
      return new Response(reply.text, { status: reply.status ?? 200, headers: reply.headers });
    }
    return new Response(reply.json === undefined ? null : JSON.stringify(reply.json), {
      status: reply.status ?? 200,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    requests,
    fetchMock,
    to: (method: string, path: string) =>
      requests.filter((r) => r.method === method && r.url.pathname === path),
  };
}

export const balanceResponse = (creditBalance: number, extra: Record<string, unknown> = {}) => ({
  creditBalance,
  totalCreditsPurchased: 0,
  owesCredits: creditBalance < 0,
  lowBalance: creditBalance < 10,
  ...extra,
});
