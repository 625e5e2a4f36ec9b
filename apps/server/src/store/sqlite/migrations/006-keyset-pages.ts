/**
 * Pages that cost the same at page 1 and at page 2,000. Each user's ledger entries, videos and
 * payments get a per-user sequence number (1, 2, 3, … in insertion order), so "page N, newest
 * first" is a range seek on (user_id, user_seq) instead of an OFFSET that walks every skipped
 * row, and the total is the highest number (one index probe) instead of a COUNT over all of a
 * user's rows. The API keeps its page numbers.
 *
 * The store numbers each row in its INSERT (user-seq.ts). A ledger entry or video inserted
 * any other way (a script, a test fixture) is numbered by the AFTER INSERT triggers below, so
 * the numbers stay dense whoever writes. Payments get no such trigger: a trigger makes SQLite
 * plan a scan of stripe_events (which references payments) on every payment insert, and
 * payments are only ever created by the store. For that, the ledger's append-only trigger now names the columns it
 * guards (a column added later must be added to it) and a second one lets `user_seq` be set
 * once, from NULL, and never changed. Existing rows are numbered here, once, at upgrade.
 *
 * Also: the start-up release of idempotency records left in progress by a dead process found
 * them with a full scan of idempotency_keys; a partial index holds just those few rows.
 */
const numberOnInsert = (table: string, key: string) => `
CREATE TRIGGER ${table}_numbered AFTER INSERT ON ${table} WHEN NEW.user_seq IS NULL
BEGIN
  UPDATE ${table} SET user_seq = COALESCE((SELECT user_seq FROM ${table}
    WHERE user_id = NEW.user_id ORDER BY user_seq DESC LIMIT 1), 0) + 1
  WHERE ${key} = NEW.${key};
END;`;

const numberExisting = (table: string, key: string, order: string) => `
UPDATE ${table} SET user_seq = numbered.seq
FROM (SELECT ${key}, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ${order}) AS seq
      FROM ${table}) AS numbered
WHERE numbered.${key} = ${table}.${key};`;

export const sql = `
ALTER TABLE transactions ADD COLUMN user_seq INTEGER;
ALTER TABLE video_generations ADD COLUMN user_seq INTEGER;
ALTER TABLE payments ADD COLUMN user_seq INTEGER;

DROP TRIGGER transactions_no_update;
CREATE TRIGGER transactions_no_update BEFORE UPDATE OF
  id, user_id, type, amount, balance_after, reference_type, reference_id, description, created_at
  ON transactions
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER transactions_seq_is_final BEFORE UPDATE OF user_seq ON transactions
WHEN OLD.user_seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

${numberExisting('transactions', 'id', 'id')}
CREATE UNIQUE INDEX transactions_by_user_seq ON transactions (user_id, user_seq);
${numberOnInsert('transactions', 'id')}

${numberExisting('video_generations', 'id', 'created_at, id')}
DROP INDEX video_generations_by_user;
CREATE INDEX video_generations_by_user ON video_generations (user_id, user_seq);
${numberOnInsert('video_generations', 'id')}

${numberExisting('payments', 'id', 'created_at, id')}
DROP INDEX payments_by_user;
CREATE INDEX payments_by_user ON payments (user_id, user_seq);

CREATE INDEX idempotency_keys_in_progress ON idempotency_keys (user_id)
  WHERE state = 'in_progress';
`;
