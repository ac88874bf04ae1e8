import { createMockDirectory } from '@backstage/backend-test-utils';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { createCrdValidator, servedKinds } from '../__testUtils__/crdSchemas';
import { gitopsValues, helmTemplate } from '../__testUtils__/helmChart';
import { renderSkeleton } from '../__testUtils__/renderSkeleton';

/** The kubernetes-models classes of the chart's kinds (Argo Rollouts' also have a CRD below). */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Rollout,
  AnalysisTemplate,
  Service,
  ConfigMap,
  PodDisruptionBudget,
  NetworkPolicy,
};

/** The kinds validated against an upstream CRD, in the apiVersion the chart writes. */
const CRD_KINDS = [
  'argoproj.io/v1alpha1 Rollout',
  'argoproj.io/v1alpha1 AnalysisTemplate',
  'networking.istio.io/v1 VirtualService',
  'networking.istio.io/v1 DestinationRule',
  'gateway.networking.k8s.io/v1 HTTPRoute',
  'external-secrets.io/v1 ExternalSecret',
  'bitnami.com/v1alpha1 SealedSecret',
];

const validator = createCrdValidator();

/** Errors of one rendered object: its kubernetes-models class, its CRD, its name. */
function problems(object: any): string[] {
  const where = `${object.kind} ${object.metadata?.name}`;
  const errors: string[] = [];
  const crdErrors = validator.errors(object);
  const Model = MODELS[object.kind];
  if (!Model && !crdErrors) return [`${where}: neither a kubernetes-models class nor a CRD validates it`];
  if (Model) {
    try {
      new Model(object).validate();
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
    }
  }
  errors.push(...(crdErrors ?? []).map(e => `${where}: ${e}`));
  // CRD schemas leave metadata open; the API server wants a DNS-1123 name.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(object.metadata?.name ?? '')) {
    errors.push(`${where}: invalid metadata.name`);
  }
  return errors;
}

interface Case {
  strategy: 'canary' | 'blueGreen';
  trafficRouting: 'none' | 'istio' | 'gatewayApi';
  secrets: 'none' | 'externalSecrets' | 'sealedSecrets';
  loadTest: boolean;
}

/** Every option at least once, and each traffic routing with and without the load test. */
const CASES: Case[] = [
  { strategy: 'canary', trafficRouting: 'none', secrets: 'none', loadTest: false },
  { strategy: 'canary', trafficRouting: 'none', secrets: 'sealedSecrets', loadTest: true },
  { strategy: 'canary', trafficRouting: 'istio', secrets: 'externalSecrets', loadTest: true },
  { strategy: 'canary', trafficRouting: 'istio', secrets: 'none', loadTest: false },
  { strategy: 'canary', trafficRouting: 'gatewayApi', secrets: 'sealedSecrets', loadTest: false },
  { strategy: 'canary', trafficRouting: 'gatewayApi', secrets: 'externalSecrets', loadTest: true },
  { strategy: 'blueGreen', trafficRouting: 'istio', secrets: 'externalSecrets', loadTest: true },
];

function expectedKinds({ strategy, trafficRouting, secrets, loadTest }: Case): string[] {
  const kinds = ['NetworkPolicy', 'PodDisruptionBudget', 'Rollout', 'Service'];
  // The second Service: blue-green's preview, or the canary's own (traffic routing, load test).
  if (strategy === 'blueGreen' || trafficRouting !== 'none' || loadTest) kinds.push('Service');
  if (strategy === 'canary') {
    kinds.push('AnalysisTemplate');
    if (loadTest) kinds.push('AnalysisTemplate', 'ConfigMap');
    if (trafficRouting === 'istio') kinds.push('VirtualService', 'DestinationRule');
    if (trafficRouting === 'gatewayApi') kinds.push('HTTPRoute');
  }
  if (secrets === 'externalSecrets') kinds.push('ExternalSecret');
  if (secrets === 'sealedSecrets') kinds.push('SealedSecret');
  return kinds.sort();
}

