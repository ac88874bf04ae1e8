import type { Entity } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  rolloutActionConflict,
  type RolloutAction,
  type RolloutSummary,
} from '@gitops-suite/backstage-plugin-gitops-common';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { ArgoCdClient, ResourceRef } from '../argocd/ArgoCdClient';
import { managedRollouts } from '../argocd/trimApplication';
import type { GitopsConfig } from '../config/gitopsConfig';
import type { Inventory } from '../inventory/Inventory';
import { summarizeRollout } from './summarizeRollout';
import type { KubernetesRolloutControl } from './KubernetesRolloutControl';
import type { ClusterHint } from '../kubernetes/workloadCluster';

/** Our action names mapped to Argo CD's built-in `argoproj.io/Rollout` actions. */
const ARGOCD_ACTION: Record<RolloutAction, string> = {
  promote: 'resume',
  'promote-full': 'promote-full',
  abort: 'abort',
  retry: 'retry',
  pause: 'pause',
  restart: 'restart',
};

export interface RolloutActionRequest {
  entity: Entity;
  environment: string;
  namespace: string;
  name: string;
  action: RolloutAction;
}

/**
 * Runs a rollout control through Argo CD's resource actions, so Argo CD's own RBAC
 * (`action/argoproj.io/Rollout/<action>`) applies too. Only Rollouts managed by the
 * entity's applications in the given environment can be targeted, and the action must
 * be valid in the Rollout's live state.
 */
export class RolloutActionService {
  constructor(
    private readonly config: GitopsConfig,
    private readonly inventory: Pick<Inventory, 'index' | 'refreshApplication'>,
    private readonly clients: Map<string, ArgoCdClient>,
    private readonly kubernetes?: KubernetesRolloutControl,
  ) {}

  async run(request: RolloutActionRequest): Promise<RolloutSummary> {
    const target = await this.findTarget(request);
    const environment = this.config.environments.find(e => e.name === request.environment)!;
    if (environment.rolloutControl === 'kubernetes') {
      return this.runThroughKubernetes(request, target, {
        cluster: environment.kubernetesCluster,
        destination: target.destination,
        environment: environment.name,
      });
    }
    const client = this.clients.get(target.instance)!;
    const live = await client.getResource<IRollout>(target.appName, target.ref, target.appNamespace);
    const conflict = rolloutActionConflict(summarizeRollout(live), request.action);
    if (conflict) throw new ConflictError(`Cannot ${request.action}: ${conflict}`);

    const argoAction = ARGOCD_ACTION[request.action];
    const offered = await client.listResourceActions(target.appName, target.ref, target.appNamespace);
    const offer = offered.find(a => a.name === argoAction);
    if (!offer || offer.disabled) {
      throw new ConflictError(
        `Cannot ${request.action}: Argo CD instance '${target.instance}' does not offer '${argoAction}' on Rollout ${request.namespace}/${request.name} now`,
      );
    }
    await client.runResourceAction(target.appName, target.ref, argoAction, target.appNamespace);

    // Follow the rollout at once rather than at the next stream event.
    await this.inventory.refreshApplication(target.instance, target.appName, target.appNamespace);
    const after = await client.getResource<IRollout>(target.appName, target.ref, target.appNamespace);
    return summarizeRollout(after);
  }

  private async runThroughKubernetes(
    request: RolloutActionRequest,
    target: { instance: string; appName: string; appNamespace?: string },
    hint: ClusterHint,
  ) {
    if (!this.kubernetes) {
      throw new ConflictError(`Environment ${request.environment} controls rollouts through Kubernetes, but no cluster is configured`);
    }
    const found = await this.kubernetes.find(request.namespace, request.name, hint);
    if (!found) {
      throw new NotFoundError(`Rollout ${request.namespace}/${request.name} is not in its Kubernetes cluster`);
    }
    const conflict = rolloutActionConflict(summarizeRollout(found.rollout), request.action);
    if (conflict) throw new ConflictError(`Cannot ${request.action}: ${conflict}`);
    await this.kubernetes.run(found.cluster, found.ref, found.rollout, request.action);
    await this.inventory.refreshApplication(target.instance, target.appName, target.appNamespace);
    const after = await this.kubernetes.find(request.namespace, request.name, { cluster: found.cluster.name });
    return summarizeRollout(after!.rollout);
  }

  private async findTarget({ entity, environment, namespace, name }: RolloutActionRequest) {
    for (const app of this.inventory.index().inEnvironment(entity, environment)) {
      const rollout = managedRollouts(app.application).find(
        r => r.namespace === namespace && r.name === name,
      );
      if (rollout && this.clients.has(app.instance)) {
        const ref: ResourceRef = {
          namespace,
          resourceName: name,
          version: rollout.version ?? 'v1alpha1',
          kind: 'Rollout',
          group: 'argoproj.io',
        };
        return {
          instance: app.instance,
          appName: app.application.metadata.name,
          appNamespace: app.application.metadata.namespace,
          destination: app.application.spec?.destination,
          ref,
        };
      }
    }
    throw new NotFoundError(
      `No Rollout ${namespace}/${name} belongs to this entity in environment '${environment}'`,
    );
  }
}
