import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestSandbox, TestSandbox } from '../testing/testSandbox';

/*
 * The AnalysisRuns of a Rollout as clients read them: children of the Rollout in the
 * Argo CD resource tree, through Argo CD's resource route (the manifest as a JSON
 * string), and in the Kubernetes API (`analysisruns` list and get).
 */

const SCENARIO = `
analysisRuns:
  - image: ghcr.io/example/payments-api:1.6.0
    metric: success-rate
    values: [0.99, 0.42]
`;

const VALUES = `
image:
  repository: ghcr.io/example/payments-api
  tag: "1.6.0"
replicas: 1
rollout:
  strategy: canary
  analysisTemplates:
    - name: success-rate
      spec:
        metrics:
          - name: success-rate
            interval: 10s
            count: 3
            successCondition: result[0] >= 0.95
            provider:
              prometheus:
                address: http://prometheus.monitoring:9090
                query: sum(rate(http_requests_total{code!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
  canary:
    canaryService: payments-api-canary
    stableService: payments-api
    trafficRouting:
      nginx:
        stableIngress: payments-api
    steps:
      - setWeight: 50
      - analysis:
          templates:
            - templateName: success-rate
      - setWeight: 100
`;

jest.setTimeout(60_000);

describe('AnalysisRuns served', () => {
  let sandbox: TestSandbox;
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-analysis-'));
    await fs.writeFile(path.join(dir, 'scenario.yaml'), SCENARIO);
    sandbox = await startTestSandbox({
      scenarioPath: path.join(dir, 'scenario.yaml'),
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const rollout = () => sandbox.rollout('payments-api-dev', 'payments-api');

  it('serves the run in the resource tree, the resource route and the Kubernetes API, then the abort', async () => {
    await sandbox.commit(
      { 'apps/payments-api/dev/values.yaml': VALUES },
      'Deploy 1.6.0 with analysis',
    );
    await sandbox.advanceUntil(
      async () =>
        (await rollout()).status.canary.currentStepAnalysisRunStatus !==
        undefined,
    );
    const live = await rollout();
    const { name } = live.status.canary.currentStepAnalysisRunStatus;
    expect(name).toBe(`payments-api-${live.status.currentPodHash}-2-1`);
    expect(live.status.canary.weights).toEqual({
      canary: {
        weight: 50,
        podTemplateHash: live.status.currentPodHash,
        serviceName: 'payments-api-canary',
      },
      stable: {
        weight: 50,
        podTemplateHash: live.status.stableRS,
        serviceName: 'payments-api',
      },
    });

    const tree = await sandbox.argocd(
      '/api/v1/applications/payments-api-dev/resource-tree',
    );
    expect(tree.body.nodes).toContainEqual(
      expect.objectContaining({
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'AnalysisRun',
        namespace: 'payments-api-dev',
        name,
        uid: expect.any(String),
        parentRefs: [
          {
            group: 'argoproj.io',
            version: 'v1alpha1',
            kind: 'Rollout',
            namespace: 'payments-api-dev',
            name: 'payments-api',
            uid: live.metadata.uid,
          },
        ],
        health: { status: 'Progressing', message: 'Analysis run is running' },
      }),
    );

    const resource = await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource?namespace=payments-api-dev&resourceName=${name}&version=v1alpha1&group=argoproj.io&kind=AnalysisRun`,
    );
    expect(resource.status).toBe(200);
    const manifest = JSON.parse(resource.body.manifest);
    expect(manifest).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name, namespace: 'payments-api-dev' },
      status: { phase: 'Running' },
    });

    const base = '/apis/argoproj.io/v1alpha1/namespaces/payments-api-dev';
    const list = await sandbox.kube(`${base}/analysisruns`);
    expect(list.body).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRunList',
      items: [
        expect.objectContaining({
          kind: 'AnalysisRun',
          metadata: expect.objectContaining({ name }),
        }),
      ],
    });
    const got = await sandbox.kube(`${base}/analysisruns/${name}`);
    expect(got.status).toBe(200);
    expect(got.body.metadata.resourceVersion).toEqual(expect.any(String));
    expect((await sandbox.kube(`${base}/analysisruns/nope`)).status).toBe(404);

    // The second measurement fails: the run is Failed and the Rollout aborted.
    await sandbox.advanceUntil(async () => (await rollout()).status.abort);
    const failed = (await sandbox.kube(`${base}/analysisruns/${name}`)).body;
    expect(failed.status).toMatchObject({
      phase: 'Failed',
      message:
        'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    });
    await sandbox.advanceUntil(
      async () => (await rollout()).status.phase === 'Degraded',
    );
    const after = await sandbox.argocd(
      '/api/v1/applications/payments-api-dev/resource-tree',
    );
    expect(
      after.body.nodes.find((n: any) => n.kind === 'AnalysisRun'),
    ).toMatchObject({
      health: {
        status: 'Degraded',
        message:
          'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
      },
    });
    expect(
      (await sandbox.application('payments-api-dev')).status.health,
    ).toMatchObject({ status: 'Degraded' });
  });
});
