/**
 * Tells every instance's idle worker that a video was queued, after the charge committed.
 *
 * A NOTIFY commits under PostgreSQL's one notification-queue lock, held through the commit's
 * WAL flush, so one per charge made charges commit one at a time (migration 4). Here there is
 * at most one announcement in flight per instance: charges that commit meanwhile ask for one
 * more, sent once the current one is done, so every charge is followed by an announcement
 * that started after its commit. The announcement commits without waiting for the flush: it
 * carries no data, and the workers' poll finds a video whose wake-up was lost.
 */
export class QueueAnnouncer {
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(private readonly send: () => Promise<void>) {}

  announce(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.send()
      // A failed announcement is a lost wake-up, which the poll covers (database down: the
      // charges fail too, and the health check says so).
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.announce();
        }
      });
  }

  /** Waits for the announcements asked for so far (before the pool closes). */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }
}
