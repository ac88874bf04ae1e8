import { sightingsFromReports } from './trivy';
import { reportsForWorkload } from './trivyOperatorReports';
import type { VulnerabilitySighting, Workload } from './types';
import {
  distinctVulnerabilities,
  summarizeVulnerabilities,
} from './vulnerabilities';
import {
  resolveWorkloadResources,
  type ReplicaSetObject,
  type RolloutObject,
} from './workloadResources';
import { loadFixture, upstreamReportFor } from './__testUtils__/objects';

/*
 * Argo Rollouts' own canary mid-flight (kubectl plugin testdata): Rollout canary-demo
 * with its stable ReplicaSet (5 pods, rollouts-demo:green), its canary (1 pod,
 * rollouts-demo:does-not-exist) and an old one scaled to zero (rollouts-demo:asdf).
 * Each ReplicaSet runs a log shipper beside the app. Trivy Operator writes one
 * VulnerabilityReport per container of each ReplicaSet, upstream's shape.
 */
const [rollout] = loadFixture<RolloutObject>(
  'argo-rollouts-canary-rollout.yaml',
);
const SHIPPER = { name: 'log-shipper', image: 'fluent/fluent-bit:3.0.4' };

function withShipper(
  file: string,
): ReplicaSetObject & { spec: { template: any } } {
  const [rs] = loadFixture<ReplicaSetObject & { spec: { template: any } }>(
    file,
  );
  rs.spec.template.spec.containers.push(SHIPPER);
  return rs;
}
const stable = withShipper('argo-rollouts-canary-demo-stable-rs.yaml');
const canary = withShipper('argo-rollouts-canary-demo-canary-rs.yaml');
const old = withShipper('argo-rollouts-canary-demo-old-rs.yaml');

const demo = (tag: string) => ({
  server: 'index.docker.io',
  repository: 'argoproj/rollouts-demo',
  tag,
});
const shipper = {
  server: 'index.docker.io',
  repository: 'fluent/fluent-bit',
  tag: '3.0.4',
};

/** Upstream's one finding (CVE-2021-3121, HIGH, gogo/protobuf v1.3.1, fixed in 1.3.2). */
const [gogo] = loadFixture<any>('trivy-operator-vulnerabilityreport.yaml')[0]
  .report.vulnerabilities;
const netHttp2 = {
  ...gogo,
  vulnerabilityID: 'CVE-2023-39325',
  resource: 'golang.org/x/net',
  installedVersion: 'v0.7.0',
  fixedVersion: '0.17.0',
  severity: 'HIGH',
  score: 7.5,
};
const staleCritical = {
  ...gogo,
  vulnerabilityID: 'CVE-2022-23806',
  severity: 'CRITICAL',
};

const reports = [
  // The app and the log shipper both link gogo/protobuf v1.3.1: one vulnerability.
  upstreamReportFor({
    replicaSet: stable,
    container: 'canary-demo',
    image: demo('green'),
  }),
  upstreamReportFor({
    replicaSet: stable,
    container: 'log-shipper',
    image: shipper,
  }),
  // The canary still has it, and brings one of its own.
  upstreamReportFor({
    replicaSet: canary,
    container: 'canary-demo',
    image: demo('does-not-exist'),
    vulnerabilities: [gogo, netHttp2],
  }),
  upstreamReportFor({
    replicaSet: canary,
    container: 'log-shipper',
    image: shipper,
  }),
  // Scaled to zero, kept for rollbacks: runs nothing, counts nothing.
  upstreamReportFor({
    replicaSet: old,
    container: 'canary-demo',
    image: demo('asdf'),
    vulnerabilities: [staleCritical],
  }),
];

const workload: Workload = {
  namespace: 'jesse-test',
  kind: 'Rollout',
  name: 'canary-demo',
  images: [
    'argoproj/rollouts-demo:green',
    'argoproj/rollouts-demo:does-not-exist',
    SHIPPER.image,
  ],
};

function sightings(): VulnerabilitySighting[] {
  const resources = resolveWorkloadResources(workload, {
    workloadObject: rollout,
    replicaSets: [stable, canary, old],
    pods: [],
  });
  return sightingsFromReports(
    workload,
    reportsForWorkload(resources, workload.images, reports),
  );
}

