import type { RequestListener } from 'node:http';
import type Stripe from 'stripe';
import { createStripeEmulator, type StripeEmulator } from '@app/stripe-emulator';
import type { Config } from './config.ts';
import { createStripeClient } from './services/payments/stripe-client.ts';

export interface StripeRuntime {
  stripe: Stripe;
  emulator?: StripeEmulator;
  emulatorHandler?: RequestListener;
  emulatorUrl?: string;
  /** Tells the emulator where to deliver events once the API's port is known. */
  setWebhookTarget: (apiBaseUrl: string) => void;
  /** Where browsers reach the emulator's receipt pages (the same-origin proxy). */
  setReceiptBase: (url: string) => void;
  close: () => Promise<void>;
}

/**
 * Real keys: the SDK talks to Stripe (or STRIPE_API_BASE). No keys: the bundled emulator is
 * started on loopback and the SDK is pointed at it; it refuses to run in production.
 */
export async function startStripeRuntime(config: Config): Promise<StripeRuntime> {
  if (config.stripe.mode !== 'emulator') {
    return {
      stripe: createStripeClient(config.stripe),
      setWebhookTarget: () => undefined,
      setReceiptBase: () => undefined,
      close: async () => undefined,
    };
  }
  const emulator = createStripeEmulator({
    webhookSecret: config.stripe.webhookSecret,
    secretKey: config.stripe.secretKey,
    publishableKey: config.stripe.publishableKey,
    nodeEnv: config.env,
    // Tests drive the emulator in-process (`emulator.control`); nothing needs its HTTP control
    // routes, and `handler` (mounted behind the proxy) never serves them.
    controlApi: false,
  });
  const { url } = await emulator.listen(config.stripe.emulatorPort, '127.0.0.1');
  return {
    stripe: createStripeClient(config.stripe, new URL(url)),
    emulator,
    emulatorHandler: emulator.handler,
    emulatorUrl: url,
    setWebhookTarget: (apiBaseUrl) => emulator.setWebhookUrl(`${apiBaseUrl}/api/payments/webhook`),
    setReceiptBase: (url) => emulator.setReceiptBaseUrl(url),
    close: () => emulator.close(),
  };
}
