/**
 * Lets webhook-event records past their retention be found by age without scanning the
 * table. Events arrive in time order, so the index only ever grows at its right edge.
 */
export const sql = `
CREATE INDEX stripe_events_by_age ON stripe_events (received_at);
`;
