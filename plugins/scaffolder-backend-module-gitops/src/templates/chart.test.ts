import { createMockDirectory } from '@backstage/backend-test-utils';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service } from 'kubernetes-models/v1';
import { Policy as KyvernoPolicy } from '@kubernetes-models/kyverno/kyverno.io/v1/Policy';
import { ClusterPolicy as KyvernoClusterPolicy } from '@kubernetes-models/kyverno/kyverno.io/v1/ClusterPolicy';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import yaml from 'yaml';
import { renderServiceFiles } from '../actions/serviceManifests';
import { gitopsValues, helmTemplate } from '../__testUtils__/helmChart';
import { renderSkeleton } from '../__testUtils__/renderSkeleton';

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  Rollout,
  AnalysisTemplate,
  Service,
  PodDisruptionBudget,
  NetworkPolicy,
};

describe('the Argo CD Applications gitops:service:register writes', () => {
  it('validate against the Argo CD Application schema, one per environment', () => {
    const files = renderServiceFiles({
      service: 'checkout-api',
      environments: ['dev', 'staging', 'prod'],
      imageRepository: 'ghcr.io/acme/checkout-api',
      imageTag: '0.1.0',
      replicas: { dev: 1, staging: 2, prod: 3 },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      strategy: 'canary',
      enforcePoliciesIn: ['prod'],
      manualPromotionIn: ['prod'],
      repoUrl: 'https://git.example.com/platform/gitops.git',
      branch: 'main',
      project: 'default',
      argocdNamespace: 'argocd',
      destinationServer: 'https://kubernetes.default.svc',
      valuesPathTemplate: 'apps/{service}/{environment}/values.yaml',
      applicationPathTemplate: 'argocd/{service}-{environment}.yaml',
    });
    const applications = files.filter(f => f.path.startsWith('argocd/')).map(f => yaml.parse(f.content));
    expect(applications.map(a => a.metadata.name)).toEqual(['checkout-api-dev', 'checkout-api-staging', 'checkout-api-prod']);
    for (const application of applications) {
      expect(() => new Application(application).validate()).not.toThrow();
      expect(application.metadata.labels['app.kubernetes.io/name']).toBe('checkout-api');
    }
  });
});

/** The Rollout's strategy as values and the form ask for it. */
function expectedStrategy(strategy: string, values: any, analysisName: string, environment: string) {
  if (strategy === 'canary') {
    return {
      canary: {
        steps: values.rollout.canary.steps,
        analysis: expect.objectContaining({ templates: [{ templateName: analysisName }] }),
      },
    };
  }
  return {
    blueGreen: expect.objectContaining({
      activeService: 'checkout-api',
      previewService: 'checkout-api-preview',
      autoPromotionEnabled: environment !== 'prod',
    }),
  };
}

