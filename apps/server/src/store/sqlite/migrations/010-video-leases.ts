/**
 * Render jobs are leased, not owned by "the" process: a worker claims a video for a while
 * (`lease_owner`, `lease_until`) and renews the lease as it renders. A job whose lease ran out
 * belonged to a worker that died or stalled; the reaper puts it back in the queue (or fails and
 * refunds it after too many attempts). Nothing is recovered "at restart", which with several
 * instances would steal the live work of another one.
 *
 * Videos left processing by a version without leases have no lease: the reaper treats them as
 * expired. The index holds only rendering jobs, ordered by when their lease ends.
 */
export const sql = `
ALTER TABLE video_generations ADD COLUMN lease_owner TEXT;
ALTER TABLE video_generations ADD COLUMN lease_until TEXT;
CREATE INDEX video_generations_leases
  ON video_generations (lease_until)
  WHERE status = 'processing';
`;
