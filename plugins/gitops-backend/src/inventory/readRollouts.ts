import type { IAnalysisRun } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisRun';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { currentAnalysisRun, trimAnalysisRun, type AnalysisRunReadError } from '../rollouts/analysisRuns';
import { ArgoCdRequestError, type ArgoCdClient } from '../argocd/ArgoCdClient';
import { managedRollouts } from '../argocd/trimApplication';
import type { ArgoApplication } from '../argocd/types';
import type { InventoryEntry, RolloutReadError } from './InventoryEntry';

/**
 * The live Rollouts an application manages, read through Argo CD's resource route. A
 * Rollout Argo CD does not have (404: not created yet, or pruned) is absent; any other
 * failure leaves it unknown with the error, so "rollout complete" is never concluded
 * from a read that failed.
 */
export async function readRollouts(
  client: ArgoCdClient,
  app: ArgoApplication,
): Promise<Pick<InventoryEntry, 'rollouts' | 'rolloutErrors' | 'analysisRuns' | 'analysisRunErrors'>> {
  const rollouts: IRollout[] = [];
  const rolloutErrors: RolloutReadError[] = [];
  await Promise.all(
    managedRollouts(app).map(async resource => {
      const namespace = resource.namespace ?? '';
      try {
        rollouts.push(
          await client.getResource<IRollout>(
            app.metadata.name,
            {
              namespace,
              resourceName: resource.name!,
              version: resource.version ?? 'v1alpha1',
              kind: 'Rollout',
              group: 'argoproj.io',
            },
            app.metadata.namespace,
          ),
        );
      } catch (error) {
        if (error instanceof ArgoCdRequestError && error.status === 404) return;
        rolloutErrors.push({ namespace, name: resource.name!, message: (error as Error).message });
      }
    }),
  );
  const order = (r: { namespace?: string; name?: string }) => `${r.namespace}/${r.name}`;
  rollouts.sort((a, b) => order(a.metadata ?? {}).localeCompare(order(b.metadata ?? {})));
  return { rollouts, rolloutErrors, ...(await readAnalysisRuns(client, app, rollouts)) };
}

/**
 * The AnalysisRuns the Rollouts' status points at, through the same resource route (Argo
 * CD serves the children of what it manages: the controller creates AnalysisRuns owned by
 * the Rollout). One that could not be read is kept as an error: its metrics are unknown.
 */
async function readAnalysisRuns(
  client: ArgoCdClient,
  app: ArgoApplication,
  rollouts: IRollout[],
): Promise<{ analysisRuns?: IAnalysisRun[]; analysisRunErrors?: AnalysisRunReadError[] }> {
  const analysisRuns: IAnalysisRun[] = [];
  const analysisRunErrors: AnalysisRunReadError[] = [];
  await Promise.all(
    rollouts.map(async rollout => {
      const run = currentAnalysisRun(rollout);
      const namespace = rollout.metadata?.namespace ?? '';
      if (!run) return;
      try {
        const live = await client.getResource<IAnalysisRun>(
          app.metadata.name,
          { namespace, resourceName: run.name, version: 'v1alpha1', kind: 'AnalysisRun', group: 'argoproj.io' },
          app.metadata.namespace,
        );
        analysisRuns.push(trimAnalysisRun(live));
      } catch (error) {
        analysisRunErrors.push({ namespace, name: run.name, message: (error as Error).message });
      }
    }),
  );
  return {
    ...(analysisRuns.length ? { analysisRuns } : {}),
    ...(analysisRunErrors.length ? { analysisRunErrors } : {}),
  };
}

/**
 * A settled application keeps the Rollouts read last time, so a quiet application costs
 * no live-resource call when Argo CD reports it again (every reconciliation bumps its
 * resourceVersion). Settled means Healthy, read without errors last time, and nothing
 * Argo CD reports about it changed (revision, sync, images, last operation, resource
 * health).
 */
export function reusableRollouts(
  app: ArgoApplication,
  previous: InventoryEntry | undefined,
): Pick<InventoryEntry, 'rollouts' | 'rolloutErrors' | 'analysisRuns'> | undefined {
  if (!previous || previous.rolloutErrors.length || previous.analysisRunErrors?.length) return undefined;
  if (app.status?.health?.status !== 'Healthy') return undefined;
  return fingerprint(previous.application) === fingerprint(app)
    ? { rollouts: previous.rollouts, rolloutErrors: [], ...(previous.analysisRuns ? { analysisRuns: previous.analysisRuns } : {}) }
    : undefined;
}

function fingerprint(app: ArgoApplication): string {
  const status = app.status ?? {};
  return JSON.stringify([
    status.sync?.status,
    status.sync?.revision,
    status.health?.status,
    // Argo CD reports the images of the live resources: a new one means a new template.
    status.summary?.images,
    status.operationState?.phase,
    status.operationState?.finishedAt,
    status.history?.[status.history.length - 1]?.id,
    managedRollouts(app).map(r => [r.namespace, r.name, r.health?.status, r.health?.message]),
  ]);
}
