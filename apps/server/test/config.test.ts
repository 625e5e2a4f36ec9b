import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'cfg-'));
const stripeKeys = {
  STRIPE_SECRET_KEY: 'sk_live_abc',
  STRIPE_PUBLISHABLE_KEY: 'pk_live_abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
  // Production also needs mail (issue 13); these tests are about the other requirements.
  SMTP_URL: 'smtp://mail.example.com:587',
  PUBLIC_URL: 'https://app.example.com',
};

describe('configuration', () => {
  it('refuses to start in production without a 32-byte JWT secret', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), ...stripeKeys }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        DATA_DIR: dataDir(),
        JWT_SECRET: 'x'.repeat(31),
        ...stripeKeys,
      }),
    ).toThrow(/32 bytes/);
    const ok = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dataDir(),
      JWT_SECRET: 'x'.repeat(32),
      ...stripeKeys,
    });
    expect(ok.stripe.mode).toBe('live');
  });

  it('uses bcrypt cost 12 unless told otherwise', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        DATA_DIR: dataDir(),
        JWT_SECRET: 'x'.repeat(40),
        ...stripeKeys,
      }).bcryptCost,
    ).toBe(12);
    expect(loadConfig({ DATA_DIR: dataDir(), BCRYPT_COST: '4' }).bcryptCost).toBe(4);
  });

  it('keeps a generated local JWT secret across restarts', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).jwt.secret;
    expect(Buffer.byteLength(first)).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).jwt.secret).toBe(first);
  });

  it('runs against the emulator without Stripe keys, and never in production', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).stripe.mode).toBe('emulator');
    expect(() =>
      loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir(), JWT_SECRET: 'x'.repeat(40) }),
    ).toThrow(/STRIPE_SECRET_KEY/);
  });

  it('gives the emulator a random secret key per data directory, kept 0600', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).stripe;
    expect(first.secretKey).toMatch(/^sk_test_[0-9a-f]{48}$/);
    expect(loadConfig({ DATA_DIR: dir }).stripe.secretKey).toBe(first.secretKey);
    expect(statSync(path.join(dir, 'emulator-secret-key')).mode & 0o777).toBe(0o600);
    const other = loadConfig({ DATA_DIR: dataDir() }).stripe;
    expect(other.secretKey).not.toBe(first.secretKey);
    expect(other.webhookSecret).not.toBe(first.webhookSecret);
  });

  it('listens on 127.0.0.1 in emulator mode unless HOST is set', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).host).toBe('127.0.0.1');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '' }).host).toBe('127.0.0.1');
    expect(loadConfig({ DATA_DIR: dataDir(), HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const real = {
      DATA_DIR: dataDir(),
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };
    expect(loadConfig(real).host).toBe('0.0.0.0');
  });

  it('requires the webhook secret with real keys and refuses STRIPE_API_BASE with live keys', () => {
    expect(() =>
      loadConfig({
        DATA_DIR: dataDir(),
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_x',
      }),
    ).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), ...stripeKeys, STRIPE_API_BASE: 'http://127.0.0.1:12111' }),
    ).toThrow(/live key/);
  });

  it.each(['0', '-1', 'abc'])('never accepts a webhook tolerance of %s', (value) => {
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), STRIPE_WEBHOOK_TOLERANCE_SECONDS: value }),
    ).toThrow(ConfigError);
  });

  it('reports every invalid variable by name', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), PORT: 'eighty', NODE_ENV: 'staging' })).toThrow(
      /PORT[\s\S]*NODE_ENV|NODE_ENV[\s\S]*PORT/,
    );
  });
});
