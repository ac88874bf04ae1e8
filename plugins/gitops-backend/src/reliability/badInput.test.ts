import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import { alice, ci, createWorld, ENTITY_PATH, ENTITY_REF, startWorldBackend, type World } from './__testUtils__/world';

/**
 * A bad-input corpus against every route of openapi.yaml: malformed entity references
 * and path segments, unknown environments, path traversal, YAML and newlines where a tag
 * goes, malformed and huge Trivy reports, wrong content types. Each must be refused with
 * a 4xx whose message names the field, write nothing (database rows, the GitOps
 * repository, Argo CD), and leave the backend answering the next valid request.
 */

interface BadRequest {
  method: 'get' | 'post';
  path: string | ((promotionId: string) => string);
  /** A JSON body, or a raw string sent with `contentType`. */
  body?: unknown;
  contentType?: string;
  as?: string;
  status: number;
  /** What the message must say: the field at fault. */
  message: string | RegExp;
}

const ROLLOUT = { environment: 'dev', namespace: 'payments-dev', name: 'canary-demo' };
const PROMOTION = { entityRef: ENTITY_REF, from: 'staging', to: 'prod' };
const ROLLBACK = { entityRef: ENTITY_REF, environment: 'prod', tag: '1.4.0' };
const trivy = (overrides: object = {}) => ({
  SchemaVersion: 2,
  ArtifactName: 'ghcr.io/example/payments-api:1.6.0',
  ArtifactType: 'container_image',
  Results: [{ Target: 'debian', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'bash', InstalledVersion: '5.0', Severity: 'HIGH' }] }],
  ...overrides,
});
/** Just over the 10 MB body limit. */
const HUGE = JSON.stringify(trivy({ Padding: 'x'.repeat(10 * 1024 * 1024) }));