/** What the options change in the rendered objects, read back from them. */
function wiring(objects: any[]) {
  const find = (kind: string, name = 'checkout-api') => objects.find(o => o.kind === kind && o.metadata.name === name);
  const rollout = find('Rollout');
  const canary = rollout.spec.strategy.canary;
  const analysis = find('AnalysisTemplate', 'checkout-api-success-rate');
  const latency = analysis?.spec.metrics.find((m: any) => m.name === 'latency');
  const loadTest = find('AnalysisTemplate', 'checkout-api-load-test')?.spec.metrics[0].provider.job.spec.template.spec;
  const httpRoute = find('HTTPRoute')?.spec;
  return {
    envFrom: rollout.spec.template.spec.containers[0].envFrom,
    externalSecret: find('ExternalSecret', 'checkout-api-secrets')?.spec,
    sealedSecret: find('SealedSecret', 'checkout-api-secrets')?.spec,
    blueGreenActiveService: rollout.spec.strategy.blueGreen?.activeService,
    metrics: analysis?.spec.metrics.map((m: any) => m.name),
    latency: latency && {
      interval: latency.interval,
      failureLimit: latency.failureLimit,
      successCondition: latency.successCondition,
      query: latency.provider.prometheus.query.trim(),
    },
    canaryService: canary?.canaryService,
    stableService: canary?.stableService,
    trafficRouting: canary?.trafficRouting,
    virtualService: find('VirtualService')?.spec.http.map((r: any) => ({
      name: r.name,
      route: r.route.map((d: any) => [d.destination.host, d.destination.subset, d.weight]),
    })),
    destinationRuleSubsets: find('DestinationRule')?.spec.subsets.map((subset: any) => subset.name),
    httpRoute: httpRoute && {
      parentRefs: httpRoute.parentRefs,
      backendRefs: httpRoute.rules[0].backendRefs.map((b: any) => [b.name, b.weight]),
    },
    loadTest: loadTest && {
      image: loadTest.containers[0].image,
      target: loadTest.containers[0].env.find((e: any) => e.name === 'TARGET').value,
      configMap: loadTest.volumes[0].configMap.name,
      script: find('ConfigMap', 'checkout-api-load-test').data['load-test.js'],
    },
    firstSteps: canary?.steps.slice(0, 4),
    backgroundAnalysis: canary && {
      templates: canary.analysis.templates.map((t: any) => t.templateName),
      startingStep: canary.analysis.startingStep,
    },
  };
}

const LOAD_TEST_ARGS = [
  { name: 'service-name', value: 'checkout-api' },
  { name: 'namespace', value: 'checkout-api-prod' },
];

/** What wiring() reads for these options in prod. */
function expectedWiring({ strategy, trafficRouting, secrets, loadTest }: Case) {
  const expected: Record<string, unknown> = {
    envFrom: secrets === 'none' ? undefined : [{ secretRef: { name: 'checkout-api-secrets' } }],
    externalSecret: undefined,
    sealedSecret: undefined,
    blueGreenActiveService: undefined,
    metrics: undefined,
    latency: undefined,
    canaryService: undefined,
    stableService: undefined,
    trafficRouting: undefined,
    virtualService: undefined,
    destinationRuleSubsets: undefined,
    httpRoute: undefined,
    loadTest: undefined,
    firstSteps: undefined,
    backgroundAnalysis: undefined,
  };
  if (secrets === 'externalSecrets') {
    expected.externalSecret = {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'default' },
      target: { name: 'checkout-api-secrets', creationPolicy: 'Owner' },
      dataFrom: [{ extract: { key: 'services/checkout-api/checkout-api-prod' } }],
    };
  }
  if (secrets === 'sealedSecrets') {
    expected.sealedSecret = {
      // the placeholder kubeseal's output replaces, per environment
      encryptedData: {},
      template: { metadata: expect.objectContaining({ name: 'checkout-api-secrets' }), type: 'Opaque' },
    };
  }
  if (strategy === 'blueGreen') return { ...expected, blueGreenActiveService: 'checkout-api' };

  Object.assign(expected, {
    metrics: ['success-rate', 'latency'],
    latency: {
      interval: '30s',
      failureLimit: 1,
      successCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5',
      query:
        'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{namespace="{{args.namespace}}",service="{{args.service-name}}"}[2m])) by (le))',
    },
    firstSteps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '30s' } }],
    backgroundAnalysis: { templates: ['checkout-api-success-rate'], startingStep: 1 },
  });
  if (trafficRouting !== 'none' || loadTest) expected.canaryService = 'checkout-api-canary';
  if (trafficRouting === 'istio') {
    Object.assign(expected, {
      trafficRouting: {
        istio: {
          virtualService: { name: 'checkout-api', routes: ['primary'] },
          destinationRule: { name: 'checkout-api', canarySubsetName: 'canary', stableSubsetName: 'stable' },
        },
      },
      virtualService: [{ name: 'primary', route: [['checkout-api', 'stable', 100], ['checkout-api', 'canary', 0]] }],
      destinationRuleSubsets: ['stable', 'canary'],
    });
  }
  if (trafficRouting === 'gatewayApi') {
    Object.assign(expected, {
      stableService: 'checkout-api',
      trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'checkout-api', namespace: 'checkout-api-prod' } } },
      httpRoute: {
        parentRefs: [{ name: 'gateway', namespace: 'gateway-system' }],
        backendRefs: [['checkout-api', 100], ['checkout-api-canary', 0]],
      },
    });
  }
  if (!loadTest) return expected;

  expected.loadTest = {
    image: expect.stringMatching(/^grafana\/k6:\d+\.\d+\.\d+$/),
    target: 'http://{{args.service-name}}-canary.{{args.namespace}}.svc.cluster.local/',
    configMap: 'checkout-api-load-test',
    script: expect.stringMatching(/thresholds: \{[\s\S]*http_req_failed[\s\S]*http_req_duration/),
  };
  if (trafficRouting === 'none') {
    // No router: canary pods exist only with a traffic share, so it runs beside the background analysis.
    expected.backgroundAnalysis = { templates: ['checkout-api-success-rate', 'checkout-api-load-test'], startingStep: 1 };
  } else {
    // One canary pod without traffic, the load test, then the traffic steps and their analysis.
    expected.firstSteps = [
      { setCanaryScale: { replicas: 1 } },
      { analysis: { templates: [{ templateName: 'checkout-api-load-test' }], args: LOAD_TEST_ARGS } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setWeight: 20 },
    ];
    expected.backgroundAnalysis = { templates: ['checkout-api-success-rate'], startingStep: 4 };
  }
  return expected;
}

