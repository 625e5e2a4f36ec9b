import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError, request } from '../../src/api/client';
import { fieldErrors, friendlyMessage } from '../../src/api/errors';
import { SignupPage } from '../../src/pages/SignupPage';
import { AuthProvider } from '../../src/auth/AuthProvider';
import { fakeFetch, renderWithProviders } from '../helpers';
import { z } from 'zod';

// Issue 15, defect 8: "Please wait 897 seconds", "Request failed with status 500" and zod's
// "Too big: expected string to have <=100 characters", and no maxLength on the field.
describe('error messages', () => {
  it('says how long to wait in words', () => {
    const limited = (seconds: number) =>
      friendlyMessage(new ApiError(429, 'RATE_LIMITED', 'x', undefined, seconds));
    expect(limited(897)).toBe('Too many attempts. Please wait about 15 minutes and try again.');
    expect(limited(3)).toBe('Too many attempts. Please wait a few seconds and try again.');
    expect(limited(3600)).toBe('Too many attempts. Please wait about an hour and try again.');
  });

  it('never shows a bare status code', async () => {
    fakeFetch({ 'GET /api/x': () => ({ status: 500, text: 'upstream exploded' }) });
    const error = await request('/api/x', z.object({})).catch((e: unknown) => e);
    expect(friendlyMessage(error)).not.toMatch(/status 500/);
    expect((error as Error).message).not.toMatch(/status 500/);
    expect(friendlyMessage(error)).toMatch(/Something went wrong on our side/);
  });

  it("turns zod's wording into sentences", () => {
    const error = new ApiError(400, 'VALIDATION_ERROR', 'Invalid request body', [
      { path: ['name'], message: 'Too big: expected string to have <=100 characters' },
      { path: ['email'], message: 'Too small: expected string to have >=1 characters' },
    ]);
    expect(fieldErrors(error)).toEqual({
      name: 'Use at most 100 characters.',
      email: 'This field is required.',
    });
  });

  it('limits the sign-up fields to what the server accepts', () => {
    fakeFetch({ 'GET /api/config': () => ({ json: {} }) });
    renderWithProviders(
      <AuthProvider>
        <SignupPage />
      </AuthProvider>,
      { route: '/signup' },
    );
    expect(screen.getByLabelText('Name').getAttribute('maxlength')).toBe('100');
    expect(screen.getByLabelText('Email').getAttribute('maxlength')).toBe('254');
  });
});
