import { createServiceFactory } from '@backstage/backend-plugin-api';
import { signalsServiceRef, type SignalPayload } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { paymentsEntity, startGitopsTestBackend, testConfig } from '../__testUtils__/testBackend';
import { StreamingArgoCd } from './__testUtils__/streamingArgoCd';

/**
 * The whole live path in the plugin: Argo CD's watch stream into the inventory, the
 * deployments route answering the change without any refresh, and a Backstage signal
 * telling the entity's views to re-read.
 */
describe('live inventory', () => {
  let argocd: StreamingArgoCd;
  const published: SignalPayload[] = [];
  const signals = createServiceFactory({
    service: signalsServiceRef,
    deps: {},
    factory: () => ({
      async publish(signal: SignalPayload) {
        published.push(signal);
      },
    }),
  });

  beforeEach(async () => {
    argocd = new StreamingArgoCd();
    const labels = (env: string) => ({ 'app.kubernetes.io/name': 'payments-api', env });
    argocd.put('payments-api-dev', { labels: labels('dev'), image: 'ghcr.io/example/payments-api:1.0.0' });
    argocd.put('payments-api-staging', { labels: labels('staging'), image: 'ghcr.io/example/payments-api:0.9.0' });
    published.length = 0;
  });
  afterEach(() => argocd.close());

  async function start() {
    const url = await argocd.start();
    return startGitopsTestBackend({
      config: {
        gitops: {
          environments: testConfig.gitops.environments,
          argocd: { refreshIntervalSeconds: 1, instances: [{ name: 'main', url, token: 't' }] },
        },
      },
      features: [signals],
      entities: [paymentsEntity],
    });
  }

  const devTag = async (backend: Awaited<ReturnType<typeof start>>) =>
    (await request(backend).get('/api/gitops/v1/entities/component/default/payments-api/deployments').expect(200)).body
      .environments.find((e: { name: string }) => e.name === 'dev')?.version?.tag;

  it('shows a change in Argo CD at once, with no list or refresh, and signals the entity and the fleet', async () => {
    const backend = await start();
    expect(await devTag(backend)).toBe('1.0.0');
    const health = await request(backend).get('/api/gitops/health').expect(200);
    expect(health.body.instances).toEqual([expect.objectContaining({ name: 'main', mode: 'streaming' })]);
    const lists = argocd.requests.filter(r => r.startsWith('GET /api/v1/applications?') || r === 'GET /api/v1/applications').length;

    const changedAt = Date.now();
    argocd.put('payments-api-dev', {
      labels: { 'app.kubernetes.io/name': 'payments-api', env: 'dev' },
      image: 'ghcr.io/example/payments-api:1.1.0',
    });
    while ((await devTag(backend)) !== '1.1.0') {
      if (Date.now() - changedAt > 2_000) throw new Error('the change did not reach the route within 2 s');
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(argocd.requests.filter(r => r.startsWith('GET /api/v1/applications?') || r === 'GET /api/v1/applications')).toHaveLength(lists);

    const deadline = Date.now() + 2_000;
    while (!published.some(p => p.channel === 'gitops:entity:component:default/payments-api') && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(published).toEqual(
      expect.arrayContaining([
        { recipients: { type: 'broadcast' }, channel: 'gitops:entity:component:default/payments-api', message: { kind: 'deployments' } },
        { recipients: { type: 'broadcast' }, channel: 'gitops:fleet', message: { kind: 'deployments' } },
      ]),
    );
  });

  it('drops a deleted application from the view', async () => {
    const backend = await start();
    argocd.delete('payments-api-staging');
    const deadline = Date.now() + 2_000;
    let staging: unknown[] = ['not yet'];
    while (staging.length && Date.now() < deadline) {
      const body = (await request(backend).get('/api/gitops/v1/entities/component/default/payments-api/deployments')).body;
      staging = body.environments.find((e: { name: string }) => e.name === 'staging').applications;
    }
    expect(staging).toEqual([]);
  });
});
