import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { InventoryStore } from '../database/InventoryStore';
import { InstanceFollower, type FollowerState, type FollowerTiming } from './InstanceFollower';
import { InventoryIndex } from './InventoryIndex';
import { entryKey } from './InventoryEntry';
import { InventoryModel, type InventoryChange } from './InventoryModel';

/** Per-instance state for `/health`. */
export type InstanceStatus = FollowerState & { name: string };

/**
 * The Argo CD inventory of this replica: every instance followed live into an
 * in-memory model (see InstanceFollower), persisted to the database so a restart shows
 * the last known state at once, and read through one index (InventoryIndex) kept up to
 * date one application at a time. Page views make no upstream call.
 */
export class Inventory {
  private readonly model = new InventoryModel();
  private readonly followers: InstanceFollower[];
  private readonly readModel: InventoryIndex;
  private running: Promise<void>[] = [];

  constructor(
    config: GitopsConfig,
    clients: ArgoCdClient[],
    private readonly store: InventoryStore,
    private readonly logger: LoggerService,
    timing?: Partial<FollowerTiming>,
  ) {
    const options = {
      stream: config.argocd.stream,
      pollIntervalMs: config.argocd.refreshIntervalSeconds * 1000,
      resyncIntervalMs: config.argocd.resyncIntervalSeconds * 1000,
      ...timing,
    };
    this.readModel = new InventoryIndex(config, () => ({ errors: this.errors(), observedAt: this.observedAt() }));
    // The read model follows the model one application at a time.
    this.model.onChange(({ instance, entries }) =>
      this.readModel.apply(
        entries.map(({ application }) => {
          const key = entryKey(instance, application);
          return { key, entry: this.model.get(key) };
        }),
      ),
    );
    this.followers = clients.map(
      client => new InstanceFollower(client, this.model, store, logger.child({ instance: client.name }), options),
    );
  }

  /**
   * Loads the last known state, then follows every instance until `stop`. Resolves once
   * every instance was listed once (or failed to be, within its request timeout), so the
   * backend starts with a fresh inventory.
   */
  async start(): Promise<void> {
    const names = new Set(this.followers.map(f => f.instance));
    const stored = (await this.store.listApplications()).filter(e => names.has(e.instance));
    for (const name of names) {
      this.model.replaceInstance(name, stored.filter(e => e.instance === name));
    }
    this.running = this.followers.map(follower => follower.run());
    await Promise.all(this.followers.map(follower => follower.firstList));
  }

  async stop(): Promise<void> {
    this.followers.forEach(f => f.stop());
    await Promise.all(this.running);
  }

  /** The read model of the current inventory. */
  index(): InventoryIndex {
    return this.readModel;
  }

  onChange(listener: (change: InventoryChange) => void): () => void {
    return this.model.onChange(listener);
  }

  /**
   * Re-reads one application now, after an action changed it, so the answer shows the
   * change: never a whole instance. A failed read is only logged (the action itself
   * succeeded, and the stream delivers the change anyway).
   */
  async refreshApplication(instance: string, name: string, appNamespace?: string): Promise<void> {
    const follower = this.followers.find(f => f.instance === instance);
    await follower?.refreshApplication(name, appNamespace).catch(error => {
      this.logger.info(`Re-reading ${name} of Argo CD instance ${instance} failed: ${error}`);
    });
  }

  /**
   * The periodic work of every instance (the plugin schedules it every
   * `refreshIntervalSeconds`): a poll where polling, a resync where one is due.
   */
  async tick(): Promise<void> {
    await Promise.all(this.followers.map(f => f.tick()));
  }

  /** Lists every instance again now (benchmarks). */
  async resync(): Promise<void> {
    await Promise.all(this.followers.map(f => f.list()));
  }

  /** Resolves once every stream event received so far is applied. */
  async settled(): Promise<void> {
    await Promise.all(this.followers.map(f => f.settled()));
  }

  statuses(): InstanceStatus[] {
    return this.followers.map(f => ({ name: f.instance, ...f.state }));
  }

  private errors(): SourceError[] {
    return this.followers.flatMap(({ instance, state }) => {
      const source = `argocd:${instance}`;
      if (!state.listedAt && !state.error) {
        return [{ source, message: `Argo CD instance '${instance}' has not been read yet; its applications appear after the first list` }];
      }
      if (state.error && (!state.listedAt || state.mode === 'polling' || !state.lastEventAt)) {
        const since = state.listedAt ? ` (showing data from ${state.listedAt.toISOString()})` : '';
        return [{ source, message: `${state.error}${since}` }];
      }
      if (state.error) {
        return [{ source, message: `${state.error} (reconnecting; showing data from ${state.lastEventAt!.toISOString()})` }];
      }
      return [];
    });
  }

  private observedAt(): Date | undefined {
    const times = this.followers.map(f => f.state.lastEventAt?.getTime());
    if (times.some(t => t === undefined)) return undefined;
    return times.length ? new Date(Math.min(...(times as number[]))) : undefined;
  }
}
