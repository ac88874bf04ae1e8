import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import type { ArgoApplication } from '../argocd/types';
import { readGitopsConfig } from '../config/gitopsConfig';
import { testInventory, type TestEntry } from '../__testUtils__/inventory';
import { DeploymentsService } from '../deployments/DeploymentsService';
import { FleetService, fleetEntityQuery, type FleetFindings } from './FleetService';

const config = readGitopsConfig(
  new ConfigReader({
    gitops: {
      environments: [
        { name: 'dev', title: 'Development', match: { labels: { env: 'dev' } } },
        { name: 'staging', promotesFrom: 'dev', match: { labels: { env: 'staging' } } },
        { name: 'prod', title: 'Production', promotesFrom: 'staging', match: { labels: { env: 'prod' } } },
      ],
      argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
    },
  } as never),
);

const pausedCanary = () => {
  const rollout = parse(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../fixtures/upstream/argo-rollouts-canary-rollout.yaml'),
      'utf8',
    ),
  );
  rollout.status.conditions = [];
  rollout.status.currentStepIndex = 1;
  rollout.status.pauseConditions = [{ reason: 'CanaryPauseStep', startTime: '2026-11-22T10:00:00Z' }];
  rollout.status.controllerPause = true;
  return rollout;
};

function app(
  service: string,
  env: string,
  overrides: Parameters<typeof argoApplication>[1] & { suffix?: string } = {},
  rollouts: unknown[] = [],
): TestEntry & { rollouts: unknown[] } {
  const { suffix = '', ...rest } = overrides;
  return {
    instance: 'main',
    application: argoApplication(`${service}${suffix}-${env}`, {
      labels: { 'app.kubernetes.io/name': service, env },
      image: `ghcr.io/example/${service}:1.0.0`,
      ...rest,
    }) as unknown as ArgoApplication,
    rollouts,
  };
}

function component(
  name: string,
  annotations: Record<string, string> | undefined,
  spec: { owner?: string; system?: string } = {},
  kind = 'Component',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', title: `${name} title`, annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a', ...spec },
  };
}

const selector = (name: string) => ({ 'argocd/app-selector': `app.kubernetes.io/name=${name}` });

function fleetOf(applications: TestEntry[], findings?: FleetFindings) {
  const inventory = testInventory(config, applications, {
    errors: [{ source: 'argocd:other', message: 'connection refused' }],
    observedAt: new Date('2026-11-22T10:00:00Z'),
  });
  return {
    fleet: new FleetService(config, inventory, findings),
    deployments: new DeploymentsService(config, inventory),
  };
}

