import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { VideoDetailPage } from '../../src/pages/VideoDetailPage';
import { writeSession } from '../../src/auth/session';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defect 10: an unknown /videos/<id> spun, then offered a "Try again" that could not help.
describe('an unknown video', () => {
  it('answers "not found" at once with a way back, and no retry', async () => {
    writeSession({ token: 't', expiresAt: '2999-01-01T00:00:00.000Z' });
    const notFound = {
      status: 404,
      json: { error: { code: 'NOT_FOUND', message: 'Video not found' } },
    };
    const net = fakeFetch({
      'GET /api/video/nope': () => notFound,
      'GET /api/video/nope/events': () => notFound,
      'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
    });
    renderWithProviders(
      <Routes>
        <Route path="/videos/:id" element={<VideoDetailPage />} />
      </Routes>,
      { route: '/videos/nope' },
    );
    expect(await screen.findByText('Video not found')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to my videos' }).getAttribute('href')).toBe(
      '/videos',
    );
    expect(screen.queryByRole('button', { name: /try again/i })).toBeNull();
    // It does not keep asking for a video that is not there.
    await new Promise((r) => setTimeout(r, 1500));
    expect(net.to('GET', '/api/video/nope').length).toBeLessThanOrEqual(1);
  });
});
