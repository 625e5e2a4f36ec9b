import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { GenerateForm } from '../../src/components/GenerateForm';
import { balanceResponse, renderWithProviders } from '../helpers';

// Issue 15, defect 5: 0.0001 min was accepted, charged and listed as "0 min".
describe('the minimum duration in the studio', () => {
  it('refuses durations under 0.1 min with a sentence, and the field says so', async () => {
    const onGenerate = vi.fn();
    renderWithProviders(
      <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={onGenerate} />,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Prompt'), 'A tiny clip');
    const duration = screen.getByLabelText('Duration (minutes)');
    expect(duration.getAttribute('min')).toBe('0.1');
    await user.clear(duration);
    await user.type(duration, '0.0001');
    const button = screen.getByRole('button', { name: /^Generate video/ }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByTestId('generate-reason').textContent).toMatch(/at least 0\.1 minutes/);
    await user.click(button);
    expect(onGenerate).not.toHaveBeenCalled();
  });
});