describe('FleetService', () => {
  const applications = [
    app('payments', 'dev', { image: 'ghcr.io/example/payments:1.5.0' }),
    app('payments', 'staging', { image: 'ghcr.io/example/payments:1.4.0' }),
    app('payments', 'prod', { image: 'ghcr.io/example/payments:1.4.0' }),
    app('orders', 'dev', { image: 'ghcr.io/example/orders:2.0.0' }),
    app('orders', 'prod', { image: 'ghcr.io/example/orders:2.0.0', health: 'Degraded' }),
    app('search', 'dev', { sync: 'OutOfSync' }),
    app('unplaced', 'qa'),
  ];

  it('returns one row per annotated entity with every environment in config order', async () => {
    const { fleet } = fleetOf(applications);
    const result = await fleet.getFleet([
      component('payments', selector('payments'), { system: 'billing' }),
      component('orders', selector('orders'), { owner: 'group:default/team-b' }),
      component('search', selector('search')),
      component('docs', undefined),
      component('website', { 'backstage.io/techdocs-ref': 'dir:.' }),
    ]);
    expect(result.environments).toEqual([
      { name: 'dev', title: 'Development', promotesFrom: undefined },
      { name: 'staging', title: 'staging', promotesFrom: 'dev' },
      { name: 'prod', title: 'Production', promotesFrom: 'staging' },
    ]);
    expect(result.items.map(i => i.entityRef)).toEqual([
      // high risk first, then low, then none; by ref within a risk
      'component:default/orders',
      'component:default/search',
      'component:default/payments',
    ]);
    const payments = result.items.find(i => i.name === 'payments')!;
    expect(payments).toMatchObject({
      kind: 'Component',
      title: 'payments title',
      owner: 'group:default/team-a',
      system: 'system:default/billing',
      drift: true,
      risk: 'none',
    });
    expect(payments.environments).toEqual({
      dev: {
        version: { image: 'ghcr.io/example/payments:1.5.0', tag: '1.5.0' },
        sync: 'Synced',
        health: 'Healthy',
        applications: 1,
      },
      staging: {
        version: { image: 'ghcr.io/example/payments:1.4.0', tag: '1.4.0' },
        sync: 'Synced',
        health: 'Healthy',
        behindSource: true,
        applications: 1,
      },
      prod: {
        version: { image: 'ghcr.io/example/payments:1.4.0', tag: '1.4.0' },
        sync: 'Synced',
        health: 'Healthy',
        behindSource: false,
        applications: 1,
      },
    });
    const orders = result.items[0];
    expect(orders.environments.staging).toBeUndefined();
    // prod promotes from staging, where orders does not run: no drift to report.
    expect(orders.environments.prod.behindSource).toBeUndefined();
    expect(orders).toMatchObject({ drift: false, risk: 'high', riskReasons: ['prod: Degraded'] });
    expect(result.items[1]).toMatchObject({ risk: 'low', riskReasons: ['dev: OutOfSync'] });
    expect(result.errors).toEqual([{ source: 'argocd:other', message: 'connection refused' }]);
    expect(result.observedAt).toBe('2026-11-22T10:00:00.000Z');
  });

  it('agrees with the Deployments view on versions and drift', async () => {
    const { fleet, deployments } = fleetOf(applications);
    const entities = ['payments', 'orders', 'search'].map(n => component(n, selector(n)));
    const result = await fleet.getFleet(entities);
    for (const entity of entities) {
      const view = await deployments.getDeployments(entity);
      const row = result.items.find(i => i.name === entity.metadata.name)!;
      for (const env of view.environments) {
        expect(row.environments[env.name]?.version?.tag).toBe(env.version?.tag);
        expect(row.environments[env.name]?.behindSource).toBe(env.behindSource);
      }
    }
  });

  it('filters by owner, system and kind whatever the ref spelling', async () => {
    const { fleet } = fleetOf(applications);
    const entities = [
      component('payments', selector('payments'), { owner: 'team-a', system: 'billing' }),
      component('orders', selector('orders'), { owner: 'group:default/team-b', system: 'system:default/shop' }),
      component('search', selector('search'), { owner: 'Group:team-b' }),
      component('search-api', selector('search'), { owner: 'team-b' }, 'API'),
    ];
    const names = async (filter: object) =>
      (await fleet.getFleet(entities, filter)).items.map(i => i.name).sort();
    expect(await names({ owner: 'team-b' })).toEqual(['orders', 'search', 'search-api']);
    expect(await names({ owner: 'group:default/team-a' })).toEqual(['payments']);
    expect(await names({ system: 'shop' })).toEqual(['orders']);
    expect(await names({ system: 'system:default/billing' })).toEqual(['payments']);
    expect(await names({ owner: 'team-b', kind: 'component' })).toEqual(['orders', 'search']);
    expect(await names({ owner: 'nobody' })).toEqual([]);
  });

  it('summarises two apps in one environment: worst sync and health, first image, counts', async () => {
    const { fleet } = fleetOf([
      app('payments', 'prod', { image: 'ghcr.io/example/payments:1.4.0' }),
      app('payments', 'prod', { suffix: '-worker', image: 'ghcr.io/example/payments-worker:9.9.9', health: 'Progressing', sync: 'OutOfSync' }),
    ]);
    const { items } = await fleet.getFleet([component('payments', selector('payments'))]);
    expect(items[0].environments).toEqual({
      prod: {
        version: { image: 'ghcr.io/example/payments:1.4.0', tag: '1.4.0' },
        sync: 'OutOfSync',
        health: 'Progressing',
        applications: 2,
      },
    });
    expect(items[0].risk).toBe('low');
  });

  it('finds apps by argocd/app-name, by kubernetes-id, and with set and inequality selectors', async () => {
    const { fleet } = fleetOf([
      ...applications,
      {
        ...app('legacy', 'dev'),
        application: argoApplication('legacy-dev', {
          labels: { 'backstage.io/kubernetes-id': 'legacy', env: 'dev' },
        }) as unknown as ArgoApplication,
      },
    ]);
    const { items, errors } = await fleet.getFleet([
      component('by-name', { 'argocd/app-name': 'payments-prod, orders-dev,payments-prod' }),
      component('by-id', { 'backstage.io/kubernetes-id': 'legacy' }),
      component('by-set', { 'argocd/app-selector': 'app.kubernetes.io/name in (orders, search),env!=prod' }),
      component('by-exists', { 'argocd/app-selector': 'env,!nothing,app.kubernetes.io/name notin (payments,orders,search)' }),
      component('label-selector-only', { 'backstage.io/kubernetes-label-selector': 'app=x' }),
      component('broken', { 'argocd/app-selector': 'a in (b' }),
    ]);
    const byName = Object.fromEntries(items.map(i => [i.name, i]));
    expect(Object.keys(byName['by-name'].environments)).toEqual(['dev', 'prod']);
    expect(byName['by-name'].environments.dev.version?.image).toBe('ghcr.io/example/orders:2.0.0');
    expect(byName['by-id'].environments.dev.applications).toBe(1);
    expect(byName['by-set'].environments).toMatchObject({
      dev: { applications: 2 },
    });
    expect(byName['by-set'].environments.prod).toBeUndefined();
    // Unplaced apps (env=qa) have no column.
    expect(byName['by-exists'].environments).toEqual({
      dev: expect.objectContaining({ applications: 1 }),
    });
    expect(byName['label-selector-only'].environments).toEqual({});
    expect(byName.broken.environments).toEqual({});
    expect(errors).toContainEqual({
      source: 'entity:component:default/broken',
      message: expect.stringContaining('argocd/app-selector'),
    });
  });

  it('reports a paused canary as low risk with its phase and the rollout image as version', async () => {
    const { fleet } = fleetOf([
      app('canary', 'dev', { rollout: { name: 'canary-demo', namespace: 'jesse-test' }, health: 'Suspended' }, [pausedCanary()]),
    ]);
    const { items } = await fleet.getFleet([component('canary', selector('canary'))]);
    expect(items[0].environments.dev).toMatchObject({
      rolloutPhase: 'Paused',
      health: 'Suspended',
      version: { image: 'argoproj/rollouts-demo:does-not-exist', tag: 'does-not-exist' },
    });
    expect(items[0]).toMatchObject({ risk: 'low', riskReasons: ['dev: Suspended', 'dev: rollout Paused'] });
  });

  it('follows the inventory: a change re-indexes, the same content gives the same answers', async () => {
    const inventory = testInventory(config, [app('payments', 'dev')]);
    const fleet = new FleetService(config, inventory);
    const entities = [component('payments', selector('payments')), component('payments-copy', selector('payments'))];
    const first = await fleet.getFleet(entities);
    expect(first.items.map(i => Object.keys(i.environments))).toEqual([['dev'], ['dev']]);

    // Upserted again: a new entry, the same content.
    inventory.set([app('payments', 'dev')]);
    expect((await fleet.getFleet(entities)).items).toEqual(first.items);

    // Changed: the app is now Degraded.
    inventory.set([app('payments', 'dev', { health: 'Degraded' })]);
    const after = await fleet.getFleet(entities);
    expect(after.items.map(i => [i.name, i.environments.dev.health, i.risk])).toEqual([
      ['payments', 'Degraded', 'high'],
      ['payments-copy', 'Degraded', 'high'],
    ]);
  });

  describe('findings', () => {
    const summary = (critical: number, high: number) => ({
      counts: { critical, high, medium: 0, low: 0, unknown: 0 },
      fixable: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    });
    const rolloutApps = [
      app('payments', 'dev', { rollout: { name: 'payments', namespace: 'payments-dev' } }),
      app('payments', 'prod', { rollout: { name: 'payments', namespace: 'payments-prod' } }),
      app('orders', 'prod', { rollout: { name: 'orders', namespace: 'orders-prod' } }),
    ];

    function fakeFindings(hasClusters = true) {
      const findings = {
        hasClusters: async () => hasClusters,
        vulnerabilities: jest.fn(async (workloads: { namespace: string }[]) => ({
          items: [],
          summary: workloads[0].namespace === 'payments-prod' ? summary(2, 1) : summary(0, 3),
          errors: workloads[0].namespace === 'orders-prod'
            ? [{ source: 'scans:ghcr.io/example/orders-prod:1.0.0', message: 'No vulnerability report' }]
            : [],
        })),
        policies: jest.fn(async () => ({
          items: [],
          summary: { pass: 3, fail: 1, warn: 0, error: 0, skip: 0 },
          errors: [],
        })),
        // payments leaks a key in dev; orders' prod image has no report (unknown).
        exposedSecrets: jest.fn(async (workloads: { namespace: string }[]) => ({
          items: [],
          summary: {
            total: workloads[0].namespace === 'payments-dev' ? 1 : 0,
            counts: { critical: workloads[0].namespace === 'payments-dev' ? 1 : 0, high: 0, medium: 0, low: 0, unknown: 0 },
          },
          errors: workloads[0].namespace === 'orders-prod'
            ? [{ source: 'exposed-secrets:ghcr.io/example/orders:1.0.0', message: 'No ExposedSecretReport for ghcr.io/example/orders:1.0.0' }]
            : [],
        })),
      };
      return findings;
    }

    it('adds counts per environment only when asked, and omits counts read partially', async () => {
      const findings = fakeFindings();
      const { fleet } = fleetOf(rolloutApps, findings as unknown as FleetFindings);
      const entities = [component('payments', selector('payments')), component('orders', selector('orders'))];

      const plain = await fleet.getFleet(entities, {});
      expect(findings.vulnerabilities).not.toHaveBeenCalled();
      expect(plain.items.every(i => !i.environments.prod.vulnerabilities)).toBe(true);

      const result = await fleet.getFleet(entities, {}, { includeFindings: true });
      expect(findings.vulnerabilities).toHaveBeenCalledTimes(3);
      // Each workload carries where it runs, so findings read that one cluster.
      expect(findings.vulnerabilities).toHaveBeenCalledWith([
        {
          namespace: 'payments-prod',
          kind: 'Rollout',
          name: 'payments',
          images: ['ghcr.io/example/payments:1.0.0'],
          environment: 'prod',
          cluster: undefined,
          destination: { namespace: 'payments-prod', server: 'https://kubernetes.default.svc' },
        },
      ]);
      const payments = result.items.find(i => i.name === 'payments')!;
      expect(payments.environments.prod).toMatchObject({ vulnerabilities: { critical: 2, high: 1 }, policyFailures: 1 });
      expect(payments.environments.dev).toMatchObject({ vulnerabilities: { critical: 0, high: 3 }, policyFailures: 1 });
      expect(payments.risk).toBe('high');
      expect(payments.riskReasons).toContain('prod: 2 critical vulnerabilities');
      const orders = result.items.find(i => i.name === 'orders')!;
      expect(orders.environments.prod.vulnerabilities).toBeUndefined();
      expect(orders.environments.prod.policyFailures).toBe(1);
      expect(result.errors).toContainEqual({
        source: 'scans:ghcr.io/example/orders-prod:1.0.0',
        message: 'No vulnerability report',
      });
      // Counts belong to that read only.
      const again = await fleet.getFleet(entities);
      expect(again.items.find(i => i.name === 'payments')!.environments.prod.vulnerabilities).toBeUndefined();
    });

    it('puts an environment with exposed secrets, or unknown exposed secrets, at high risk', async () => {
      const findings = fakeFindings();
      const { fleet } = fleetOf(rolloutApps, findings as unknown as FleetFindings);
      const entities = [component('payments', selector('payments')), component('orders', selector('orders'))];
      const result = await fleet.getFleet(entities, {}, { includeFindings: true });
      const payments = result.items.find(i => i.name === 'payments')!;
      expect(payments.environments.dev).toMatchObject({ exposedSecrets: 1 });
      expect(payments.environments.prod).toMatchObject({ exposedSecrets: 0 });
      expect(payments.riskReasons).toContain('dev: 1 exposed secret');
      const orders = result.items.find(i => i.name === 'orders')!;
      expect(orders.environments.prod.exposedSecrets).toBeUndefined();
      expect(orders.environments.prod.exposedSecretsUnknown).toBe('No ExposedSecretReport for ghcr.io/example/orders:1.0.0');
      // Only a policy failure (low) besides: the unknown secrets make it high.
      expect(orders.risk).toBe('high');
      expect(orders.riskReasons).toEqual([
        'prod: exposed secrets unknown (No ExposedSecretReport for ghcr.io/example/orders:1.0.0)',
        'prod: 1 policy failures',
      ]);
      expect(result.errors).toContainEqual({
        source: 'exposed-secrets:ghcr.io/example/orders:1.0.0',
        message: 'No ExposedSecretReport for ghcr.io/example/orders:1.0.0',
      });
    });

    it('does not read findings when no cluster is configured', async () => {
      const findings = fakeFindings(false);
      const { fleet } = fleetOf(rolloutApps, findings as unknown as FleetFindings);
      await fleet.getFleet([component('payments', selector('payments'))], {}, { includeFindings: true });
      expect(findings.vulnerabilities).not.toHaveBeenCalled();
    });
  });
});

describe('fleetEntityQuery', () => {
  const EXISTS = Symbol('exists');

  it('asks for entities with any gitops annotation and only the fields the fleet reads', () => {
    const query = fleetEntityQuery(EXISTS);
    expect(query.filter).toEqual([
      { 'metadata.annotations.argocd/app-name': EXISTS },
      { 'metadata.annotations.argocd/app-selector': EXISTS },
      { 'metadata.annotations.backstage.io/kubernetes-id': EXISTS },
      { 'metadata.annotations.backstage.io/kubernetes-label-selector': EXISTS },
    ]);
    expect(query.fields).toEqual(
      expect.arrayContaining(['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'spec.owner', 'spec.system']),
    );
  });

  it('narrows every filter set by owner, system and kind through relations', () => {
    const query = fleetEntityQuery(EXISTS, { owner: 'team-a', system: 'Billing', kind: 'Component' });
    expect(query.filter[1]).toEqual({
      'metadata.annotations.argocd/app-selector': EXISTS,
      kind: 'Component',
      'relations.ownedBy': 'group:default/team-a',
      'relations.partOf': 'system:default/billing',
    });
  });
});
