import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  GITOPS_FLEET_SIGNAL_CHANNEL,
  gitopsEntitySignalChannel,
  type GitopsSignal,
} from '@gitops-suite/backstage-plugin-gitops-common';

type Kind = GitopsSignal['kind'];

/**
 * Tells browsers that what a view shows changed, over Backstage signals: one message
 * per entity channel and kind, and one on the fleet channel, per short window. A
 * burst (a sync touching many applications, a promotion's events) becomes one re-read
 * per open view, not one per change. Signals carry no data: views re-read through
 * the permission-checked routes.
 */
export class ChangeSignals {
  private readonly pending = new Map<string, Set<Kind>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
    private readonly windowMs = 150,
  ) {}

  changed(entityRefs: Iterable<string>, kind: Kind) {
    for (const ref of entityRefs) {
      const kinds = this.pending.get(ref) ?? new Set();
      kinds.add(kind);
      this.pending.set(ref, kinds);
    }
    if (this.pending.size && !this.timer) {
      this.timer = setTimeout(() => this.flush(), this.windowMs);
    }
  }

  /** Something every view may show changed (a stop of the line): one broadcast on the fleet channel. */
  async everywhere(kind: Kind): Promise<void> {
    await this.publish(GITOPS_FLEET_SIGNAL_CHANNEL, { kind });
  }

  /** Publishes what is pending now (also on shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = [...this.pending];
    this.pending.clear();
    if (!pending.length) return;
    const publishes = pending.flatMap(([entityRef, kinds]) =>
      [...kinds].map(kind => this.publish(gitopsEntitySignalChannel(entityRef), { kind })),
    );
    const kinds = new Set(pending.flatMap(([, k]) => [...k]));
    // Broadcast to every signed-in browser: so no entity ref, only that something changed.
    for (const kind of kinds) publishes.push(this.publish(GITOPS_FLEET_SIGNAL_CHANNEL, { kind }));
    await Promise.all(publishes);
  }

  private async publish(channel: string, message: GitopsSignal) {
    try {
      await this.signals.publish({ recipients: { type: 'broadcast' }, channel, message });
    } catch (error) {
      // Views still re-read on their slow fallback poll.
      this.logger.warn(`Publishing signal on ${channel} failed: ${error}`);
    }
  }
}
