import {
  summarizeConfigAudits,
  workloadConfigAudit,
  auditedObjects,
  type ConfigAuditReport,
} from './configAudits';
import {
  distinctSecrets,
  secretSightings,
  summarizeSecrets,
  type ExposedSecretReport,
} from './exposedSecrets';
import { reportsForWorkload } from './trivyOperatorReports';
import type { Workload } from './types';
import {
  resolveWorkloadResources,
  type ReplicaSetObject,
  type RolloutObject,
} from './workloadResources';
import {
  loadFixture,
  loadMarkdownFixture,
  relabelled,
  replicaSet,
} from './__testUtils__/objects';

/** Trivy Operator's own samples: its envtest expectation and its CRD documentation. */
const [wordpressAudit] = loadFixture<ConfigAuditReport>(
  'trivy-operator-replicaset-configauditreport.yaml',
);
const [nginxAudit] = loadMarkdownFixture<ConfigAuditReport>(
  'trivy-operator-configaudit-report.md',
);
const [stripeSecrets] = loadMarkdownFixture<ExposedSecretReport>(
  'trivy-operator-exposedsecret-report.md',
);

/** Argo Rollouts' canary mid-flight: stable, canary and a stale ReplicaSet of canary-demo. */
const [rollout] = loadFixture<RolloutObject>(
  'argo-rollouts-canary-rollout.yaml',
);
const [stable] = loadFixture<ReplicaSetObject>(
  'argo-rollouts-canary-demo-stable-rs.yaml',
);
const [canary] = loadFixture<ReplicaSetObject>(
  'argo-rollouts-canary-demo-canary-rs.yaml',
);
const [old] = loadFixture<ReplicaSetObject>(
  'argo-rollouts-canary-demo-old-rs.yaml',
);
const canaryDemo: Workload = {
  namespace: 'jesse-test',
  kind: 'Rollout',
  name: 'canary-demo',
  images: [
    'argoproj/rollouts-demo:green',
    'argoproj/rollouts-demo:does-not-exist',
    'myimagewithsecret:v1.2.3',
  ],
};
const canaryResources = resolveWorkloadResources(canaryDemo, {
  workloadObject: rollout,
  replicaSets: [stable, canary, old],
  pods: [],
});

describe('ConfigAuditReports', () => {
  it('reads the upstream ReplicaSet report of a Deployment: every failing check, by severity', () => {
    const wordpress: Workload = {
      namespace: 'default',
      kind: 'Deployment',
      name: 'wordpress',
      images: [],
    };
    const rs = replicaSet({
      owner: { kind: 'Deployment', name: 'wordpress' },
      hash: '84bbf6f4dd',
      namespace: 'default',
      replicas: 1,
    });
    const resources = resolveWorkloadResources(wordpress, {
      replicaSets: [rs],
      pods: [],
    });
    expect(auditedObjects(resources)).toEqual([
      'ReplicaSet/wordpress-84bbf6f4dd',
    ]);

    const audit = workloadConfigAudit(
      wordpress,
      reportsForWorkload(resources, [], [wordpressAudit]),
    );

    expect(audit.failed).toHaveLength(13);
    expect(audit.failed.find(c => c.checkId === 'KSV012')).toEqual({
      checkId: 'KSV012',
      severity: 'medium',
      title: 'Runs as root user',
      description:
        'Force the running image to run as a non-root user to ensure least privileges.',
      category: 'Kubernetes Security Check',
      remediation: "Set 'containers[].securityContext.runAsNonRoot' to true.",
      messages: [
        "Container 'wordpress' of ReplicaSet 'wordpress-84bbf6f4dd' should set 'securityContext.runAsNonRoot' to true",
      ],
      workload: 'Deployment/wordpress',
      resources: ['ReplicaSet/wordpress-84bbf6f4dd'],
    });
    // As the report's own summary says (high 1, medium 3, low 9).
    expect(summarizeConfigAudits([audit])).toEqual({
      failed: { critical: 0, high: 1, medium: 3, low: 9, unknown: 0 },
      passed: 0,
    });
  });

  it("counts the checks, not the report's summary, and the passing ones apart", () => {
    const nginx: Workload = {
      namespace: 'default',
      kind: 'Deployment',
      name: 'nginx',
      images: [],
    };
    const audit = workloadConfigAudit(nginx, [nginxAudit]);
    expect(audit.failed.map(c => `${c.checkId} ${c.severity}`)).toEqual([
      'notReadOnlyRootFilesystem low',
      'privilegeEscalationAllowed critical',
    ]);
    expect(audit.passed).toEqual([
      'hostPIDSet',
      'hostIPCSet',
      'hostNetworkSet',
    ]);
    // The sample's summary claims 2 critical and 9 low.
    expect(summarizeConfigAudits([audit])).toEqual({
      failed: { critical: 1, high: 0, medium: 0, low: 1, unknown: 0 },
      passed: 3,
    });
  });

  it('reports a check once per workload over the stable and canary ReplicaSets, never the stale one', () => {
    const reports = [stable, canary, old].map(rs =>
      relabelled(wordpressAudit, { kind: 'ReplicaSet', object: rs }),
    );
    expect(auditedObjects(canaryResources)).toEqual([
      'ReplicaSet/canary-demo-877894d5b',
      'ReplicaSet/canary-demo-65fb5ffc84',
    ]);

    const audit = workloadConfigAudit(
      canaryDemo,
      reportsForWorkload(canaryResources, canaryDemo.images, reports),
    );

    expect(audit.failed).toHaveLength(13);
    const ksv012 = audit.failed.find(c => c.checkId === 'KSV012')!;
    expect(ksv012.workload).toBe('Rollout/canary-demo');
    expect(ksv012.resources).toEqual([
      'ReplicaSet/canary-demo-877894d5b',
      'ReplicaSet/canary-demo-65fb5ffc84',
    ]);
    expect(summarizeConfigAudits([audit]).failed).toEqual({
      critical: 0,
      high: 1,
      medium: 3,
      low: 9,
      unknown: 0,
    });
  });

  it('fails a check for the workload when any of its ReplicaSets fails it', () => {
    const fixedInCanary = relabelled(
      nginxAudit,
      { kind: 'ReplicaSet', object: canary },
      {
        checks: nginxAudit.report!.checks!.map(c => ({ ...c, success: true })),
      },
    );
    const audit = workloadConfigAudit(canaryDemo, [
      relabelled(nginxAudit, { kind: 'ReplicaSet', object: stable }),
      fixedInCanary,
    ]);
    expect(audit.failed.map(c => [c.checkId, c.resources])).toEqual([
      ['notReadOnlyRootFilesystem', ['ReplicaSet/canary-demo-877894d5b']],
      ['privilegeEscalationAllowed', ['ReplicaSet/canary-demo-877894d5b']],
    ]);
    expect(audit.passed).toEqual([
      'hostPIDSet',
      'hostIPCSet',
      'hostNetworkSet',
    ]);
  });
});

