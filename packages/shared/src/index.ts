export * from './pricing.ts';
export * from './schemas.ts';
export * from './errors.ts';
