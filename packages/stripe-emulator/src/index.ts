export { createStripeEmulator, DEFAULT_PUBLISHABLE_KEY } from './emulator.ts';
export type { StripeEmulator, StripeEmulatorOptions } from './emulator.ts';
export type { CreateDisputeOptions, EmulatorControl, RequestLogEntry } from './control.ts';
export { mulberry32 } from './delivery.ts';
export type { DeliveryLogEntry } from './delivery.ts';
export type { Fault, FaultMatch } from './faults.ts';
export { DEFAULT_REQUEST_LOG_LIMIT } from './request-log.ts';
export type { Snapshot } from './state.ts';
export type {
  BalanceTransaction,
  Charge,
  Dispute,
  PaymentIntent,
  PaymentMethod,
  Refund,
  StripeEvent,
} from './types.ts';
export { PAYMENT_METHOD_TOKENS, TEST_CARDS } from './cards.ts';
export type { TestCard } from './cards.ts';
export { API_VERSION } from './events.ts';
export { computeSignature, signatureHeader } from './signature.ts';
export { encodeForm, parseForm } from './form.ts';