describe.each([['node-service'], ['python-service']])('the %s chart', template => {
  describe.each([['canary' as const], ['blueGreen' as const]])('with %s rollouts', strategy => {
    const dir = createMockDirectory();
    let files: Record<string, string>;
    beforeAll(async () => {
      files = await renderSkeleton(template, {
        name: 'checkout-api',
        description: 'Takes the money',
        owner: 'group:default/team-payments',
        strategy,
        imageRegistry: 'ghcr.io/acme',
        language: 'x',
      }, dir.path);
    });

    it.each([['dev'], ['prod']])('renders valid Kubernetes objects for %s', environment => {
      const values = gitopsValues(strategy, environment);
      const objects = helmTemplate(files, 'chart', values, environment);
      const kinds = objects.map(o => o.kind).sort();
      expect(kinds).toEqual(
        strategy === 'canary'
          ? ['AnalysisTemplate', 'NetworkPolicy', 'PodDisruptionBudget', 'Rollout', 'Service']
          : ['NetworkPolicy', 'PodDisruptionBudget', 'Rollout', 'Service', 'Service'],
      );
      for (const object of objects) expect(() => new MODELS[object.kind](object).validate()).not.toThrow();

      const rollout = objects.find(o => o.kind === 'Rollout');
      expect(rollout.metadata.name).toBe('checkout-api');
      expect(rollout.spec.replicas).toBe(2);
      const [container] = rollout.spec.template.spec.containers;
      expect(container.image).toBe('ghcr.io/acme/checkout-api:4f2c1d0');
      expect(container.readinessProbe.httpGet.path).toBe('/healthz');
      expect(container.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
      expect(rollout.spec.template.metadata.labels['backstage.io/kubernetes-id']).toBe('checkout-api');
      expect(rollout.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const analysis = objects.find(o => o.kind === 'AnalysisTemplate');
      const expected = expectedStrategy(strategy, values, analysis?.metadata.name, environment);
      expect(rollout.spec.strategy).toEqual(expected);
      // Argo Rollouts' own placeholders survive Helm's rendering
      expect(analysis?.spec.metrics[0].provider.prometheus.query ?? '{{args.service-name}}').toContain('{{args.service-name}}');
    });

    it.each([['dev', 'Audit'], ['prod', 'Enforce']])('renders Kyverno policies that %s in %s', (environment, action) => {
      const values = gitopsValues(strategy, environment);
      const policies = helmTemplate(files, 'policies', values.policies, environment);
      expect(policies.map(p => p.metadata.name).sort()).toEqual([
        'disallow-latest-tag',
        'require-requests-limits',
        'require-run-as-non-root',
        'restrict-image-registries',
      ]);
      for (const policy of policies) {
        expect(policy).toMatchObject({ apiVersion: 'kyverno.io/v1', kind: 'Policy', spec: { background: true } });
        expect(() => new KyvernoPolicy(policy).validate()).not.toThrow();
        for (const rule of policy.spec.rules) {
          expect(rule.match.any[0].resources.kinds).toEqual(['Pod']);
          expect(rule.validate.failureAction).toBe(action);
          expect(rule.validate.message).toEqual(expect.any(String));
        }
      }
      const registries = policies.find(p => p.metadata.name === 'restrict-image-registries');
      expect(registries.spec.rules[0].validate.pattern.spec.containers[0].image).toBe('ghcr.io/acme/*');
    });
  });

  describe('image signatures', () => {
    const dir = createMockDirectory();
    let files: Record<string, string>;
    beforeAll(async () => {
      files = await renderSkeleton(template, {
        name: 'checkout-api',
        description: 'Takes the money',
        owner: 'group:default/team-payments',
        strategy: 'canary',
        imageRegistry: 'ghcr.io/acme',
        sourceRepository: 'acme/checkout-api',
        language: 'x',
      }, dir.path);
    });

    it.each([['staging', 'Audit'], ['prod', 'Enforce']])(
      'verifies keyless cosign signatures of its CI workflow in the %s namespace (%s)',
      (environment, action) => {
        const values = gitopsValues('canary', environment);
        const policy = helmTemplate(files, 'policies', values.policies, environment).find(p => p.kind === 'ClusterPolicy');
        expect(() => new KyvernoClusterPolicy(policy).validate()).not.toThrow();
        expect(policy.metadata.name).toBe(`verify-images-checkout-api-${environment}`);
        expect(policy.spec.background).toBe(true);
        const [rule] = policy.spec.rules;
        expect(rule.match.any[0].resources).toEqual({ kinds: ['Pod'], namespaces: [`checkout-api-${environment}`] });
        expect(rule.verifyImages).toEqual([
          {
            failureAction: action,
            imageReferences: ['ghcr.io/acme/checkout-api:*', 'ghcr.io/acme/checkout-api@*'],
            mutateDigest: true,
            verifyDigest: true,
            required: true,
            attestors: [
              {
                count: 1,
                entries: [
                  {
                    keyless: {
                      subject: 'https://github.com/acme/checkout-api/.github/workflows/ci.yaml@refs/heads/main',
                      issuer: 'https://token.actions.githubusercontent.com',
                      rekor: { url: 'https://rekor.sigstore.dev' },
                    },
                  },
                ],
              },
            ],
          },
        ]);
        // Autogen covers the Rollout's ReplicaSets, whose reports the Deployments tab reads.
        expect(policy.metadata.annotations['pod-policies.kyverno.io/autogen-controllers']).toContain('ReplicaSet');
      },
    );

    it('has no signature policy without a GitHub repository to sign from', async () => {
      const other = createMockDirectory();
      const local = await renderSkeleton(template, {
        name: 'checkout-api',
        description: 'Takes the money',
        owner: 'group:default/team-payments',
        strategy: 'canary',
        imageRegistry: 'ghcr.io/acme',
        language: 'x',
      }, other.path);
      const policies = helmTemplate(local, 'policies', gitopsValues('canary', 'prod').policies, 'prod');
      expect(policies.map(p => p.kind)).not.toContain('ClusterPolicy');
    });
  });
});
