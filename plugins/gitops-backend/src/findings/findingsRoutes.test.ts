import { http, HttpResponse } from 'msw';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import {
  ARGOCD_URL,
  setupUpstreamServer,
  startGitopsTestBackend,
  testConfig,
} from '../__testUtils__/testBackend';
import type { ConfigAuditReport } from './configAudits';
import type { ExposedSecretReport } from './exposedSecrets';
import {
  loadFixture,
  loadMarkdownFixture,
  relabelled,
} from './__testUtils__/objects';

const K8S = 'https://k8s.example.com';
const IMAGE = 'ghcr.io/example/payments-api:1.6.0';
const NS = 'jesse-test';
const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');
const upstream = (file: string) =>
  parse(fs.readFileSync(path.join(fixtures, file), 'utf8'));

/** Argo Rollouts' canary mid-flight (stable and canary ReplicaSets) in the dev cluster. */
const stableRs = upstream('argo-rollouts-canary-demo-stable-rs.yaml');
const canaryRs = upstream('argo-rollouts-canary-demo-canary-rs.yaml');
const [stripe] = loadMarkdownFixture<ExposedSecretReport>(
  'trivy-operator-exposedsecret-report.md',
);
const [audit] = loadFixture<ConfigAuditReport>(
  'trivy-operator-replicaset-configauditreport.yaml',
);
const image = {
  artifact: { repository: 'example/payments-api', tag: '1.6.0' },
  registry: { server: 'ghcr.io' },
};

const served: Record<string, unknown[]> = {
  [`/apis/argoproj.io/v1alpha1/namespaces/${NS}/rollouts`]: [
    upstream('argo-rollouts-canary-rollout.yaml'),
  ],
  [`/apis/apps/v1/namespaces/${NS}/replicasets`]: [stableRs, canaryRs],
  // Both ReplicaSets run the image: its secrets count once.
  [`/apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/exposedsecretreports`]:
    [
      relabelled(
        stripe,
        { kind: 'ReplicaSet', object: stableRs, container: 'canary-demo' },
        image,
      ),
      relabelled(
        stripe,
        { kind: 'ReplicaSet', object: canaryRs, container: 'canary-demo' },
        image,
      ),
    ],
  // Only the stable ReplicaSet is audited so far.
  [`/apis/aquasecurity.github.io/v1alpha1/namespaces/${NS}/configauditreports`]:
    [relabelled(audit, { kind: 'ReplicaSet', object: stableRs })],
};

describe('exposed secrets and configuration audits', () => {
  const { server } = setupUpstreamServer();
  const config = {
    ...testConfig,
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'dev-cluster',
              url: K8S,
              authProvider: 'serviceAccount',
              serviceAccountToken: 't',
            },
          ],
        },
      ],
    },
  };

  beforeEach(() => {
    const rollout = upstream('argo-rollouts-canary-rollout.yaml');
    rollout.spec.template.spec.containers[0].image = IMAGE;
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () =>
        HttpResponse.json({
          items: [
            argoApplication('payments-api-dev', {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
              image: IMAGE,
              rollout: { name: 'canary-demo', namespace: NS },
            }),
          ],
        }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name/resource`, () =>
        HttpResponse.json({ manifest: JSON.stringify(rollout) }),
      ),
      http.get(`${K8S}/*`, ({ request: req }) => {
        const items = served[new URL(req.url).pathname];
        return items
          ? HttpResponse.json({
              kind: 'List',
              apiVersion: 'v1',
              metadata: {},
              items,
            })
          : HttpResponse.json(
              { kind: 'Status', code: 404, message: 'not found' },
              { status: 404 },
            );
      }),
    );
  });

  it('lists the secrets of the running image once, and the audit of each running ReplicaSet', async () => {
    const backend = await startGitopsTestBackend({ config });
    const secrets = await request(backend)
      .get(
        '/api/gitops/v1/entities/component/default/payments-api/exposed-secrets',
      )
      .query({ environment: 'dev' });
    expect(secrets.status).toBe(200);
    expect(secrets.body).toMatchObject({
      environment: 'dev',
      summary: { total: 2, counts: { high: 2 } },
      errors: [],
    });
    expect(secrets.body.items[0]).toEqual({
      ruleId: 'stripe-access-token',
      severity: 'high',
      title: 'Stripe',
      category: 'Stripe',
      target: '/app/config/secret.yaml',
      match: 'publishable_key: *****',
      image: IMAGE,
      occurrences: [
        {
          image: IMAGE,
          workload: 'Rollout/canary-demo',
          container: 'canary-demo',
        },
      ],
    });

    const audits = await request(backend)
      .get(
        '/api/gitops/v1/entities/component/default/payments-api/config-audits',
      )
      .query({ environment: 'dev' });
    expect(audits.status).toBe(200);
    expect(audits.body.items).toHaveLength(13);
    expect(audits.body.summary).toEqual({
      failed: { critical: 0, high: 1, medium: 3, low: 9, unknown: 0 },
      passed: 0,
    });
    // The canary's audit is not there yet: unknown, said so.
    expect(audits.body.errors).toEqual([
      {
        source: `config-audit:${NS}/ReplicaSet/canary-demo-65fb5ffc84`,
        message: expect.stringContaining(
          'No ConfigAuditReport for ReplicaSet/canary-demo-65fb5ffc84',
        ),
      },
    ]);
  });

  it('refuses an unknown environment', async () => {
    const backend = await startGitopsTestBackend({ config });
    const res = await request(backend)
      .get(
        '/api/gitops/v1/entities/component/default/payments-api/exposed-secrets',
      )
      .query({ environment: 'nope' });
    expect(res.status).toBe(400);
  });
});
