/** Finished mail (sent, failed, canceled) is pruned by age: an index over just those rows. */
export const sql = `
CREATE INDEX mail_outbox_finished_by_age ON mail_outbox (created_at)
  WHERE state IN ('sent', 'failed', 'canceled');
`;
