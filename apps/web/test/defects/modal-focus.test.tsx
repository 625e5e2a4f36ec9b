import { useState } from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { PurchaseModal } from '../../src/components/PurchaseModal';
import { queryKeys } from '../../src/api/queries';
import { emulatorConfig, emptyHistoryRoutes, proPackage } from '../fixtures';
import { balanceResponse, fakeFetch, renderWithProviders } from '../helpers';

// Issue 15, defect 3: closing the purchase modal left focus on <body>, because the card field
// focused itself before the modal recorded who opened it.
function Opener() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Buy Pro
      </button>
      {open ? <PurchaseModal pkg={proPackage} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

describe('purchase modal focus', () => {
  it('returns to the button that opened it', async () => {
    fakeFetch({
      'GET /api/config': () => ({ json: emulatorConfig }),
      'GET /api/credits/balance': () => ({ json: balanceResponse(10) }),
      ...emptyHistoryRoutes,
    });
    const { queryClient } = renderWithProviders(<Opener />, { route: '/credits' });
    // Config already loaded (any second opening): the card form mounts with the dialog.
    queryClient.setQueryData(queryKeys.config, emulatorConfig);
    const user = userEvent.setup();
    const opener = screen.getByRole('button', { name: 'Buy Pro' });
    await user.click(opener);
    const card = await screen.findByLabelText('Card number');
    expect(document.activeElement).toBe(card);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });
});
