import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isPlainObject } from '../mergePatch';
import {
  startTestSandbox,
  TestSandbox,
  UPSTREAM_FIXTURES,
} from '../testing/testSandbox';
import { GitRepo } from '../git/gitRepo';
import { Sandbox } from '../sandbox';
import { argoCdRoutes } from './argocdApi';

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
  type?: string;
};

interface Swagger {
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string }> }>
  >;
  definitions: Record<string, Schema>;
}

/** Paths (JSON-path-like) of every property in `value` the swagger schema does not define. */
function undefinedProperties(
  swagger: Swagger,
  value: unknown,
  schema: Schema,
  at = '$',
): string[] {
  const resolved = resolve(swagger, schema);
  if (Array.isArray(value)) {
    return resolved.items
      ? value.flatMap((item, i) =>
          undefinedProperties(swagger, item, resolved.items!, `${at}[${i}]`),
        )
      : [];
  }
  if (!isPlainObject(value) || !resolved.properties) {
    return []; // scalars, and free-form maps such as labels
  }
  return Object.entries(value).flatMap(([key, child]) =>
    resolved.properties![key]
      ? undefinedProperties(
          swagger,
          child,
          resolved.properties![key],
          `${at}.${key}`,
        )
      : [`${at}.${key}`],
  );
}

function resolve(swagger: Swagger, schema: Schema): Schema {
  if (schema.$ref) {
    return resolve(
      swagger,
      swagger.definitions[schema.$ref.replace('#/definitions/', '')],
    );
  }
  if (schema.allOf) {
    const parts = [schema, ...schema.allOf.map(part => resolve(swagger, part))];
    return {
      ...schema,
      properties: Object.assign({}, ...parts.map(part => part.properties)),
    };
  }
  return schema;
}

const definition = (name: string): Schema => ({
  $ref: `#/definitions/${name}`,
});

