/**
 * Values kept for a time, with loads shared while in flight: a burst of page views
 * for the same namespace becomes one upstream list, not one per view. A failure is
 * kept for a shorter time, so a broken cluster is neither hammered nor remembered
 * as broken long after it recovered.
 */
export class TtlCache<T> {
  private readonly entries = new Map<
    string,
    { value: Promise<T>; expiresAt: number; loadedAt?: number }
  >();
  private readonly errorTtlMs: number;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.errorTtlMs = Math.min(ttlMs, 5_000);
  }

  /**
   * The cached value, loaded when missing or expired; with `maxAgeMs`, also when it
   * was loaded longer ago than that (a load in flight is always shared).
   */
  get(key: string, load: () => Promise<T>, maxAgeMs?: number): Promise<T> {
    const now = this.now();
    const cached = this.entries.get(key);
    const tooOld =
      maxAgeMs !== undefined && cached?.loadedAt !== undefined && now - cached.loadedAt > maxAgeMs;
    if (cached && cached.expiresAt > now && !tooOld) return cached.value;
    this.prune(now);
    // Until the load settles the entry never expires, so callers share it.
    // async wrapper: a load that throws synchronously still yields a rejected promise.
    const entry: { value: Promise<T>; expiresAt: number; loadedAt?: number } = {
      value: (async () => load())(),
      expiresAt: Infinity,
    };
    this.entries.set(key, entry);
    entry.value.then(
      () => {
        entry.loadedAt = this.now();
        entry.expiresAt = entry.loadedAt + this.ttlMs;
      },
      () => {
        entry.expiresAt = this.now() + this.errorTtlMs;
      },
    );
    return entry.value;
  }

  private prune(now: number) {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
