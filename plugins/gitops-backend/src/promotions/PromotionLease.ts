import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { PromotionStore } from '../database/PromotionStore';

export interface LeaseOptions {
  store: Pick<PromotionStore, 'claimNext' | 'renew' | 'release'>;
  worker: string;
  leaseMs: number;
  now: () => Date;
  logger: LoggerService;
}

/**
 * One promotion leased to this worker while it works on it. A step can last longer
 * than any lease (a git push retried twenty times, a pull request host that hangs), so
 * the lease is renewed in the background, every third of its length, for as long as
 * the worker is alive: a live worker never loses it, a dead one stops renewing and
 * the lease runs out for the other replicas.
 */
export class PromotionLease {
  private lost = false;
  private renewal?: Promise<void>;
  private readonly timer: NodeJS.Timeout;

  /** Leases the next promotion to advance, or undefined when there is none. */
  static async claimNext(options: LeaseOptions, skip: string[] = []): Promise<PromotionLease | undefined> {
    const id = await options.store.claimNext(options.worker, options.leaseMs, options.now(), skip);
    return id ? new PromotionLease(id, options) : undefined;
  }

  private constructor(
    readonly id: string,
    private readonly options: LeaseOptions,
  ) {
    this.timer = setInterval(() => this.renewInBackground(), Math.max(1, Math.floor(options.leaseMs / 3)));
    // The lease never keeps a process alive that is otherwise done.
    this.timer.unref();
  }

  /**
   * Renews now and throws a ConflictError unless this worker still holds the lease:
   * called before a step with effects outside the database (opening a pull request),
   * which must not run once another replica may have taken the promotion over.
   */
  async confirm(what: string): Promise<void> {
    await this.renewal;
    if (!this.lost) await this.renew();
    if (this.lost) {
      throw new ConflictError(`Lease of promotion ${this.id} was lost before it could ${what}: another replica works on it now`);
    }
  }

  /** Stops renewing and gives the promotion back (a no-op once another worker holds it). */
  async end(): Promise<void> {
    clearInterval(this.timer);
    await this.renewal;
    try {
      await this.options.store.release(this.id, this.options.worker);
    } catch (error) {
      // Harmless: the lease runs out on its own, a little later.
      this.options.logger.warn(`Could not release the lease of promotion ${this.id}: ${error}`);
    }
  }

  private renewInBackground() {
    // One renewal at a time: a slow database must not pile them up.
    if (this.renewal || this.lost) return;
    this.renewal = this.renew()
      .catch(error => {
        // Not lost yet: the lease still runs, and a later renewal may get through.
        this.options.logger.warn(`Could not renew the lease of promotion ${this.id}: ${error}`);
      })
      .finally(() => {
        this.renewal = undefined;
      });
  }

  private async renew() {
    const { store, worker, leaseMs, now } = this.options;
    if (await store.renew(this.id, worker, leaseMs, now())) return;
    this.lost = true;
    clearInterval(this.timer);
  }
}