// A sandbox over real git, stepped through simulated rollouts: room for a busy CI machine.
jest.setTimeout(30_000);
describe('Argo CD API', () => {
  let swagger: Swagger;
  let sandbox: TestSandbox;

  beforeAll(async () => {
    swagger = JSON.parse(
      await fs.readFile(
        path.join(UPSTREAM_FIXTURES, 'argocd-swagger.json'),
        'utf8',
      ),
    );
    sandbox = await startTestSandbox();
  });

  afterAll(() => sandbox.close());

  const rolloutQuery = (extra = '') =>
    `namespace=payments-api-dev&resourceName=payments-api&version=v1alpha1&group=argoproj.io&kind=Rollout${extra}`;

  it('serves only swagger paths, each with query parameters the swagger declares for it', () => {
    for (const route of argoCdRoutes) {
      const swaggerPath = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = swagger.paths[swaggerPath]?.[route.method];
      expect({
        route: `${route.method} ${swaggerPath}`,
        exists: operation !== undefined,
      }).toEqual({
        route: `${route.method} ${swaggerPath}`,
        exists: true,
      });
      const declared =
        operation.parameters?.filter(p => p.in === 'query').map(p => p.name) ??
        [];
      expect({
        route: swaggerPath,
        undeclared: route.query.filter(q => !declared.includes(q)),
      }).toEqual({
        route: swaggerPath,
        undeclared: [],
      });
    }
  });

  it('serves Applications, lists, trees and actions with swagger property names only', async () => {
    await sandbox.setImageTag('apps/payments-api/dev/values.yaml', '1.5.1');
    // mid-rollout: an operation, history entries and a paused canary are all present
    await sandbox.advanceUntil(async () => {
      const { body } = await sandbox.argocd(
        '/api/v1/applications/payments-api-dev',
      );
      return body.status.health.status === 'Suspended';
    });

    const list = await sandbox.argocd('/api/v1/applications');
    const app = await sandbox.argocd('/api/v1/applications/payments-api-dev');
    const tree = await sandbox.argocd(
      '/api/v1/applications/payments-api-dev/resource-tree',
    );
    const actions = await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource/actions?${rolloutQuery()}`,
    );
    const resource = await sandbox.argocd(
      `/api/v1/applications/payments-api-dev/resource?${rolloutQuery()}`,
    );

    expect(list.body.items).toHaveLength(9);
    expect(app.body.status.history).toHaveLength(2);
    expect(
      undefinedProperties(
        swagger,
        list.body,
        definition('v1alpha1ApplicationList'),
      ),
    ).toEqual([]);
    expect(
      undefinedProperties(swagger, app.body, definition('v1alpha1Application')),
    ).toEqual([]);
    expect(
      undefinedProperties(
        swagger,
        tree.body,
        definition('v1alpha1ApplicationTree'),
      ),
    ).toEqual([]);
    expect(
      undefinedProperties(
        swagger,
        actions.body,
        definition('applicationResourceActionsListResponse'),
      ),
    ).toEqual([]);
    expect(
      undefinedProperties(
        swagger,
        resource.body,
        definition('applicationApplicationResourceResponse'),
      ),
    ).toEqual([]);
  });

  it('answers 401 with Argo CD error JSON without a valid bearer token', async () => {
    const expected = {
      error: 'no session information',
      code: 16,
      message: 'no session information',
    };
    const anonymous = await fetch(`${sandbox.argocdUrl}/api/v1/applications`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(expected);
    const wrongToken = await sandbox.argocd('/api/v1/applications', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrongToken).toEqual({ status: 401, body: expected });
  });

  it('serves /healthz without a token', async () => {
    const response = await fetch(`${sandbox.argocdUrl}/healthz`);
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
  });

  it('answers 404 with Argo CD error JSON for an unknown application', async () => {
    const message = 'applications.argoproj.io "nope" not found';
    for (const url of [
      '/api/v1/applications/nope',
      '/api/v1/applications/nope/resource-tree',
      `/api/v1/applications/nope/resource?${rolloutQuery()}`,
    ]) {
      expect(await sandbox.argocd(url)).toEqual({
        status: 404,
        body: { error: message, code: 5, message },
      });
    }
    // an application outside the requested project is just as unknown
    expect(
      (
        await sandbox.argocd(
          '/api/v1/applications/payments-api-dev?project=other',
        )
      ).status,
    ).toBe(404);
  });

  it('filters the list by label selector, project, name and namespace', async () => {
    const names = async (query: string) =>
      (await sandbox.argocd(`/api/v1/applications?${query}`)).body.items.map(
        (a: any) => a.metadata.name,
      );
    const selector = (s: string) => `selector=${encodeURIComponent(s)}`;

    expect(
      await names(
        selector(
          'app.kubernetes.io/name=payments-api,gitops.backstage.io/environment in (dev,prod)',
        ),
      ),
    ).toEqual(['payments-api-dev', 'payments-api-prod']);
    expect(
      await names(
        selector(
          'app.kubernetes.io/name!=payments-api,gitops.backstage.io/environment notin (dev,staging)',
        ),
      ),
    ).toEqual(['orders-api-prod', 'shipping-api-prod']);
    expect(await names(selector('!app.kubernetes.io/name'))).toEqual([]);
    expect(
      await names(
        'projects=default&projects=other&name=orders-api-dev&appNamespace=argocd',
      ),
    ).toEqual(['orders-api-dev']);
    expect(await names('projects=other')).toEqual([]);
    const invalid = await sandbox.argocd(
      `/api/v1/applications?${selector('a in (b')}`,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe(3);
  });

  it('returns the live Rollout as a JSON string manifest', async () => {
    const { status, body } = await sandbox.argocd(
      `/api/v1/applications/orders-api-prod/resource?${rolloutQuery()
        .replace(/payments-api/g, 'orders-api')
        .replace('-dev', '-prod')}`,
    );
    expect(status).toBe(200);
    const manifest = JSON.parse(body.manifest);
    expect(manifest).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: 'orders-api',
        namespace: 'orders-api-prod',
        resourceVersion: expect.any(String),
      },
      spec: {
        template: {
          spec: { containers: [{ image: 'ghcr.io/example/orders-api:2.0.3' }] },
        },
      },
      status: { phase: 'Healthy' },
    });
  });

  it('streams ADDED events for the matching applications, then their changes', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${
        sandbox.argocdUrl
      }/api/v1/stream/applications?selector=${encodeURIComponent(
        'app.kubernetes.io/name=orders-api',
      )}`,
      {
        headers: { authorization: `Bearer ${sandbox.token}` },
        signal: controller.signal,
      },
    );
    const reader = response.body!.getReader();
    const events: any[] = [];
    const readEvents = async (count: number) => {
      let buffered = '';
      while (events.length < count) {
        buffered += new TextDecoder().decode((await reader.read()).value);
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        events.push(...lines.map(line => JSON.parse(line).result));
      }
    };

    await readEvents(3);
    await sandbox.argocd('/api/v1/applications/orders-api-prod/sync', {
      method: 'POST',
    });
    await sandbox.argocd('/api/v1/applications/payments-api-prod/sync', {
      method: 'POST',
    });
    await readEvents(4);
    controller.abort();

    expect(events.map(e => [e.type, e.application.metadata.name])).toEqual([
      ['ADDED', 'orders-api-dev'],
      ['ADDED', 'orders-api-prod'],
      ['ADDED', 'orders-api-staging'],
      ['MODIFIED', 'orders-api-prod'],
    ]);
    expect(events[3].application.status.operationState.phase).toBe('Running');
    for (const event of events) {
      expect(
        undefinedProperties(
          swagger,
          event,
          definition('v1alpha1ApplicationWatchEvent'),
        ),
      ).toEqual([]);
    }
  });

  it("serves a revision's metadata the way Argo CD's repo server reads the commit", async () => {
    // the first deployment of every Application is the seed commit
    const { history } = (await sandbox.application('orders-api-dev')).status;
    const seed = history[0].revision;
    const metadata = await sandbox.argocd(
      `/api/v1/applications/orders-api-dev/revisions/${seed}/metadata`,
    );
    expect(metadata).toEqual({
      status: 200,
      body: {
        author: 'GitOps Sandbox <sandbox@gitops-sandbox.invalid>',
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        message: 'Seed the GitOps environment repository',
      },
    });
    expect(
      undefinedProperties(
        swagger,
        metadata.body,
        definition('v1alpha1RevisionMetadata'),
      ),
    ).toEqual([]);

    // the first line only, cut to 64 characters; the tags that point at the commit
    const subject = `Promote orders-api 2.2.0 to prod, ${'because '.repeat(5)}`;
    const commit = await sandbox.commit(
      { 'notes.txt': 'x\n' },
      `${subject}\n\nA body Argo CD leaves out.\n`,
    );
    const repo = await GitRepo.openOrSeed(sandbox.repoPath, '/nonexistent');
    await repo.tag('orders-api-prod-2.2.0', commit);
    const promoted = await sandbox.argocd(
      `/api/v1/applications/orders-api-prod/revisions/${commit}/metadata?appNamespace=argocd&sourceIndex=0`,
    );
    expect(promoted.body).toEqual({
      author: 'GitOps Sandbox <sandbox@gitops-sandbox.invalid>',
      date: expect.any(String),
      tags: ['orders-api-prod-2.2.0'],
      message: `${subject.slice(0, 61)}...`,
    });
    expect(promoted.body.message).toHaveLength(64);
    // a short sha resolves too
    const short = commit.slice(0, 8);
    expect(
      (
        await sandbox.argocd(
          `/api/v1/applications/orders-api-prod/revisions/${short}/metadata`,
        )
      ).body.tags,
    ).toEqual(['orders-api-prod-2.2.0']);

    expect(
      await sandbox.argocd(
        `/api/v1/applications/nope/revisions/${seed}/metadata`,
      ),
    ).toEqual({
      status: 404,
      body: {
        error: 'applications.argoproj.io "nope" not found',
        code: 5,
        message: 'applications.argoproj.io "nope" not found',
      },
    });
    const missing = '0'.repeat(40);
    const unknown = await sandbox.argocd(
      `/api/v1/applications/orders-api-dev/revisions/${missing}/metadata`,
    );
    expect(unknown.status).toBe(500);
    expect(unknown.body.code).toBe(2);
    expect(
      (
        await sandbox.argocd(
          `/api/v1/applications/orders-api-dev/revisions/--output=x/metadata`,
        )
      ).status,
    ).toBe(500);
  });
});

