import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { ArgoApplication } from '../argocd/types';
import type { EnvironmentConfig } from '../config/gitopsConfig';
import { EnvironmentPlacer } from '../inventory/EnvironmentPlacer';
import { entryKey, type InventoryEntry } from '../inventory/InventoryEntry';

/** A row of `gitops_deployments`: one entry of an application's Argo CD sync history. */
export interface DeploymentRow {
  instance: string;
  app_namespace: string;
  app_name: string;
  history_id: string;
  revision: string | null;
  new_revision: boolean;
  environment: string | null;
  deployed_at: Date;
}

/**
 * The sync history entries of an application (Argo CD appends one per successful sync
 * operation, auto-sync included, with the revision it synced and when), as rows. An
 * entry that synced the revision of the entry before it is a re-sync, not a new version.
 */
export function deploymentRowsOf(instance: string, app: ArgoApplication, environment?: string): DeploymentRow[] {
  const history = app.status?.history ?? [];
  return history.flatMap((entry, i) => {
    const deployedAt = entry.deployedAt ? new Date(entry.deployedAt) : undefined;
    if (entry.id === undefined || !deployedAt || Number.isNaN(deployedAt.getTime())) return [];
    const before = history[i - 1];
    return [
      {
        instance,
        app_namespace: app.metadata.namespace ?? '',
        app_name: app.metadata.name,
        history_id: String(entry.id),
        revision: entry.revision ?? null,
        new_revision: !before || !entry.revision || before.revision !== entry.revision,
        environment: environment ?? null,
        deployed_at: deployedAt,
      },
    ];
  });
}

/**
 * Records every version that reached an environment as Argo CD's sync history shows it,
 * so the deployment frequency counts what no promotion made (CI pushing straight to the
 * GitOps repository, a hand edit) too. Fed by the inventory's changes on every replica:
 * an entry is inserted once (the key is the application, the history id and when it
 * synced) and later copies are ignored. A failed write is logged; the next change of the application
 * writes its history again.
 */
export class DeploymentRecorder {
  private readonly placer: EnvironmentPlacer;
  /** The newest history entry (id and time) recorded per application, so an unchanged history is not written again. */
  private readonly recorded = new Map<string, string>();

  constructor(
    private readonly db: Knex,
    environments: Pick<EnvironmentConfig, 'name' | 'match'>[],
    private readonly logger: LoggerService,
  ) {
    this.placer = new EnvironmentPlacer(environments);
  }

  async record(instance: string, entries: InventoryEntry[]): Promise<void> {
    for (const { application } of entries) {
      const key = entryKey(instance, application);
      const rows = deploymentRowsOf(instance, application, this.placer.place(application));
      const last = rows[rows.length - 1];
      const newest = last && `${last.history_id}@${last.deployed_at.getTime()}`;
      if (!newest || this.recorded.get(key) === newest) continue;
      try {
        await this.db('gitops_deployments').insert(rows).onConflict(['instance', 'app_namespace', 'app_name', 'history_id', 'deployed_at']).ignore();
        this.recorded.set(key, newest);
      } catch (error) {
        this.logger.warn(`Could not record the sync history of ${key}: ${error}`);
      }
    }
  }
}
