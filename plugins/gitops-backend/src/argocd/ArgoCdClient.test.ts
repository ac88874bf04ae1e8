import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  argoApplication,
  checkAgainstArgoCdSwagger,
} from '../__testUtils__/argoCdSwagger';
import { ArgoCdClient } from './ArgoCdClient';

const BASE = 'https://argocd.example.com';
const ref = {
  namespace: 'payments-api-dev',
  resourceName: 'payments-api',
  version: 'v1alpha1',
  kind: 'Rollout',
  group: 'argoproj.io',
};

describe('ArgoCdClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const requests: Request[] = [];
  beforeEach(() => {
    requests.length = 0;
    server.events.on('request:start', ({ request }) => {
      requests.push(request.clone());
    });
  });
  afterEach(() => server.events.removeAllListeners());

  function handlers() {
    server.use(
      http.get(`${BASE}/api/v1/applications`, () =>
        HttpResponse.json({ metadata: { resourceVersion: '7' }, items: [argoApplication('payments-api-dev')] }),
      ),
      http.get(`${BASE}/api/v1/applications/:name`, ({ params }) =>
        HttpResponse.json(argoApplication(String(params.name))),
      ),
      http.get(`${BASE}/api/v1/applications/:name/resource`, () =>
        HttpResponse.json({ manifest: JSON.stringify({ kind: 'Rollout', metadata: { name: 'payments-api' } }) }),
      ),
      http.get(`${BASE}/api/v1/applications/:name/resource/actions`, () =>
        HttpResponse.json({ actions: [{ name: 'resume', disabled: false }, { name: 'abort', disabled: false }] }),
      ),
      http.post(`${BASE}/api/v1/applications/:name/resource/actions/v2`, () =>
        HttpResponse.json({}),
      ),
    );
  }

  it('sends only requests that exist in the Argo CD swagger, with the token', async () => {
    handlers();
    const client = new ArgoCdClient({ name: 'main', url: BASE, token: 'secret-token' }, 1000);
    const apps = await client.listApplications({ selector: 'app=x', projects: ['a', 'b'], appNamespace: 'argocd' });
    expect(apps.map(a => a.metadata.name)).toEqual(['payments-api-dev']);
    await client.getApplication('payments-api-dev', 'argocd');
    await expect(client.getResource('payments-api-dev', ref)).resolves.toMatchObject({ kind: 'Rollout' });
    await expect(client.listResourceActions('payments-api-dev', ref)).resolves.toHaveLength(2);
    await client.runResourceAction('payments-api-dev', ref, 'resume');

    expect(requests).toHaveLength(5);
    for (const request of requests) {
      expect(checkAgainstArgoCdSwagger(request.method, new URL(request.url))).toEqual([]);
      expect(request.headers.get('authorization')).toBe('Bearer secret-token');
    }
    const list = new URL(requests[0].url);
    expect(list.searchParams.getAll('projects')).toEqual(['a', 'b']);
    expect(await requests[4].json()).toEqual({ name: 'payments-api-dev', ...ref, action: 'resume' });
  });

  it('logs in once with username and password and renews the session on 401', async () => {
    let logins = 0;
    let validToken = 'session-1';
    server.use(
      http.post(`${BASE}/api/v1/session`, async ({ request }) => {
        expect(await request.json()).toEqual({ username: 'admin', password: 'pw' });
        logins++;
        return HttpResponse.json({ token: `session-${logins}` });
      }),
      http.get(`${BASE}/api/v1/applications`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${validToken}`
          ? HttpResponse.json({ items: [] })
          : HttpResponse.json({ error: 'invalid session', code: 16, message: 'invalid session' }, { status: 401 }),
      ),
    );
    const client = new ArgoCdClient({ name: 'main', url: BASE, username: 'admin', password: 'pw' }, 1000);
    await client.listApplications();
    await client.listApplications();
    expect(logins).toBe(1);
    validToken = 'session-2';
    await client.listApplications();
    expect(logins).toBe(2);
  });

  it('keeps the session tokens it redacts bounded across renewals, and still redacts the current one', async () => {
    let logins = 0;
    server.use(
      http.post(`${BASE}/api/v1/session`, () => HttpResponse.json({ token: `session-token-${++logins}` })),
      // Every answer is a 401 that quotes the token it was sent: a renewal per request.
      http.get(`${BASE}/api/v1/applications/:name`, ({ request }) =>
        HttpResponse.json({ message: `invalid session ${request.headers.get('authorization')}` }, { status: 401 }),
      ),
    );
    const client = new ArgoCdClient({ name: 'main', url: BASE, username: 'admin', password: 'pw' }, 1000);
    for (let i = 0; i < 50; i++) {
      await expect(client.getApplication('x')).rejects.toThrow('invalid session Bearer <redacted>');
    }
    expect(logins).toBeGreaterThanOrEqual(50);
    expect((client as unknown as { sessionTokens: string[] }).sessionTokens.length).toBeLessThanOrEqual(3);
  });

  it('reports Argo CD errors with the instance, status and message', async () => {
    server.use(
      http.get(`${BASE}/api/v1/applications/:name`, () =>
        HttpResponse.json({ error: 'app not found', code: 5, message: 'applications.argoproj.io "x" not found' }, { status: 404 }),
      ),
    );
    const client = new ArgoCdClient({ name: 'main', url: BASE, token: 't' }, 1000);
    await expect(client.getApplication('x')).rejects.toThrow(
      `Argo CD instance 'main' answered 404 for /api/v1/applications/x: applications.argoproj.io "x" not found`,
    );
  });

  it('times out slow answers', async () => {
    server.use(
      http.get(`${BASE}/api/v1/applications`, async () => {
        await new Promise(resolve => setTimeout(resolve, 500));
        return HttpResponse.json({ items: [] });
      }),
    );
    const client = new ArgoCdClient({ name: 'main', url: BASE, token: 't' }, 100);
    await expect(client.listApplications()).rejects.toThrow('timed out after 100 ms');
  });
});
