import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { GenerateForm } from '../../src/components/GenerateForm';
import { writeSession } from '../../src/auth/session';
import { balanceResponse, renderWithProviders } from '../helpers';

// Issue 15, defect 2: user A's unsent prompt appeared for user B in the same browser.
const tokenFor = (sub: string) => `h.${btoa(JSON.stringify({ sub })).replace(/=+$/, '')}.s`;
const signInAs = (sub: string) =>
  writeSession({ token: tokenFor(sub), expiresAt: '2999-01-01T00:00:00.000Z' });
const form = () =>
  renderWithProviders(
    <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={vi.fn()} />,
  );
const prompt = () => (screen.getByLabelText('Prompt') as HTMLTextAreaElement).value;

describe('studio drafts', () => {
  it("belong to one account: the next person in the browser never sees the last one's", async () => {
    signInAs('user-a');
    const a = form();
    await userEvent.setup().type(screen.getByLabelText('Prompt'), 'Secret plans of user A');
    a.unmount();

    signInAs('user-b');
    const b = form();
    expect(prompt()).toBe('');
    b.unmount();

    // The same person coming back (a re-login after an expired session) still has theirs.
    signInAs('user-a');
    form();
    expect(prompt()).toBe('Secret plans of user A');
  });

  it('are gone after signing out', async () => {
    signInAs('user-a');
    const a = form();
    await userEvent.setup().type(screen.getByLabelText('Prompt'), 'Draft');
    a.unmount();
    const { clearDrafts } = await import('../../src/lib/draft');
    clearDrafts();
    form();
    expect(prompt()).toBe('');
  });
});
