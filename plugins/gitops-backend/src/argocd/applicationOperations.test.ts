import { registerMswTestHooks } from '@backstage/backend-test-utils';
import fs from 'fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import path from 'path';
import { argoApplication, checkAgainstArgoCdSwagger } from '../__testUtils__/argoCdSwagger';
import { ArgoCdClient } from './ArgoCdClient';

const BASE = 'https://argocd.example.com';
const swagger = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../../../fixtures/upstream/argocd-swagger.json'), 'utf8'),
);
const syncRequestFields = Object.keys(swagger.definitions.applicationApplicationSyncRequest.properties);

describe('ArgoCdClient application operations', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const requests: Request[] = [];
  beforeEach(() => {
    requests.length = 0;
    server.events.on('request:start', ({ request }) => {
      requests.push(request.clone());
    });
    server.use(
      http.post(`${BASE}/api/v1/applications/:name/sync`, ({ params }) => HttpResponse.json(argoApplication(String(params.name)))),
      http.delete(`${BASE}/api/v1/applications/:name/operation`, () => HttpResponse.json({})),
      http.get(`${BASE}/api/v1/applications/:name`, ({ params }) => HttpResponse.json(argoApplication(String(params.name)))),
    );
  });
  afterEach(() => server.events.removeAllListeners());

  it('syncs, terminates and refreshes with requests and bodies the Argo CD swagger declares', async () => {
    const client = new ArgoCdClient({ name: 'main', url: BASE, token: 'secret-token' }, 1000);
    await client.syncApplication('payments-api-dev', { prune: true, dryRun: true, revision: 'main', appNamespace: 'argocd' });
    await client.terminateOperation('payments-api-dev', 'argocd');
    await client.refreshApplication('payments-api-dev', undefined, 'hard');

    expect(requests.map(r => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual([
      'POST /api/v1/applications/payments-api-dev/sync',
      'DELETE /api/v1/applications/payments-api-dev/operation?appNamespace=argocd',
      'GET /api/v1/applications/payments-api-dev?refresh=hard',
    ]);
    for (const request of requests) {
      expect(checkAgainstArgoCdSwagger(request.method, new URL(request.url))).toEqual([]);
    }
    const body = await requests[0].json();
    expect(body).toEqual({ name: 'payments-api-dev', prune: true, dryRun: true, revision: 'main', appNamespace: 'argocd' });
    expect(Object.keys(body).filter(key => !syncRequestFields.includes(key))).toEqual([]);
  });

  it("passes Argo CD's refusal on with its status and message", async () => {
    server.use(
      http.post(`${BASE}/api/v1/applications/:name/sync`, () =>
        HttpResponse.json({ error: 'another operation is already in progress', code: 9, message: 'another operation is already in progress' }, { status: 400 }),
      ),
    );
    const client = new ArgoCdClient({ name: 'main', url: BASE, token: 't' }, 1000);
    await expect(client.syncApplication('payments-api-dev')).rejects.toMatchObject({
      status: 400,
      message: "Argo CD instance 'main' answered 400 for /api/v1/applications/payments-api-dev/sync: another operation is already in progress",
    });
  });
});
