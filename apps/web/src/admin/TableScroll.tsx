import type { ReactNode } from 'react';

/**
 * A wide table's horizontal scroller. Console tables are wider than a phone (and the audit
 * log than a laptop), and hold nothing focusable: the scroller itself takes focus so keyboard
 * users can scroll it (axe: scrollable-region-focusable), and is named for the landmark list.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
