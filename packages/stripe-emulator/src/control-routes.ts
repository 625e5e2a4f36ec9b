import type { EmulatorControl } from './control.ts';
import { invalidRequest, parameterMissing } from './errors.ts';
import type { Fault } from './faults.ts';
import type { ParamObject } from './form.ts';
import { optBool, optEnum, optInt, optString, reqString } from './params.ts';

// The control API over HTTP, for a test runner in another process. Served only by the
// emulator's own loopback listener and only with `controlApi: true`; authenticated with the
// secret key in the Authorization header; bodies may be form-encoded or JSON; responses are
// `{ data: ... }` or the object. There is deliberately no route that changes the webhook URL:
// it would let whoever reaches this port make the emulator POST anywhere (SSRF).

export interface ControlRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: (params: ParamObject, captures: string[]) => unknown;
}

function rate(params: ParamObject): number {
  const raw = optString(params, 'rate');
  const value = raw === undefined ? NaN : Number(raw);
  if (!(value >= 0 && value <= 1))
    throw invalidRequest('rate must be between 0 and 1', { param: 'rate' });
  return value;
}

function fault(params: ParamObject): Fault {
  if (optBool(params, 'reset')) return 'reset';
  const hangMs = optInt(params, 'hang_ms', { min: 0 });
  if (hangMs !== undefined) return { hangMs };
  const status = optInt(params, 'status', { min: 400, max: 599 });
  if (status !== undefined) return { status };
  throw invalidRequest('Provide one of status, reset=true or hang_ms.', { param: 'status' });
}

// A pattern is tried against every later request, so a user-supplied regex could block the
// event loop for hours (ReDoS); only literal paths and '*' prefixes are taken.
function faultPath(params: ParamObject): string {
  if (params.path_regex !== undefined) {
    throw invalidRequest(
      "path_regex is not supported; use a literal path or a prefix ending in '*'.",
      {
        param: 'path_regex',
        code: 'parameter_unknown',
      },
    );
  }
  return reqString(params, 'path');
}

export function controlRoutes(control: EmulatorControl): ControlRoute[] {
  const r = (method: ControlRoute['method'], path: string, handler: ControlRoute['handler']) => ({
    method,
    pattern: new RegExp(`^/_emulator${path.replace(/:id/g, '([^/]+)')}$`),
    handler,
  });
  const id = (captures: string[]): string => captures[0] ?? '';
  return [
    r('GET', '/state', () => control.listAll()),
    r('POST', '/reset', () => {
      control.reset();
      return { ok: true };
    }),
    r('POST', '/faults', (p) => {
      control.failNext(
        { method: optString(p, 'method') ?? '*', path: faultPath(p) },
        fault(p),
        optInt(p, 'times', { min: 1 }) ?? 1,
      );
      return { ok: true };
    }),
    r('POST', '/faults/clear', () => {
      control.clearFaults();
      return { ok: true };
    }),
    r('GET', '/requests', () => ({ data: control.requestLog })),
    r('POST', '/delivery/pause', () => {
      control.pauseDelivery();
      return { ok: true };
    }),
    r('POST', '/delivery/resume', () => {
      control.resumeDelivery();
      return { ok: true };
    }),
    r('GET', '/delivery/pending', () => ({ data: control.pendingEvents() })),
    r('GET', '/delivery/log', () => ({ data: control.deliveryLog })),
    r('POST', '/delivery/drop', (p) => {
      control.dropNext(optInt(p, 'count', { min: 0 }) ?? 1);
      return { ok: true };
    }),
    r('POST', '/delivery/drop_rate', (p) => {
      control.dropRate(rate(p), optInt(p, 'seed'));
      return { ok: true };
    }),
    r('POST', '/delivery/wait_idle', async (p) => {
      const timeoutMs = optInt(p, 'timeout_ms', { min: 0 }) ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const idle = await Promise.race([
        control.waitForIdle().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return { idle };
    }),
    r('POST', '/events/:id/deliver', async (p, c) => ({
      data: await control.deliver(id(c), { times: optInt(p, 'times', { min: 1 }) ?? 1 }),
    })),
    r('POST', '/events/:id/redeliver', (_p, c) => {
      control.redeliver(id(c));
      return { ok: true };
    }),
    r('POST', '/disputes', (p) => {
      const paymentIntentId = optString(p, 'payment_intent');
      const chargeId = optString(p, 'charge');
      if (paymentIntentId === undefined && chargeId === undefined) {
        throw parameterMissing('payment_intent');
      }
      return control.createDispute({
        paymentIntentId,
        chargeId,
        reason: optString(p, 'reason'),
        amount: optInt(p, 'amount', { min: 1 }),
      });
    }),
    r('POST', '/disputes/:id/close', (p, c) => {
      const outcome = optEnum(p, 'outcome', ['won', 'lost']);
      if (outcome === undefined) throw parameterMissing('outcome');
      return control.closeDispute(id(c), outcome);
    }),
    r('POST', '/payment_intents/:id/succeed', (_p, c) => control.succeedPaymentIntent(id(c))),
  ];
}