/** Entities whose annotations are malformed; each selects the payments-api applications otherwise. */
const entity = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
});
const SELECTOR = { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' };
const malformed = [
  entity('bad-selector', { 'argocd/app-selector': 'app.kubernetes.io/name in (payments-api' }),
  entity('bad-kubernetes-id', { 'backstage.io/kubernetes-id': 'payments api' }),
  entity('values-escape', { ...SELECTOR, 'gitops.backstage.io/values-path': '../../outside/{environment}/values.yaml' }),
  entity('values-absolute', { ...SELECTOR, 'gitops.backstage.io/values-path': '/etc/{environment}/values.yaml' }),
  entity('values-newline', { ...SELECTOR, 'gitops.backstage.io/values-path': 'apps/x/{environment}/values.yaml\nmalicious: true' }),
];
const promoteEntity = (name: string): BadRequest => ({
  method: 'post',
  path: '/api/gitops/v1/promotions',
  body: { entityRef: `component:default/${name}`, from: 'dev', to: 'staging' },
  status: 400,
  message: /gitops.backstage.io\/values-path|values path/,
});

const corpus: Record<string, BadRequest[]> = {
  'entity annotations': [
    { method: 'get', path: '/api/gitops/v1/entities/component/default/bad-selector/deployments', status: 400, message: /argocd\/app-selector/ },
    { method: 'get', path: '/api/gitops/v1/entities/component/default/bad-selector/vulnerabilities?environment=dev', status: 400, message: /argocd\/app-selector/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { entityRef: 'component:default/bad-selector', from: 'dev', to: 'staging' }, status: 400, message: /argocd\/app-selector/ },
    { method: 'get', path: '/api/gitops/v1/entities/component/default/bad-kubernetes-id/deployments', status: 400, message: /backstage.io\/kubernetes-id/ },
    { method: 'get', path: '/api/gitops/v1/entities/component/default/bad-kubernetes-id/policies?environment=dev', status: 400, message: /backstage.io\/kubernetes-id/ },
    promoteEntity('values-escape'),
    promoteEntity('values-absolute'),
    promoteEntity('values-newline'),
  ],
  'entity path segments (every entity route)': [
    ...['deployments', 'vulnerabilities?environment=dev', 'policies?environment=dev', 'rollback-candidates?environment=dev'].flatMap(
      (route): BadRequest[] => [
        { method: 'get', path: `/api/gitops/v1/entities/component/default/..%2F..%2Fetc%2Fpasswd/${route}`, status: 400, message: /name/ },
        { method: 'get', path: `/api/gitops/v1/entities/component/..%2F..%2Fdefault/payments-api/${route}`, status: 400, message: /namespace/ },
        { method: 'get', path: `/api/gitops/v1/entities/comp%20onent/default/payments-api/${route}`, status: 400, message: /kind/ },
        { method: 'get', path: `/api/gitops/v1/entities/component/Default/payments-api/${route}`, status: 400, message: /namespace/ },
        { method: 'get', path: `/api/gitops/v1/entities/component/default/payments-api%0Amalicious%3A%20true/${route}`, status: 400, message: /name/ },
        { method: 'get', path: `/api/gitops/v1/entities/component/default/${'a'.repeat(300)}/${route}`, status: 400, message: /name/ },
      ],
    ),
    { method: 'post', path: '/api/gitops/v1/entities/component/default/..%2Fetc/rollouts/promote', body: ROLLOUT, status: 400, message: /name/ },
    { method: 'post', path: '/api/gitops/v1/entities/component/default/..%2Fetc/argocd-rollback', body: { environment: 'prod', application: 'payments-api-prod', historyId: 1 }, status: 400, message: /name/ },
  ],
  'environment query': [
    { method: 'get', path: `${ENTITY_PATH}/vulnerabilities`, status: 400, message: /environment/ },
    { method: 'get', path: `${ENTITY_PATH}/vulnerabilities?environment=qa`, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'get', path: `${ENTITY_PATH}/vulnerabilities?environment=..%2Fprod`, status: 400, message: /environment/ },
    { method: 'get', path: `${ENTITY_PATH}/policies?environment=QA`, status: 400, message: /environment/ },
    { method: 'get', path: `${ENTITY_PATH}/policies?environment=qa`, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'get', path: `${ENTITY_PATH}/rollback-candidates?environment=qa`, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'get', path: `${ENTITY_PATH}/rollback-candidates?environment=dev%0Aprod`, status: 400, message: /environment/ },
  ],
  'fleet and promotion list queries': [
    { method: 'get', path: `/api/gitops/v1/fleet?owner=${'x'.repeat(300)}`, status: 400, message: /owner/ },
    { method: 'get', path: `/api/gitops/v1/fleet?kind=${'k'.repeat(64)}`, status: 400, message: /kind/ },
    { method: 'get', path: '/api/gitops/v1/promotions?entityRef=not%20a%20ref', status: 400, message: /entityRef/ },
    { method: 'get', path: '/api/gitops/v1/promotions?entityRef=component%3Adefault%2F..%2F..%2Fetc', status: 400, message: /entityRef/ },
    { method: 'get', path: '/api/gitops/v1/promotions?awaitingMyApproval=yes', status: 400, message: /awaitingMyApproval/ },
    { method: 'get', path: '/api/gitops/v1/promotions/not-a-uuid', status: 400, message: /id/ },
    { method: 'get', path: '/api/gitops/v1/promotions/..%2F..%2Fetc', status: 400, message: /id/ },
  ],
  'rollout controls': [
    { method: 'post', path: `${ENTITY_PATH}/rollouts/delete`, body: ROLLOUT, status: 400, message: /action/ },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/promote`, body: { ...ROLLOUT, environment: 'qa' }, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/promote`, body: { ...ROLLOUT, name: '../../canary-demo' }, status: 400, message: /name/ },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/promote`, body: { ...ROLLOUT, namespace: 'payments-dev\nkind: Secret' }, status: 400, message: /namespace/ },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/abort`, body: { ...ROLLOUT, force: true }, status: 400, message: /additional properties/ },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/abort`, body: { environment: 'dev' }, status: 400, message: /namespace/ },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/abort`, body: 'environment=dev&namespace=payments-dev&name=canary-demo', contentType: 'application/x-www-form-urlencoded', status: 400, message: 'unsupported media type application/x-www-form-urlencoded' },
    { method: 'post', path: `${ENTITY_PATH}/rollouts/abort`, body: '{"environment": "dev", ', contentType: 'application/json', status: 400, message: /JSON/ },
  ],
  'Argo CD rollback': [
    { method: 'post', path: `${ENTITY_PATH}/argocd-rollback`, body: { environment: 'prod', application: 'payments-api-prod', historyId: -1 }, status: 400, message: /historyId/ },
    { method: 'post', path: `${ENTITY_PATH}/argocd-rollback`, body: { environment: 'prod', application: 'payments-api-prod', historyId: '1; rm -rf /' }, status: 400, message: /historyId/ },
    { method: 'post', path: `${ENTITY_PATH}/argocd-rollback`, body: { environment: 'prod', application: '../payments-api-prod', historyId: 1 }, status: 400, message: /application/ },
    { method: 'post', path: `${ENTITY_PATH}/argocd-rollback`, body: { environment: 'qa', application: 'payments-api-prod', historyId: 1 }, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'post', path: `${ENTITY_PATH}/argocd-rollback`, body: { environment: 'prod', application: 'payments-api-prod', historyId: 99 }, status: 400, message: "historyId: 99 is not in payments-api-prod's history" },
  ],
  'CI scans (Trivy JSON)': [
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ SchemaVersion: 1 }), status: 400, message: /SchemaVersion/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ SchemaVersion: '2' }), status: 400, message: /SchemaVersion/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ ArtifactName: '' }), status: 400, message: /ArtifactName/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ Results: [{ Vulnerabilities: [{ PkgName: 'bash', InstalledVersion: '5', Severity: 'HIGH' }] }] }), status: 400, message: 'Results[0].Vulnerabilities[0].VulnerabilityID' },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ Results: 'none' }), status: 400, message: /Results/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ ArtifactName: 'ghcr.io/example/payments-api:1.6.0\nmalicious: true' }), status: 400, message: /ArtifactName/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: trivy({ Metadata: { RepoTags: ['ghcr.io/example/payments-api:1.6.0 # x'] } }), status: 400, message: /RepoTags/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: [trivy()], status: 400, message: /body/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: 'null', contentType: 'application/json', status: 400, message: /JSON|body/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: HUGE, contentType: 'application/json', status: 400, message: 'request entity too large' },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: JSON.stringify(trivy()).slice(0, 100), contentType: 'application/json', status: 400, message: /JSON/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: 'SchemaVersion: 2\nArtifactName: x\n', contentType: 'application/yaml', status: 400, message: /unsupported media type/ },
    { method: 'post', path: '/api/gitops/v1/scans', as: ci, body: JSON.stringify(trivy()), contentType: 'text/plain', status: 400, message: /unsupported media type/ },
  ],
  'promotions': [
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, entityRef: 'component:default/../../etc' }, status: 400, message: /entityRef/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, entityRef: 'component:default/payments-api\nmalicious: true' }, status: 400, message: /entityRef/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, from: 'qa' }, status: 400, message: "from: environment 'qa' is not configured" },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, from: 'prod', to: 'prod' }, status: 400, message: 'to: prod is promoted from staging, not from prod' },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, to: 'prod\n' }, status: 400, message: /to/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, overrideGates: 'yes' }, status: 400, message: /overrideGates/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, comment: 'x'.repeat(2001) }, status: 400, message: /comment/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: { ...PROMOTION, version: { tag: '9.9.9' } }, status: 400, message: /additional properties/ },
    { method: 'post', path: '/api/gitops/v1/promotions', body: 'entityRef: component:default/payments-api\nfrom: staging\nto: prod\n', contentType: 'application/yaml', status: 400, message: /unsupported media type/ },
    { method: 'post', path: '/api/gitops/v1/promotions/preview', body: { ...PROMOTION, to: 'qa' }, status: 400, message: "to: environment 'qa' is not configured" },
    { method: 'post', path: '/api/gitops/v1/promotions/preview', body: { ...PROMOTION, entityRef: 'nope' }, status: 400, message: /entityRef/ },
  ],
  'rollbacks': [
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, tag: '1.4.0\nmalicious: true' }, status: 400, message: /tag/ },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, tag: '1.4.0 # pinned' }, status: 400, message: /tag/ },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, tag: '{a: b}' }, status: 400, message: /tag/ },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, tag: '../../1.4.0' }, status: 400, message: /tag/ },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, environment: 'qa' }, status: 400, message: "environment: 'qa' is not configured" },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { ...ROLLBACK, entityRef: 'user:default/alice' }, status: 404, message: 'No entity user:default/alice' },
    { method: 'post', path: '/api/gitops/v1/rollbacks', body: { entityRef: ENTITY_REF, environment: 'prod' }, status: 400, message: /tag/ },
  ],
  'promotion decisions': [
    { method: 'post', path: id => `/api/gitops/v1/promotions/${id}/merge`, body: {}, status: 400, message: /decision/ },
    { method: 'post', path: id => `/api/gitops/v1/promotions/${id}/approve`, body: { comment: 'x'.repeat(2001) }, status: 400, message: /comment/ },
    { method: 'post', path: id => `/api/gitops/v1/promotions/${id}/approve`, body: { comment: 42 }, status: 400, message: /comment/ },
    { method: 'post', path: id => `/api/gitops/v1/promotions/${id}/reject`, body: { comment: 'no', approver: 'user:default/bob' }, status: 400, message: /additional properties/ },
    { method: 'post', path: id => `/api/gitops/v1/promotions/${id}/approve`, body: 'comment=ok', contentType: 'application/x-www-form-urlencoded', status: 400, message: /unsupported media type/ },
    { method: 'post', path: '/api/gitops/v1/promotions/..%2F..%2Fetc/approve', body: {}, status: 400, message: /id/ },
    { method: 'post', path: '/api/gitops/v1/promotions/00000000-0000-4000-8000-000000000000/approve', body: {}, status: 404, message: 'No promotion 00000000-0000-4000-8000-000000000000' },
  ],
};

