import fs from 'fs';
import path from 'path';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { trimApplication } from '../argocd/trimApplication';
import type { ArgoApplication } from '../argocd/types';
import { summarizeApplication } from './summarizeApplication';

/*
 * Operation states and resource lists in Argo CD's wire format (v1alpha1OperationState,
 * v1alpha1ResourceResult, v1alpha1ResourceStatus), with every field name checked against
 * the upstream swagger below; values as Argo CD's controller writes them (gitops-engine's
 * sync context: hook phases, "one or more synchronization tasks completed unsuccessfully").
 */
const swagger = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../../../fixtures/upstream/argocd-swagger.json'), 'utf8'),
);
const fields = (definition: string) => Object.keys(swagger.definitions[definition].properties);

const REVISION = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2';
const postSyncFailed = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  namespace: 'payments-staging',
  name: 'payments-api-postsync-smoke',
  status: 'Synced',
  message: 'Job has reached the specified backoff limit',
  hookType: 'PostSync',
  hookPhase: 'Failed',
  syncPhase: 'PostSync',
};
const syncedRollout = { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', namespace: 'payments-staging', name: 'payments-api', status: 'Synced', syncPhase: 'Sync', message: 'rollout.argoproj.io/payments-api configured' };
const operationState = {
  operation: { sync: { revision: REVISION, prune: true }, initiatedBy: { username: 'alice' }, retry: {} },
  phase: 'Failed',
  message: 'one or more synchronization tasks completed unsuccessfully',
  startedAt: '2026-12-02T10:00:00Z',
  finishedAt: '2026-12-02T10:02:00Z',
  syncResult: { revision: REVISION, resources: [syncedRollout, postSyncFailed] },
};

function app(overrides: { operationState?: object; sync?: object; resources?: object[]; automated?: boolean } = {}): ArgoApplication {
  const base = argoApplication('payments-api-staging', { revision: REVISION });
  return {
    ...base,
    spec: { ...base.spec, syncPolicy: overrides.automated ? { automated: { prune: true } } : undefined },
    status: {
      ...base.status,
      ...(overrides.sync ? { sync: overrides.sync } : {}),
      operationState: (overrides.operationState ?? operationState) as never,
      resources: (overrides.resources ?? base.status?.resources) as never,
    },
  } as ArgoApplication;
}
const instance = { name: 'main', url: 'https://argocd.example.com' } as never;

describe('summarizeApplication', () => {
  it('uses only field names of the Argo CD swagger in its samples', () => {
    expect(Object.keys(operationState).filter(k => !fields('v1alpha1OperationState').includes(k))).toEqual([]);
    expect(Object.keys(postSyncFailed).filter(k => !fields('v1alpha1ResourceResult').includes(k))).toEqual([]);
    expect(Object.keys(operationState.operation.initiatedBy).filter(k => !fields('v1alpha1OperationInitiator').includes(k))).toEqual([]);
  });

  it('shows the last operation, who started it and its hooks (the failed one named), after the inventory trims it', () => {
    const summary = summarizeApplication({ instance: 'main', application: trimApplication(app()) }, instance);
    expect(summary.operation).toEqual({
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully',
      revision: REVISION,
      initiatedBy: 'alice',
      startedAt: '2026-12-02T10:00:00Z',
      finishedAt: '2026-12-02T10:02:00Z',
      // Synced resources that are not hooks are left out: only hooks are listed.
      hooks: [
        {
          hookType: 'PostSync',
          hookPhase: 'Failed',
          kind: 'Job',
          namespace: 'payments-staging',
          name: 'payments-api-postsync-smoke',
          message: 'Job has reached the specified backoff limit',
        },
      ],
    });
  });

  it('names an automated sync as such, and a dry run', () => {
    const automated = { ...operationState, phase: 'Running', operation: { sync: { dryRun: true }, initiatedBy: { automated: true } }, syncResult: undefined };
    expect(summarizeApplication({ instance: 'main', application: trimApplication(app({ operationState: automated })) }).operation).toMatchObject({
      phase: 'Running',
      initiatedBy: 'automated',
      dryRun: true,
      hooks: [],
    });
  });

  it('lists OutOfSync resources with their diff in Argo CD, and says "changed outside git" at the revision last synced', () => {
    const configMap = { version: 'v1', kind: 'ConfigMap', namespace: 'payments-staging', name: 'payments-api-config', status: 'OutOfSync' };
    const succeeded = { ...operationState, phase: 'Succeeded', message: 'successfully synced (all tasks run)' };
    const drifted = app({ operationState: succeeded, sync: { status: 'OutOfSync', revision: REVISION }, resources: [configMap] });
    const summary = summarizeApplication({ instance: 'main', application: trimApplication(drifted) }, instance);
    expect(summary.drift).toEqual({
      changedOutsideGit: true,
      resources: [
        {
          kind: 'ConfigMap',
          namespace: 'payments-staging',
          name: 'payments-api-config',
          status: 'OutOfSync',
          diffUrl: 'https://argocd.example.com/applications/argocd/payments-api-staging?node=%2FConfigMap%2Fpayments-staging%2Fpayments-api-config%2F0&tab=diff',
        },
      ],
      total: 1,
    });
    // A new revision in git is not a change by hand; nor is drift that auto-sync will put back.
    const newCommit = app({ operationState: succeeded, sync: { status: 'OutOfSync', revision: 'f'.repeat(40) }, resources: [configMap] });
    expect(summarizeApplication({ instance: 'main', application: trimApplication(newCommit) }).drift?.changedOutsideGit).toBe(false);
    const selfHealing = app({ automated: true, operationState: succeeded, sync: { status: 'OutOfSync', revision: REVISION }, resources: [configMap] });
    expect(summarizeApplication({ instance: 'main', application: trimApplication(selfHealing) }).drift?.changedOutsideGit).toBe(false);
  });

  it('reports no drift for a synced application', () => {
    expect(summarizeApplication({ instance: 'main', application: trimApplication(app({ operationState: { ...operationState, phase: 'Succeeded' } })) }).drift).toBeUndefined();
  });
});
