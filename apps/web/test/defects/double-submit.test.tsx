import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { StudioPage } from '../../src/pages/StudioPage';
import { writeSession } from '../../src/auth/session';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defect 1: a double click on Generate made two videos and charged twice.
const video = (id: string) => ({
  id,
  status: 'queued',
  prompt: 'A quiet harbour at dawn',
  durationMinutes: 1,
  resolution: '720p',
  customMusic: false,
  premiumTTS: false,
  aiEnhancement: false,
  creditsUsed: 5,
  creditsRefunded: 0,
  progress: 0,
  error: null,
  fileUrl: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  completedAt: null,
});

function network(replies: Array<{ status: number; json: unknown }>) {
  let n = 0;
  return fakeFetch({
    'GET /api/credits/balance': () => ({ json: balanceResponse(100) }),
    'GET /api/credits/packages': () => ({ json: { packages: [] } }),
    'POST /api/video/generate': async () => {
      await new Promise((r) => setTimeout(r, 30));
      const reply = replies[Math.min(n, replies.length - 1)]!;
      n += 1;
      return reply;
    },
    'GET /api/video/v1': () => ({ json: { video: video('v1') } }),
    'GET /api/video/v1/events': () => ({ status: 404, json: {} }),
  });
}

const started = (id: string) => ({
  status: 202,
  json: { video: video(id), creditsUsed: 5, newBalance: 95 },
});
const serverError = { status: 500, json: { error: { code: 'INTERNAL_ERROR', message: 'x' } } };

async function fill() {
  writeSession({ token: 'a.eyJzdWIiOiJ1MSJ9.s', expiresAt: '2999-01-01T00:00:00.000Z' });
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Prompt'), 'A quiet harbour at dawn');
  const button = await screen.findByRole('button', { name: /^Generate video · 5 credits/ });
  return { user, button };
}

describe('Generate, clicked twice', () => {
  beforeEach(() => {
    // jsdom has no layout: the page scrolls the new video into view after a success.
    Element.prototype.scrollIntoView = () => {};
  });

  it('sends one request for a double click, and the button is disabled while it runs', async () => {
    const net = network([started('v1')]);
    renderWithProviders(<StudioPage />, { route: '/studio' });
    const { button } = await fill();
    // Two clicks in the same frame, before React re-renders: what a double click delivers.
    fireEvent.click(button);
    fireEvent.click(button);
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(true));
    await screen.findByTestId('video-card');
    await new Promise((r) => setTimeout(r, 100));
    expect(net.to('POST', '/api/video/generate')).toHaveLength(1);
    await screen.findByRole('button', { name: /Generate another copy/ });
    // After success the form says the video is on its way instead of inviting the same order.
    expect(screen.getByTestId('generate-started').textContent).toContain('on its way');
  });

  it('keeps the key across a retry of the same submission, and makes a new one after an edit', async () => {
    const net = network([serverError, serverError, started('v1')]);
    renderWithProviders(<StudioPage />, { route: '/studio' });
    const { user, button } = await fill();
    await user.click(button);
    await screen.findByTestId('generate-error');
    await user.click(screen.getByRole('button', { name: /^Generate video/ }));
    await waitFor(() => expect(net.to('POST', '/api/video/generate')).toHaveLength(2));
    await user.type(screen.getByLabelText('Prompt'), ' again');
    await waitFor(() =>
      expect(
        (screen.getByRole('button', { name: /^Generate video/ }) as HTMLButtonElement).disabled,
      ).toBe(false),
    );
    await user.click(screen.getByRole('button', { name: /^Generate video/ }));
    await waitFor(() => expect(net.to('POST', '/api/video/generate')).toHaveLength(3));
    const keys = net.to('POST', '/api/video/generate').map((r) => r.headers.get('Idempotency-Key'));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });
});