describe('bad input', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let world: World;
  let backend: Awaited<ReturnType<typeof startWorldBackend>>;
  let promotionId: string;
  let baseline: Record<string, unknown>;

  beforeAll(async () => {
    world = await createWorld(databases);
    backend = await startWorldBackend(world, { entities: malformed });
    // One promotion awaiting approval, for the decision routes to be refused on.
    const created = await request(backend)
      .post('/api/gitops/v1/promotions')
      .set('authorization', alice)
      .send({ entityRef: ENTITY_REF, from: 'dev', to: 'staging' });
    if (created.status !== 201) throw new Error(`setup: promotion not created: ${created.text}`);
    promotionId = created.body.id;
    baseline = await world.fingerprint();
  });
  afterAll(() => world.dispose());

  describe.each(Object.entries(corpus))('%s', (_group, cases) => {
    it.each(cases.map(c => [`${c.method.toUpperCase()} ${typeof c.path === 'string' ? c.path.slice(0, 120) : c.path('{id}')}`, c] as const))(
      '%s is refused',
      async (_name, bad) => {
        const url = typeof bad.path === 'string' ? bad.path : bad.path(promotionId);
        let call = request(backend)[bad.method](url).set('authorization', bad.as ?? alice);
        if (bad.body !== undefined) {
          call = bad.contentType
            ? call.set('content-type', bad.contentType).send(bad.body as string)
            : call.send(bad.body as object);
        }
        const response = await call;

        expect({ status: response.status, body: response.body }).toEqual({
          status: bad.status,
          body: expect.objectContaining({
            error: expect.objectContaining({
              message: expect.stringMatching(bad.message instanceof RegExp ? bad.message : escape(bad.message)),
            }),
          }),
        });
        // Nothing written, not even once the engine has run.
        await world.engine();
        expect(await world.fingerprint()).toEqual(baseline);
        // And the backend still serves the next valid request.
        await request(backend).get(`${ENTITY_PATH}/deployments`).set('authorization', alice).expect(200);
        await request(backend).get(`/api/gitops/v1/promotions/${promotionId}`).set('authorization', alice).expect(200);
      },
    );
  });

  it('still serves the fleet beside entities with malformed annotations', async () => {
    const fleet = await request(backend).get('/api/gitops/v1/fleet').set('authorization', alice);
    expect(fleet.status).toBe(200);
    expect(fleet.body.items.map((i: { entityRef: string }) => i.entityRef)).toContain(ENTITY_REF);
  });

  it('still takes a valid scan, promotion and decision after the whole corpus', async () => {
    await request(backend).post('/api/gitops/v1/scans').set('authorization', ci).send(trivy()).expect(201);
    const rejected = await request(backend)
      .post(`/api/gitops/v1/promotions/${promotionId}/reject`)
      .set('authorization', alice)
      .send({ comment: 'not now' });
    // alice requested it: she may not decide on it herself.
    expect(rejected.status).toBe(403);
    expect(world.log()).toEqual(['Deploy payments-api 1.4.0 to prod', 'seed']);
  });
});

function escape(text: string) {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
