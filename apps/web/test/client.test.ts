import { describe, expect, it, vi } from 'vitest';
import { ApiError, generateVideo, getBalance, login } from '../src/api/client';
import { friendlyMessage } from '../src/api/errors';
import { onSessionExpired, writeSession } from '../src/auth/session';
import { fakeFetch } from './helpers';

describe('api client', () => {
  it('sends the bearer token and parses responses with the shared schemas', async () => {
    writeSession({ token: 'tok', expiresAt: '2999-01-01T00:00:00.000Z' });
    const net = fakeFetch({
      'GET /api/credits/balance': () => ({
        json: { creditBalance: 7, totalCreditsPurchased: 0, owesCredits: false, lowBalance: true },
      }),
    });
    expect((await getBalance()).creditBalance).toBe(7);
    expect(net.requests[0]!.headers.get('Authorization')).toBe('Bearer tok');
  });

  it('rejects a response that does not match its schema', async () => {
    fakeFetch({ 'GET /api/credits/balance': () => ({ json: { creditBalance: 'lots' } }) });
    await expect(getBalance()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('turns a 402 into a typed error with a readable message', async () => {
    fakeFetch({
      'POST /api/video/generate': () => ({
        status: 402,
        json: {
          error: {
            code: 'INSUFFICIENT_CREDITS',
            message: 'Insufficient credits',
            details: { required: 15, balance: 10, shortfall: 5 },
          },
        },
      }),
    });
    const error = await generateVideo(
      {
        prompt: 'x',
        durationMinutes: 3,
        resolution: '720p',
        customMusic: false,
        premiumTTS: false,
        aiEnhancement: false,
      },
      'key-1',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 402, code: 'INSUFFICIENT_CREDITS' });
    expect(friendlyMessage(error)).toBe(
      'This video needs 15 credits but you have 10 credits. Buy at least 5 credits more to continue.',
    );
  });

  it('reads Retry-After for rate limits', async () => {
    fakeFetch({
      'POST /api/auth/login': () => ({
        status: 429,
        headers: { 'Retry-After': '30' },
        json: { error: { code: 'RATE_LIMITED', message: 'Too many requests' } },
      }),
    });
    const error = await login({ email: 'a@b.co', password: 'x' }).catch((e: unknown) => e);
    expect(friendlyMessage(error)).toBe(
      'Too many attempts. Please wait about 30 seconds and try again.',
    );
  });

  it('a 401 on an authenticated call starts the session-expired flow; on login it does not', async () => {
    writeSession({ token: 'old', expiresAt: '2999-01-01T00:00:00.000Z' });
    const expired = vi.fn();
    const off = onSessionExpired(expired);
    const unauthorized = () => ({
      status: 401,
      json: { error: { code: 'UNAUTHORIZED', message: 'Invalid token' } },
    });
    fakeFetch({ 'GET /api/credits/balance': unauthorized, 'POST /api/auth/login': unauthorized });
    await expect(login({ email: 'a@b.co', password: 'bad' })).rejects.toMatchObject({
      status: 401,
    });
    expect(expired).not.toHaveBeenCalled();
    await expect(getBalance()).rejects.toMatchObject({ status: 401 });
    expect(expired).toHaveBeenCalledTimes(1);
    off();
  });

  it('reports network failures in words', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = await getBalance().catch((e: unknown) => e);
    expect(friendlyMessage(error)).toBe(
      'We could not reach the server. Check your connection and try again.',
    );
  });
});