describe('ExposedSecretReports', () => {
  const app = (rs: ReplicaSetObject, container = 'app') =>
    relabelled(stripeSecrets, { kind: 'ReplicaSet', object: rs, container });

  it('reads the upstream report: each secret with its rule, file and redacted match', () => {
    const workload: Workload = {
      namespace: 'default',
      kind: 'Deployment',
      name: 'app',
      images: ['myimagewithsecret:v1.2.3'],
    };
    const secrets = distinctSecrets(secretSightings(workload, [stripeSecrets]));
    expect(secrets).toEqual([
      {
        ruleId: 'stripe-access-token',
        severity: 'high',
        title: 'Stripe',
        category: 'Stripe',
        target: '/app/config/secret.yaml',
        match: 'publishable_key: *****',
        // In the workload's own spelling of the image.
        image: 'myimagewithsecret:v1.2.3',
        occurrences: [
          {
            image: 'myimagewithsecret:v1.2.3',
            workload: 'Deployment/app',
            container: 'app',
          },
        ],
      },
      expect.objectContaining({
        ruleId: 'stripe-access-token',
        match: 'secret_key: *****',
      }),
    ]);
    expect(summarizeSecrets(secrets)).toEqual({
      total: 2,
      counts: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 },
    });
  });

  it('counts a secret once per image over containers and the stable and canary ReplicaSets', () => {
    const reports = [app(stable), app(stable, 'worker'), app(canary), app(old)];
    const matched = reportsForWorkload(
      canaryResources,
      canaryDemo.images,
      reports,
    );
    expect(matched).toHaveLength(3); // not the stale ReplicaSet's

    const secrets = distinctSecrets(secretSightings(canaryDemo, matched));

    expect(secrets).toHaveLength(2);
    expect(secrets[0].occurrences).toEqual([
      {
        image: 'myimagewithsecret:v1.2.3',
        workload: 'Rollout/canary-demo',
        container: 'app',
      },
      {
        image: 'myimagewithsecret:v1.2.3',
        workload: 'Rollout/canary-demo',
        container: 'worker',
      },
    ]);
    // Another image with the same file is another exposure.
    const rebuilt = relabelled(
      stripeSecrets,
      { kind: 'ReplicaSet', object: canary, container: 'app' },
      {
        artifact: {
          repository: 'argoproj/rollouts-demo',
          tag: 'does-not-exist',
        },
      },
    );
    expect(
      summarizeSecrets(
        distinctSecrets(secretSightings(canaryDemo, [...matched, rebuilt])),
      ).total,
    ).toBe(4);
  });
});
