/** Lets expired idempotency records be found by age without scanning the table. */
export const sql = `
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
`;
