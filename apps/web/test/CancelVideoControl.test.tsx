import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Video } from '@app/shared';
import { CANCEL_POLICY, CancelVideoControl } from '../src/components/CancelVideoControl';

function video(status: 'queued' | 'processing', progress: number, creditsUsed: number) {
  return {
    id: 'v1',
    status,
    prompt: 'A calm lake',
    durationMinutes: 12,
    resolution: '720p',
    customMusic: false,
    premiumTTS: false,
    aiEnhancement: false,
    creditsUsed,
    creditsRefunded: 0,
    progress,
    error: null,
    fileUrl: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    completedAt: null,
  } satisfies Video;
}

describe('CancelVideoControl', () => {
  it('shows what comes back and the policy before canceling a rendering video', async () => {
    const onConfirm = vi.fn();
    render(
      <CancelVideoControl
        video={video('processing', 38, 60)}
        pending={false}
        onConfirm={onConfirm}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onConfirm).not.toHaveBeenCalled();
    // 62 % of 60 is not rendered yet: 37.2, rounded up in the user's favour.
    expect(screen.getByTestId('cancel-confirm').textContent).toContain(
      'Cancel now: 38 of 60 credits come back.',
    );
    expect(screen.getByTestId('cancel-confirm').textContent).toContain('38% rendered');
    expect(screen.getByTestId('cancel-policy').textContent).toBe(CANCEL_POLICY);
    await userEvent.click(screen.getByRole('button', { name: 'Yes, cancel video' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('promises everything back for a queued video, and "Keep it" cancels nothing', async () => {
    const onConfirm = vi.fn();
    render(
      <CancelVideoControl video={video('queued', 0, 60)} pending={false} onConfirm={onConfirm} />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.getByTestId('cancel-confirm').textContent).toContain(
      'Cancel now: 60 of 60 credits come back.',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByTestId('cancel-confirm')).toBeNull();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
