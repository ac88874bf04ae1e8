import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  isTerminalPromotionStatus,
  type ApplicationAction,
  type ApplicationActionRequest,
  type ApplicationSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { ArgoCdRequestError, type ArgoCdClient } from '../argocd/ArgoCdClient';
import type { ArgoApplication } from '../argocd/types';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { PromotionStore } from '../database/PromotionStore';
import { summarizeApplication } from '../deployments/summarizeApplication';
import type { Inventory } from '../inventory/Inventory';

/** One request: the action, on which of the entity's applications, with the sync options. */
export type ApplicationActionCall = ApplicationActionRequest & { entity: Entity; action: ApplicationAction };

/**
 * Sync, refresh, hard refresh and terminate through Argo CD's API, so Argo CD's RBAC
 * applies on top of ours. Only an application of the entity in the named environment
 * can be targeted, and a sync that would fight the promotion flow (another revision
 * than git's while a promotion is active) is refused with the reason.
 */
export class ApplicationActionService {
  constructor(
    private readonly options: {
      config: GitopsConfig;
      inventory: Pick<Inventory, 'index' | 'refreshApplication'>;
      clients: Map<string, ArgoCdClient>;
      promotions: Pick<PromotionStore, 'list'>;
    },
  ) {}

  async run(call: ApplicationActionCall): Promise<ApplicationSummary> {
    const { application, client } = this.findTarget(call);
    const { name, namespace } = application.metadata;
    if (call.action === 'sync') await this.checkSync(call, application);
    const answered = await refusalsExplained(call.action, () => this.act(call, client, name, namespace));
    // The stream brings the change anyway; re-reading now shows it on the next view.
    await this.options.inventory.refreshApplication(call.instance, name, namespace);
    const instance = this.options.config.argocd.instances.find(i => i.name === call.instance);
    return summarizeApplication({ instance: call.instance, application: answered ?? (await client.getApplication(name, namespace)) }, instance);
  }

  private async act(call: ApplicationActionCall, client: ArgoCdClient, name: string, namespace?: string) {
    switch (call.action) {
      case 'sync':
        return client.syncApplication(name, { appNamespace: namespace, revision: call.revision, prune: call.prune, dryRun: call.dryRun });
      case 'refresh':
        return client.refreshApplication(name, namespace, 'normal');
      case 'hard-refresh':
        return client.refreshApplication(name, namespace, 'hard');
      case 'terminate':
        await client.terminateOperation(name, namespace);
        return undefined;
      default:
        throw new InputError(`action: unknown application action '${call.action}'`);
    }
  }

  /** Sync options only with a sync; a revision other than git's only while nothing is being promoted. */
  private async checkSync(call: ApplicationActionCall, application: ArgoApplication) {
    const gitRevision = application.spec?.source?.targetRevision ?? application.spec?.sources?.[0]?.targetRevision;
    const revision = call.revision;
    if (!revision || revision === gitRevision || revision === application.status?.sync?.revision) return;
    if (application.spec?.syncPolicy?.automated) {
      throw new ConflictError(
        `Cannot sync ${application.metadata.name} to ${revision}: it syncs automatically to ${gitRevision ?? 'its target revision'}, which git decides`,
      );
    }
    const entityRef = stringifyEntityRef(call.entity);
    const active = (await this.options.promotions.list({ entityRef, limit: 50 })).find(
      p => p.to === call.environment && !isTerminalPromotionStatus(p.status),
    );
    if (active) {
      throw new ConflictError(
        `Cannot sync ${application.metadata.name} to ${revision}: promotion ${active.id} of ${active.version.tag} to ${call.environment} is ${active.status}, and git says ${gitRevision ?? 'another revision'}`,
      );
    }
  }

  private findTarget(call: ApplicationActionCall) {
    const app = this.options.inventory
      .index()
      .inEnvironment(call.entity, call.environment)
      .find(a => a.instance === call.instance && a.application.metadata.name === call.application);
    const client = app && this.options.clients.get(app.instance);
    if (!app || !client) {
      throw new NotFoundError(
        `No application ${call.application} of Argo CD instance '${call.instance}' belongs to this entity in environment '${call.environment}'`,
      );
    }
    if ((call.prune || call.dryRun || call.revision) && call.action !== 'sync') {
      throw new InputError(`prune, dryRun and revision go with a sync, not with ${call.action}`);
    }
    return { application: app.application, client };
  }
}

/**
 * Argo CD's refusals in words a person can act on: an operation already running, or
 * none to terminate, is a conflict (409); a request it finds invalid (an unknown
 * revision) is the caller's (400); its RBAC refusing stays a 403.
 */
async function refusalsExplained<T>(action: ApplicationAction, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof ArgoCdRequestError)) throw error;
    const reason = error.message.replace(/^Argo CD instance '[^']+' answered \d+ for [^:]+: /, '');
    if (/in progress/i.test(reason)) throw new ConflictError(`Argo CD refused to ${action}: ${reason}`);
    if (error.status === 400) throw new InputError(`Argo CD refused to ${action}: ${reason}`);
    throw error;
  }
}