/**
 * The watch stream's resumption rules, as Argo CD's `ApplicationService.Watch`
 * (server/application/application.go): an ADDED burst unless resuming from a
 * resourceVersion (or watching one app by name), and nothing older than the
 * requested resourceVersion.
 */
describe('Argo CD watch stream', () => {
  let sandbox: TestSandbox;
  // Subscribing is how a test knows the stream is open before it changes anything.
  const subscribe = jest.spyOn(Sandbox.prototype, 'subscribe');

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    subscribe.mockRestore();
    await sandbox.close();
  });

  type WatchEvent = { type: string; name: string; resourceVersion: number };

  const watches: Array<() => void> = [];
  afterEach(() => watches.splice(0).forEach(close => close()));

  /** Opens a watch and resolves once the server subscribed it to changes. */
  async function watch(query = '') {
    const subscriptions = subscribe.mock.calls.length;
    const controller = new AbortController();
    watches.push(() => controller.abort());
    const response = fetch(
      `${sandbox.argocdUrl}/api/v1/stream/applications?${query}`,
      {
        headers: { authorization: `Bearer ${sandbox.token}` },
        signal: controller.signal,
      },
    );
    response.catch(() => undefined); // aborted before any event
    for (let i = 0; subscribe.mock.calls.length === subscriptions; i++) {
      if (i > 500) throw new Error('the watch never subscribed');
      await new Promise(wake => setTimeout(wake, 10));
    }
    const events: WatchEvent[] = [];
    const applications: any[] = [];
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let buffered = '';
    const decoder = new TextDecoder();
    /** Reads until `done` holds for the events so far; returns them all. */
    async function readUntil(done: (events: WatchEvent[]) => boolean) {
      reader ??= (await response).body!.getReader();
      while (!done(events)) {
        const { value, done: ended } = await reader.read();
        if (ended) throw new Error('the watch stream ended');
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          const { result } = JSON.parse(line);
          applications.push(result.application);
          events.push({
            type: result.type,
            name: result.application.metadata.name,
            resourceVersion: Number(
              result.application.metadata.resourceVersion,
            ),
          });
        }
      }
      return [...events];
    }
    return {
      events,
      applications,
      read: (count: number) => readUntil(e => e.length >= count),
      readUntil,
      /** True when no event arrives within `ms`. */
      async nothingWithin(ms: number) {
        const next = readUntil(e => e.length > 0).then(() => false);
        next.catch(() => undefined); // aborted after the test
        return Promise.race([
          next,
          new Promise<boolean>(done => setTimeout(() => done(true), ms)),
        ]);
      },
    };
  }

  const sync = async (name: string) => {
    const { status } = await sandbox.argocd(
      `/api/v1/applications/${name}/sync`,
      { method: 'POST' },
    );
    expect(status).toBe(200);
  };
  const currentVersion = async () =>
    Number(
      (await sandbox.argocd('/api/v1/applications')).body.metadata
        .resourceVersion,
    );
  /** Lets running syncs finish, so an app can be synced again. */
  const settle = () =>
    sandbox.advanceUntil(async () =>
      (await sandbox.argocd('/api/v1/applications')).body.items.every(
        (app: any) => app.status.operationState?.phase !== 'Running',
      ),
    );

  it('sends every matching Application as ADDED first when no resourceVersion is given', async () => {
    const list = (await sandbox.argocd('/api/v1/applications')).body.items;
    const stream = await watch();
    const events = await stream.read(list.length);

    expect(events.map(e => e.type)).toEqual(list.map(() => 'ADDED'));
    // sorted by qualified name (namespace/name)
    const qualified = stream.applications.map(
      a => `${a.metadata.namespace}/${a.metadata.name}`,
    );
    expect(qualified).toEqual([...qualified].sort());
    expect(events.map(e => e.name).sort()).toEqual(
      list.map((a: any) => a.metadata.name).sort(),
    );
  });

  it('sends no ADDED burst when resuming from a resourceVersion', async () => {
    const stream = await watch(`resourceVersion=${await currentVersion()}`);
    await sync('orders-api-staging');

    // the burst would have been written before any change
    expect((await stream.read(1))[0]).toMatchObject({
      type: 'MODIFIED',
      name: 'orders-api-staging',
    });
    await settle();
  });

  it('sends a later change as MODIFIED, newer than the ADDED it follows', async () => {
    const stream = await watch(
      `selector=${encodeURIComponent('app.kubernetes.io/name=shipping-api')}`,
    );
    const added = await stream.read(3);
    expect(added.map(e => [e.type, e.name])).toEqual([
      ['ADDED', 'shipping-api-dev'],
      ['ADDED', 'shipping-api-prod'],
      ['ADDED', 'shipping-api-staging'],
    ]);
    await sync('shipping-api-prod');

    const [modified] = (await stream.read(4)).slice(3);
    expect(modified).toMatchObject({
      type: 'MODIFIED',
      name: 'shipping-api-prod',
    });
    expect(modified.resourceVersion).toBeGreaterThan(added[1].resourceVersion);
    expect(stream.applications[3].status.operationState.phase).toBe('Running');
    await settle();
  });

  it('leaves out changes older than the resourceVersion', async () => {
    const minVersion = (await currentVersion()) + 2;
    const all = await watch(
      `selector=${encodeURIComponent('gitops.backstage.io/environment=prod')}`,
    );
    await all.read(3); // the ADDED burst
    const resumed = await watch(
      `resourceVersion=${minVersion}&selector=${encodeURIComponent(
        'gitops.backstage.io/environment=prod',
      )}`,
    );

    await sync('orders-api-prod');
    const [older] = (await all.read(4)).slice(3);
    expect(older).toMatchObject({ type: 'MODIFIED', name: 'orders-api-prod' });
    expect(older.resourceVersion).toBeLessThan(minVersion);
    await sync('payments-api-prod');
    const newer = (
      await all.readUntil(e => e[e.length - 1].resourceVersion >= minVersion)
    ).slice(4);

    // the stream resumed at minVersion has exactly the changes from minVersion on
    expect(await resumed.read(1)).toEqual(
      newer.filter(e => e.resourceVersion >= minVersion),
    );
    expect(resumed.events[0]).toMatchObject({
      type: 'MODIFIED',
      name: 'payments-api-prod',
    });
    await settle();
  });

  it("sends a named app's ADDED even when resuming, unless it is older than the resourceVersion", async () => {
    const app = await sandbox.application('orders-api-dev');
    const version = Number(app.metadata.resourceVersion);

    const current = await watch(
      `name=orders-api-dev&resourceVersion=${version}`,
    );
    expect(await current.read(1)).toEqual([
      { type: 'ADDED', name: 'orders-api-dev', resourceVersion: version },
    ]);

    const ahead = await watch(
      `name=orders-api-dev&appNamespace=argocd&resourceVersion=${version + 1}`,
    );
    const other = await watch(`name=orders-api-dev&appNamespace=elsewhere`);
    await sync('orders-api-dev');
    expect((await ahead.read(1))[0]).toMatchObject({
      type: 'MODIFIED',
      name: 'orders-api-dev',
    });
    // a name matches in the query's appNamespace only (Argo CD's namespace by default):
    // the change went out to `ahead` and, had it matched, to `other` in the same step
    expect(await other.nothingWithin(200)).toBe(true);
    await settle();
  });

  it('sends a deleted Application as DELETED, at the version of its deletion', async () => {
    const stream = await watch(
      `selector=${encodeURIComponent('app.kubernetes.io/name=orders-api')}`,
    );
    const added = await stream.read(3);
    const resumed = await watch(`resourceVersion=${await currentVersion()}`);

    await sandbox.commit(
      { 'argocd/orders-api-staging.yaml': null },
      'Retire orders-api staging',
    );
    await sandbox.advance(0);

    const deleted = (
      await stream.readUntil(e => e.some(event => event.type === 'DELETED'))
    ).find(e => e.type === 'DELETED')!;
    expect(deleted.name).toBe('orders-api-staging');
    expect(deleted.resourceVersion).toBeGreaterThan(
      Math.max(...added.map(e => e.resourceVersion)),
    );
    // newer than the resourceVersion a client resumed from, so it gets it too
    const resumedDeleted = (
      await resumed.readUntil(e => e.some(event => event.type === 'DELETED'))
    ).find(e => e.type === 'DELETED');
    expect(resumedDeleted).toEqual(deleted);
  });
});