describe('the CRD validator', () => {
  it('has a served schema for every CRD kind the chart writes', () => {
    expect(servedKinds()).toEqual(expect.arrayContaining(CRD_KINDS));
  });

  const virtualService = () => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'checkout-api' },
    spec: {
      hosts: ['checkout-api'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'checkout-api', subset: 'stable' }, weight: 100 },
            { destination: { host: 'checkout-api', subset: 'canary' }, weight: 0 },
          ],
        },
      ],
    },
  });

  it('accepts a valid VirtualService', () => {
    expect(validator.errors(virtualService())).toEqual([]);
  });

  it('rejects a VirtualService whose route weight is a string', () => {
    const broken: any = virtualService();
    broken.spec.http[0].route[0].weight = '100';
    expect(validator.errors(broken)).toEqual([expect.stringMatching(/^\/spec\/http\/0\/route\/0\/weight must be integer/)]);
  });

  it('rejects unknown fields, as kubectl apply --validate=strict does, and missing required ones', () => {
    const typo: any = virtualService();
    typo.spec.http[0].route[1].destination.subsetName = 'canary';
    expect(validator.errors(typo)).toEqual([expect.stringContaining('must NOT have additional properties')]);
    expect(createCrdValidator({ strictFields: false }).errors(typo)).toEqual([]);

    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout-api' },
      spec: { strategy: { canary: { trafficRouting: { istio: { destinationRule: { name: 'checkout-api' } } } } } },
    };
    expect(validator.errors(rollout)).toEqual(
      expect.arrayContaining([expect.stringMatching(/destinationRule must have required property 'canarySubsetName'/)]),
    );
  });

  it('rejects an ExternalSecret with a store kind the CRD does not know, and an apiVersion it no longer serves', () => {
    const externalSecret = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'checkout-api-secrets' },
      spec: { secretStoreRef: { kind: 'Vault', name: 'default' }, target: { name: 'checkout-api-secrets' } },
    };
    expect(validator.errors(externalSecret)).toEqual([expect.stringMatching(/secretStoreRef\/kind must be equal to one of the allowed values/)]);
    expect(() => validator.errors({ ...externalSecret, apiVersion: 'external-secrets.io/v1beta1' })).toThrow(/serves ExternalSecret in v1, not v1beta1/);
  });

  it('leaves built-in kinds to kubernetes-models', () => {
    expect(validator.errors({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } })).toBeUndefined();
  });
});

describe.each([
  ['node-service', 'typescript'],
  ['python-service', 'python'],
])('the %s chart with its production options', (template, language) => {
  describe.each(CASES.map(c => [`${c.strategy}, trafficRouting ${c.trafficRouting}, secrets ${c.secrets}, loadTest ${c.loadTest}`, c]))(
    '%s',
    (_title, options) => {
      const dir = createMockDirectory();
      let files: Record<string, string>;
      beforeAll(async () => {
        files = await renderSkeleton(
          template,
          {
            name: 'checkout-api',
            description: 'Takes the money',
            owner: 'group:default/team-payments',
            imageRegistry: 'ghcr.io/acme',
            language,
            ...options,
          },
          dir.path,
        );
      });

      it.each([['dev'], ['prod']])('renders objects that validate against kubernetes-models and the upstream CRDs in %s', environment => {
        const objects = helmTemplate(files, 'chart', gitopsValues(options.strategy, environment), environment);
        expect(objects.map(o => o.kind).sort()).toEqual(expectedKinds(options));
        expect(objects.flatMap(problems)).toEqual([]);
        // Secrets never go into git in the clear.
        expect(objects.map(o => o.kind)).not.toContain('Secret');
      });

      it('wires the Rollout to its router, secrets and analyses', () => {
        const objects = helmTemplate(files, 'chart', gitopsValues(options.strategy, 'prod'), 'prod');
        expect(wiring(objects)).toEqual(expectedWiring(options));
      });

      it('allows the load test image in the namespace, when there is one', () => {
        const allowed = /allowedImages: "ghcr\.io\/acme\/\* \| grafana\/k6:\*"/.test(files['chart/values.yaml']);
        expect(allowed).toBe(options.loadTest);
      });
    },
  );
});
