import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { ArgoCdRequestError, type ArgoCdClient } from '../argocd/ArgoCdClient';
import type { ArgoApplication } from '../argocd/types';
import { readRollouts } from './readRollouts';

const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const load = (name: string) => parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

/** The application managing the upstream canary Rollout, whose status names an AnalysisRun. */
function setUp(analysisRun: () => unknown) {
  const rollout = load('argo-rollouts-canary-rollout.yaml');
  rollout.status.canary = { ...rollout.status.canary, currentStepAnalysisRunStatus: { name: 'canary-demo-run', status: 'Running' } };
  const app = argoApplication('canary-demo', { rollout: { name: 'canary-demo', namespace: 'jesse-test' } }) as unknown as ArgoApplication;
  const requests: Record<string, unknown>[] = [];
  const client = {
    async getResource(_app: string, resource: Record<string, unknown>) {
      requests.push(resource);
      return resource.kind === 'Rollout' ? rollout : analysisRun();
    },
  } as unknown as ArgoCdClient;
  return { app, client, requests };
}

describe('readRollouts', () => {
  it("reads the AnalysisRun a Rollout's status names through Argo CD's resource route, trimmed", async () => {
    const run = load('argo-rollouts-canary-analysis.yaml');
    const { app, client, requests } = setUp(() => run);
    const read = await readRollouts(client, app);
    expect(requests[1]).toEqual({ namespace: 'jesse-test', resourceName: 'canary-demo-run', version: 'v1alpha1', kind: 'AnalysisRun', group: 'argoproj.io' });
    expect(read.analysisRuns).toHaveLength(1);
    expect(read.analysisRuns![0].status!.metricResults![0].measurements).toHaveLength(1);
    expect(read.analysisRunErrors).toBeUndefined();
  });

  it('keeps an AnalysisRun that could not be read as an error: its metrics are unknown', async () => {
    const { app, client } = setUp(() => {
      throw new ArgoCdRequestError('Argo CD answered 403: permission denied', 403);
    });
    const read = await readRollouts(client, app);
    expect(read.rollouts).toHaveLength(1);
    expect(read.analysisRuns).toBeUndefined();
    expect(read.analysisRunErrors).toEqual([{ namespace: 'jesse-test', name: 'canary-demo-run', message: 'Argo CD answered 403: permission denied' }]);
  });
});
