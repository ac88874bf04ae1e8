/** The outcome of one read: the value, or why there is none. */
export type ReadResult<T> = { value: T } | { error: Error };

/**
 * Runs a read at most once at a time. A trigger while a read is in flight does not
 * start a second request (a burst of signals would otherwise fan out into a burst of
 * identical requests): it marks one re-read, run when the current read ends, because
 * the read in flight may have started before the change the trigger announces.
 */
export class CoalescingReader<T> {
  private inFlight = false;
  private rerun = false;
  private disposed = false;
  private started = 0;
  private delivered = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly onResult: (result: ReadResult<T>) => void,
  ) {}

  /** Reads now, or once more after the read in flight. */
  trigger(): void {
    if (this.disposed) return;
    if (this.inFlight) {
      this.rerun = true;
      return;
    }
    void this.run();
  }

  /** Drops the answer in flight and stops reading: its key is gone or the view unmounted. */
  dispose(): void {
    this.disposed = true;
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    const sequence = ++this.started;
    const result = await settle(this.read);
    this.inFlight = false;
    if (this.disposed) return;
    // Reads never overlap today; the sequence check keeps "an older answer never
    // replaces a newer one" true even if that changes.
    if (sequence > this.delivered) {
      this.delivered = sequence;
      this.onResult(result);
    }
    if (this.rerun) {
      this.rerun = false;
      this.trigger();
    }
  }
}

async function settle<T>(read: () => Promise<T>): Promise<ReadResult<T>> {
  try {
    return { value: await read() };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}
