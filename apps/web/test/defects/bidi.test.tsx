import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { UserText } from '../../src/components/UserText';

// Issue 15, defect 12: a name with bidi controls reordered the header ("evil" shown as "live").
describe('user text', () => {
  it('is isolated and carries no bidi controls', () => {
    const { container } = render(
      <p>
        Hello <UserText>{'\u202eevil\u202c \u2066x\u2069 \u200fy'}</UserText>!
      </p>,
    );
    const bdi = container.querySelector('bdi');
    expect(bdi).not.toBeNull();
    expect(bdi!.textContent).toBe('evil x y');
    expect(container.textContent).not.toMatch(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });
});
