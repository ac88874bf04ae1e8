import type { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { ArgoCdClient } from '../argocd/ArgoCdClient';
import type { Inventory } from '../inventory/Inventory';

/**
 * Argo CD's own rollback (`POST /api/v1/applications/{name}/rollback` to a
 * `status.history` id), for applications without automated sync: it changes the live
 * state, not git, so it is offered beside the GitOps-native rollback, never instead.
 * With automated sync on it is refused with the reason, as Argo CD refuses it too.
 */
export class ArgoCdRollbackService {
  constructor(
    private readonly inventory: Pick<Inventory, 'index' | 'refreshApplication'>,
    private readonly clients: Map<string, ArgoCdClient>,
  ) {}

  async rollback(entity: Entity, request: { environment: string; application: string; historyId: number }) {
    const app = this.inventory
      .index()
      .inEnvironment(entity, request.environment)
      .find(a => a.application.metadata.name === request.application);
    if (!app) {
      throw new NotFoundError(`No Argo CD application ${request.application} of this entity in ${request.environment}`);
    }
    if (app.application.spec?.syncPolicy?.automated) {
      throw new ConflictError(
        `${request.application} has automated sync: Argo CD would undo a rollback of the live state at once. Roll back through git instead.`,
      );
    }
    const entry = app.application.status?.history?.find(h => Number(h.id) === request.historyId);
    if (!entry) {
      throw new InputError(`historyId: ${request.historyId} is not in ${request.application}'s history`);
    }
    const client = this.clients.get(app.instance)!;
    await client.rollbackApplication(request.application, request.historyId, app.application.metadata.namespace);
    await this.inventory.refreshApplication(app.instance, request.application, app.application.metadata.namespace);
    return { application: request.application, historyId: request.historyId, revision: entry.revision };
  }
}
