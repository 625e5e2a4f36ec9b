export * from './pricing.ts';
export * from './schemas.ts';
export * from './account.ts';
export * from './errors.ts';
export * from './csv.ts';
export * from './admin.ts';
export * from './library.ts';
