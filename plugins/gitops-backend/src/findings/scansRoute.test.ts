import { mockCredentials } from '@backstage/backend-test-utils';
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

const K8S = 'https://k8s.example.com';
const IMAGE = 'ghcr.io/example/payments-api:1.6.0';
const fixtures = path.resolve(__dirname, '../../../../fixtures/upstream');

/** Trivy's own golden output, as CI would upload it for the image it built. */
function trivyReport() {
  const report = JSON.parse(fs.readFileSync(path.join(fixtures, 'trivy-image-debian-buster.json'), 'utf8'));
  // As trivy writes them for an image pulled from a registry.
  report.ArtifactName = IMAGE;
  report.Metadata.RepoTags = [IMAGE];
  return report;
}

/** Grype's own output for a real image, as CI would upload it for the image it built. */
function grypeReport() {
  const report = JSON.parse(fs.readFileSync(path.join(fixtures, 'grype-chainguard-ruby.json'), 'utf8'));
  report.source.target.userInput = IMAGE;
  report.source.target.tags = [IMAGE];
  report.source.target.repoDigests = [];
  return report;
}

describe('CI scans', () => {
  const { server } = setupUpstreamServer();
  const config = {
    ...testConfig,
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: [{ name: 'dev-cluster', url: K8S, authProvider: 'serviceAccount', serviceAccountToken: 't' }] },
      ],
    },
  };

  beforeEach(() => {
    const rollout = parse(fs.readFileSync(path.join(fixtures, 'argo-rollouts-canary-rollout.yaml'), 'utf8'));
    rollout.spec.template.spec.containers[0].image = IMAGE;
    server.use(
      http.get(`${ARGOCD_URL}/api/v1/applications`, () =>
        HttpResponse.json({
          items: [
            argoApplication('payments-api-dev', {
              labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
              image: IMAGE,
              rollout: { name: 'canary-demo', namespace: 'jesse-test' },
            }),
          ],
        }),
      ),
      http.get(`${ARGOCD_URL}/api/v1/applications/:name/resource`, () => HttpResponse.json({ manifest: JSON.stringify(rollout) })),
      // A cluster where no Trivy Operator has scanned the new image yet.
      http.get(`${K8S}/*`, () => HttpResponse.json({ kind: 'List', apiVersion: 'v1', metadata: {}, items: [] })),
    );
  });

  it('stores a CI scan and shows its findings for the image it names', async () => {
    const backend = await startGitopsTestBackend({ config });
    const uploaded = await request(backend)
      .post('/api/gitops/v1/scans')
      .set('authorization', mockCredentials.service.header())
      .send(trivyReport());
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toEqual({
      image: IMAGE,
      format: 'trivy',
      findings: 2,
      summary: {
        counts: { critical: 1, high: 0, medium: 0, low: 1, unknown: 0 },
        fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
      },
    });

    const list = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/vulnerabilities')
      .query({ environment: 'dev' });
    expect(list.status).toBe(200);
    expect(list.body.errors).toEqual([]);
    expect(list.body.items.map((f: { id: string }) => f.id).sort()).toEqual(['CVE-2019-18224', 'CVE-2019-18276']);

    const view = await request(backend).get('/api/gitops/v1/entities/component/default/payments-api/deployments');
    expect(view.body.environments[0].vulnerabilities).toMatchObject({
      counts: { critical: 1, low: 1 },
      fixable: { critical: 1, low: 0 },
    });
  });

  it('takes scans from services only, and refuses malformed reports', async () => {
    const backend = await startGitopsTestBackend({ config });
    const asUser = await request(backend).post('/api/gitops/v1/scans').set('authorization', mockCredentials.user.header()).send(trivyReport());
    expect(asUser.status).toBeGreaterThanOrEqual(401);
    expect(asUser.status).toBeLessThanOrEqual(403);
    const wrongVersion = await request(backend)
      .post('/api/gitops/v1/scans')
      .set('authorization', mockCredentials.service.header())
      .send({ ...trivyReport(), SchemaVersion: 1 });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.body.error.message).toContain('SchemaVersion');
    const notJson = await request(backend)
      .post('/api/gitops/v1/scans')
      .set('authorization', mockCredentials.service.header())
      .set('content-type', 'text/plain')
      .send('not json');
    expect(notJson.status).toBeGreaterThanOrEqual(400);
    expect(notJson.status).toBeLessThan(500);
    const list = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/vulnerabilities')
      .query({ environment: 'dev' });
    expect(list.body.items).toEqual([]);
  });

  it('stores a Grype scan with the same counting, and shows its findings for the image', async () => {
    const backend = await startGitopsTestBackend({ config });
    const uploaded = await request(backend)
      .post('/api/gitops/v1/scans')
      .set('authorization', mockCredentials.service.header())
      .send(grypeReport());
    expect(uploaded.status).toBe(201);
    // Three matches; the advisory and its CVE in uri 0.10.1 are one vulnerability.
    expect(uploaded.body).toMatchObject({
      image: IMAGE,
      format: 'grype',
      findings: 2,
      summary: { counts: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 } },
    });

    const list = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/vulnerabilities')
      .query({ environment: 'dev' });
    expect(list.body.errors).toEqual([]);
    expect(list.body.items.map((f: { id: string; package: string }) => `${f.id} ${f.package}`).sort()).toEqual([
      'CVE-2023-28755 ruby-3.0',
      'CVE-2023-28755 uri',
    ]);
    expect(list.body.items[0].occurrences).toEqual([{ image: IMAGE, workload: 'Rollout/canary-demo' }]);
    expect(list.body.summary.counts).toMatchObject({ high: 2 });
  });

  it('refuses a malformed Grype report with a 400 naming the field, and stores nothing', async () => {
    const backend = await startGitopsTestBackend({ config });
    const upload = (body: object) =>
      request(backend).post('/api/gitops/v1/scans').set('authorization', mockCredentials.service.header()).send(body);
    const noArtifactName = grypeReport();
    delete noArtifactName.matches[2].artifact.name;
    const bad = await upload(noArtifactName);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Invalid Grype report: matches[2].artifact.name: Required');
    const directory = await upload({ ...grypeReport(), source: { type: 'directory', target: '.' } });
    expect(directory.status).toBe(400);
    expect(directory.body.error.message).toContain('source.type');
    const neither = await upload({ results: [] });
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toContain('Unrecognized scan report');

    const list = await request(backend)
      .get('/api/gitops/v1/entities/component/default/payments-api/vulnerabilities')
      .query({ environment: 'dev' });
    expect(list.body.items).toEqual([]);
  });
});
