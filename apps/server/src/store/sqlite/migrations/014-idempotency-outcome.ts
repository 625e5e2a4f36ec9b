/**
 * A charge's Idempotency-Key remembers what the charge decided (the created video as it was,
 * or the refusal) as JSON, and the HTTP layer encodes it, for the first answer and every
 * replay alike; the store no longer holds HTTP replies for it. Records written before this
 * keep their status and body and replay those, byte for byte, until they expire (24 h).
 */
export const sql = `
ALTER TABLE idempotency_keys ADD COLUMN outcome TEXT;
`;
