import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { CREDIT_PACKAGES, calculateCost, creditsValueCents, type CostOptions } from '@app/shared';
import { CostCalculator } from '../src/components/CostCalculator';
import { writeSession } from '../src/auth/session';
import { GenerateForm } from '../src/components/GenerateForm';
import { formatCents } from '../src/lib/money';
import { balanceResponse, renderWithProviders } from './helpers';

const pro = CREDIT_PACKAGES.find((p) => p.bestValue)!;

describe('CostCalculator', () => {
  const cases: CostOptions[] = [
    { durationMinutes: 1, resolution: '720p' },
    { durationMinutes: 2.5, resolution: '1080p', customMusic: true },
    { durationMinutes: 0.1, resolution: '720p', premiumTTS: true, aiEnhancement: true },
    {
      durationMinutes: 60,
      resolution: '1080p',
      customMusic: true,
      premiumTTS: true,
      aiEnhancement: true,
    },
  ];

  it.each(cases)('shows exactly what the shared calculateCost bills for %o', (options) => {
    const cost = calculateCost(options);
    renderWithProviders(
      <CostCalculator
        cost={cost}
        durationMinutes={options.durationMinutes}
        resolution={options.resolution}
        balance={1000}
        valuePackage={pro}
      />,
    );
    expect(screen.getByTestId('cost-total').textContent).toBe(
      `${cost.total}${cost.total === 1 ? 'credit' : 'credits'}`,
    );
    expect(screen.getByTestId('balance-after').textContent).toBe(`${1000 - cost.total} credits`);
    expect(
      screen.getByText(
        new RegExp(formatCents(creditsValueCents(cost.total, pro)).replace('$', '\\$')),
      ),
    ).toBeTruthy();
  });

  it('explains per-started-minute billing', () => {
    renderWithProviders(
      <CostCalculator
        cost={calculateCost({ durationMinutes: 2.5, resolution: '720p' })}
        durationMinutes={2.5}
        resolution="720p"
        balance={10}
        valuePackage={pro}
      />,
    );
    expect(screen.getByText('2.5 min is billed as 3 started minutes')).toBeTruthy();
    expect(screen.getByTestId('balance-after').textContent).toBe('-5 credits');
  });
});

describe('GenerateForm', () => {
  async function typePrompt(text = 'A fox in the snow') {
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Prompt'), text);
    return user;
  }

  const generateButton = () =>
    screen.getByRole('button', { name: /Generate video/ }) as HTMLButtonElement;

  it('enables Generate when the balance covers the cost and sends the parsed request', async () => {
    const onGenerate = vi.fn();
    renderWithProviders(
      <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={onGenerate} />,
    );
    const user = await typePrompt();
    expect(generateButton().disabled).toBe(false);
    expect(generateButton().textContent).toBe('Generate video · 5 credits');
    await user.click(generateButton());
    expect(onGenerate).toHaveBeenCalledWith({
      prompt: 'A fox in the snow',
      durationMinutes: 1,
      resolution: '720p',
      customMusic: false,
      premiumTTS: false,
      aiEnhancement: false,
    });
  });

  it('updates the cost live from calculateCost as options change', async () => {
    renderWithProviders(
      <GenerateForm balance={balanceResponse(500)} submitting={false} onGenerate={vi.fn()} />,
    );
    const user = await typePrompt();
    const duration = screen.getByLabelText('Duration (minutes)');
    await user.clear(duration);
    await user.type(duration, '2.5');
    await user.click(screen.getByLabelText(/1080p/));
    await user.click(screen.getByLabelText(/Custom music/));
    await user.click(screen.getByLabelText(/AI enhancement/));
    const expected = calculateCost({
      durationMinutes: 2.5,
      resolution: '1080p',
      customMusic: true,
      aiEnhancement: true,
    }).total;
    expect(expected).toBe(30);
    expect(screen.getByTestId('cost-total').textContent).toBe(`${expected}credits`);
    expect(screen.getByTestId('balance-after').textContent).toBe(`${500 - expected} credits`);
  });

  it('disables Generate with the reason and a purchase link when credits are short', async () => {
    renderWithProviders(
      <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={vi.fn()} />,
    );
    const user = await typePrompt();
    const duration = screen.getByLabelText('Duration (minutes)');
    await user.clear(duration);
    await user.type(duration, '3');
    expect(generateButton().disabled).toBe(true);
    const reason = screen.getByTestId('generate-reason');
    expect(reason.textContent).toContain(
      'Not enough credits: this video costs 15 credits and you have 10 credits. You need 5 credits more.',
    );
    expect(generateButton().getAttribute('aria-describedby')).toBe(reason.id);
    expect(within(reason).getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe(
      '/credits',
    );
  });

  it('blocks generation while the account owes credits', async () => {
    renderWithProviders(
      <GenerateForm
        balance={balanceResponse(-20, { owesCredits: true })}
        submitting={false}
        onGenerate={vi.fn()}
      />,
    );
    await typePrompt();
    expect(generateButton().disabled).toBe(true);
    expect(screen.getByTestId('generate-reason').textContent).toMatch(/owes credits/);
  });

  it('rejects durations outside (0, 60] before anything is billed', async () => {
    renderWithProviders(
      <GenerateForm balance={balanceResponse(1000)} submitting={false} onGenerate={vi.fn()} />,
    );
    const user = await typePrompt();
    const duration = screen.getByLabelText('Duration (minutes)');
    for (const value of ['0', '61', '-1']) {
      await user.clear(duration);
      await user.type(duration, value);
      expect(generateButton().disabled).toBe(true);
      expect(screen.getByTestId('cost-total').textContent).toBe('Enter a valid duration');
    }
  });

  it('keeps the draft in sessionStorage so it survives a reload or a re-login', async () => {
    writeSession({ token: `h.${btoa('{"sub":"u1"}')}.s`, expiresAt: '2999-01-01T00:00:00.000Z' });
    const { unmount } = renderWithProviders(
      <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={vi.fn()} />,
    );
    await typePrompt('Keep me');
    unmount();
    renderWithProviders(
      <GenerateForm balance={balanceResponse(10)} submitting={false} onGenerate={vi.fn()} />,
    );
    expect((screen.getByLabelText('Prompt') as HTMLTextAreaElement).value).toBe('Keep me');
  });
});