describe('counting vulnerabilities', () => {
  it('counts each (id, package, installed version) once over containers and the stable and canary ReplicaSets', () => {
    // Four reports of running containers see gogo/protobuf, the canary sees x/net too.
    expect(
      sightings()
        .map(s => s.id)
        .sort(),
    ).toEqual([
      'CVE-2021-3121',
      'CVE-2021-3121',
      'CVE-2021-3121',
      'CVE-2021-3121',
      'CVE-2023-39325',
    ]);
    const findings = distinctVulnerabilities(sightings());

    expect(summarizeVulnerabilities(findings)).toEqual({
      counts: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 },
      fixable: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 },
    });
    // Summarizing the raw sightings gives the same counts: one rule everywhere.
    expect(summarizeVulnerabilities(sightings())).toEqual(
      summarizeVulnerabilities(findings),
    );
  });

  it('lists each finding once with every image, container and workload it is in', () => {
    const findings = distinctVulnerabilities(sightings());
    expect(findings).toHaveLength(2);
    const gogoFinding = findings.find(f => f.id === 'CVE-2021-3121')!;
    expect(gogoFinding).toMatchObject({
      severity: 'high',
      package: 'github.com/gogo/protobuf',
      installed: 'v1.3.1',
      fixed: '1.3.2',
      // The first place, for clients that show one.
      image: 'argoproj/rollouts-demo:green',
      workload: 'Rollout/canary-demo',
      container: 'canary-demo',
    });
    // The shipper of the stable and canary ReplicaSets is one place: same image, container, workload.
    expect(gogoFinding.occurrences).toEqual([
      {
        image: 'argoproj/rollouts-demo:green',
        workload: 'Rollout/canary-demo',
        container: 'canary-demo',
      },
      {
        image: SHIPPER.image,
        workload: 'Rollout/canary-demo',
        container: 'log-shipper',
      },
      {
        image: 'argoproj/rollouts-demo:does-not-exist',
        workload: 'Rollout/canary-demo',
        container: 'canary-demo',
      },
    ]);
    expect(findings.find(f => f.id === 'CVE-2023-39325')!.occurrences).toEqual([
      {
        image: 'argoproj/rollouts-demo:does-not-exist',
        workload: 'Rollout/canary-demo',
        container: 'canary-demo',
      },
    ]);
  });

  it('counts a vulnerability once across workloads and CI scans, at its worst severity and with any known fix', () => {
    const operator: VulnerabilitySighting = {
      id: 'CVE-2019-18224',
      severity: 'high',
      package: 'libidn2-0',
      installed: '2.0.5-1',
      score: 7.5,
      image: 'ghcr.io/example/payments-api:1.4.2',
      workload: 'Rollout/payments-api',
      container: 'app',
    };
    // The CI scan of a canary image not scanned by the operator yet, by a newer database.
    const ciScan: VulnerabilitySighting = {
      ...operator,
      severity: 'critical',
      score: 9.8,
      fixed: '2.0.5-1+deb10u1',
      image: 'ghcr.io/example/payments-api:1.5.0',
      container: undefined,
    };
    const worker = { ...operator, workload: 'Deployment/payments-worker' };
    const otherVersion = { ...operator, installed: '2.0.5-2' };

    const findings = distinctVulnerabilities([
      operator,
      ciScan,
      worker,
      otherVersion,
    ]);

    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      score: 9.8,
      fixed: '2.0.5-1+deb10u1',
    });
    expect(findings[0].occurrences).toEqual([
      {
        image: 'ghcr.io/example/payments-api:1.4.2',
        workload: 'Rollout/payments-api',
        container: 'app',
      },
      {
        image: 'ghcr.io/example/payments-api:1.5.0',
        workload: 'Rollout/payments-api',
      },
      {
        image: 'ghcr.io/example/payments-api:1.4.2',
        workload: 'Deployment/payments-worker',
        container: 'app',
      },
    ]);
    expect(summarizeVulnerabilities(findings).counts).toEqual({
      critical: 1,
      high: 1,
      medium: 0,
      low: 0,
      unknown: 0,
    });
    expect(
      summarizeVulnerabilities([operator, ciScan, worker, otherVersion]),
    ).toEqual(summarizeVulnerabilities(findings));
  });
});
