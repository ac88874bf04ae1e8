import { sightingsFromReports, type VulnerabilityReport } from './trivy';
import { reportsCoverImage, reportsForWorkload } from './trivyOperatorReports';
import type { Workload } from './types';
import {
  distinctVulnerabilities,
  summarizeVulnerabilities,
} from './vulnerabilities';
import { resolveWorkloadResources } from './workloadResources';
import {
  loadFixture,
  replicaSet,
  rollout,
  vulnerabilityReport,
} from './__testUtils__/objects';

const IMAGE = {
  server: 'ghcr.io',
  repository: 'example/payments-api',
  tag: '1.5.0',
};
const critical = {
  id: 'CVE-2019-18224',
  severity: 'CRITICAL',
  pkg: 'libidn2-0',
  installed: '2.0.5-1',
  fixed: '2.0.5-1+deb10u1',
};
const low = {
  id: 'CVE-2019-18276',
  severity: 'LOW',
  pkg: 'bash',
  installed: '5.0-4',
};

function findingsFor(
  workload: Workload,
  objects: Parameters<typeof resolveWorkloadResources>[1],
  reports: VulnerabilityReport[],
) {
  const resources = resolveWorkloadResources(workload, objects);
  return sightingsFromReports(
    workload,
    reportsForWorkload(resources, workload.images, reports),
  );
}

describe('Trivy Operator reports', () => {
  it('reads the upstream report and counts the list, not report.summary', () => {
    const [report] = loadFixture<VulnerabilityReport>(
      'trivy-operator-vulnerabilityreport.yaml',
    );
    expect(report.report?.vulnerabilities).toHaveLength(1);
    const workload: Workload = {
      namespace: 'kube-system',
      kind: 'Deployment',
      name: 'coredns',
      images: ['k8s.gcr.io/coredns/coredns:v1.8.0'],
    };
    const rs = replicaSet({
      owner: { kind: 'Deployment', name: 'coredns' },
      hash: '558bd4d5db',
      namespace: 'kube-system',
      replicas: 2,
    });

    const findings = findingsFor(workload, { replicaSets: [rs], pods: [] }, [
      report,
    ]);

    expect(findings).toEqual([
      {
        id: 'CVE-2021-3121',
        severity: 'high',
        package: 'github.com/gogo/protobuf',
        installed: 'v1.3.1',
        fixed: '1.3.2',
        title:
          'gogo/protobuf: plugin/unmarshal/unmarshal.go lacks certain index validation',
        link: 'https://avd.aquasec.com/nvd/cve-2021-3121',
        score: 8.6,
        image: 'k8s.gcr.io/coredns/coredns:v1.8.0',
        workload: 'Deployment/coredns',
        container: 'coredns',
      },
    ]);
    // The fixture's summary claims 12 HIGH, 6 MEDIUM, 9 UNKNOWN.
    expect(summarizeVulnerabilities(findings)).toEqual({
      counts: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
      fixable: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
    });
  });

  it('keeps only the ReplicaSets that run now: with replicas, or the Rollout current/stable hash', () => {
    const owner = { kind: 'Rollout', name: 'payments-api' };
    const namespace = 'payments-dev';
    const sets = {
      canary: replicaSet({ owner, hash: 'canary1', namespace, replicas: 0 }), // just created, scaling up
      stable: replicaSet({ owner, hash: 'stable1', namespace, replicas: 3 }),
      old: replicaSet({ owner, hash: 'old1', namespace, replicas: 0 }),
      other: replicaSet({
        owner: { kind: 'Rollout', name: 'orders-api' },
        hash: 'x1',
        namespace,
        replicas: 2,
      }),
    };
    const reports = Object.entries(sets).map(([name, rs]) =>
      vulnerabilityReport({
        replicaSet: rs.metadata.name,
        namespace,
        container: 'app',
        image: { ...IMAGE, tag: name },
        vulnerabilities: [{ ...critical, id: `CVE-${name}` }],
      }),
    );
    const workload: Workload = {
      namespace,
      kind: 'Rollout',
      name: 'payments-api',
      images: [],
    };
    const findings = findingsFor(
      workload,
      {
        workloadObject: rollout('payments-api', namespace, {
          currentPodHash: 'canary1',
          stableRS: 'stable1',
        }),
        replicaSets: Object.values(sets),
        pods: [],
      },
      reports,
    );
    expect(findings.map(f => f.id).sort()).toEqual([
      'CVE-canary',
      'CVE-stable',
    ]);
  });

  it('without the Rollout object, a ReplicaSet counts only while it has replicas', () => {
    const owner = { kind: 'Rollout', name: 'payments-api' };
    const rs = replicaSet({ owner, hash: 'h1', namespace: 'ns', replicas: 0 });
    const report = vulnerabilityReport({
      replicaSet: rs.metadata.name,
      namespace: 'ns',
      container: 'app',
      image: IMAGE,
      vulnerabilities: [critical],
    });
    const workload: Workload = {
      namespace: 'ns',
      kind: 'Rollout',
      name: 'payments-api',
      images: [],
    };
    expect(
      findingsFor(workload, { replicaSets: [rs], pods: [] }, [report]),
    ).toEqual([]);
  });

  it('counts a vulnerability once across containers, ReplicaSets and images, listing each place', () => {
    const owner = { kind: 'Rollout', name: 'payments-api' };
    const namespace = 'ns';
    const stable = replicaSet({ owner, hash: 'a', namespace, replicas: 2 });
    const canary = replicaSet({ owner, hash: 'b', namespace, replicas: 1 });
    const report = (rs: string, container: string, tag: string) =>
      vulnerabilityReport({
        replicaSet: rs,
        namespace,
        container,
        image: { ...IMAGE, tag },
        vulnerabilities: [critical, low],
      });
    const reports = [
      report(stable.metadata.name, 'app', '1.5.0'),
      report(stable.metadata.name, 'migrate', '1.5.0'),
      report(canary.metadata.name, 'app', '1.5.0'),
      report(canary.metadata.name, 'sidecar', '1.6.0'),
    ];
    const workload: Workload = {
      namespace,
      kind: 'Rollout',
      name: 'payments-api',
      images: [],
    };
    const findings = distinctVulnerabilities(
      findingsFor(
        workload,
        { replicaSets: [stable, canary], pods: [] },
        reports,
      ),
    );

    expect(findings.map(f => f.id)).toEqual([
      'CVE-2019-18224',
      'CVE-2019-18276',
    ]);
    const places = (f: (typeof findings)[number]) =>
      f.occurrences.map(o => `${o.image} ${o.container}`);
    for (const finding of findings) {
      expect(places(finding)).toEqual([
        'ghcr.io/example/payments-api:1.5.0 app',
        'ghcr.io/example/payments-api:1.5.0 migrate',
        'ghcr.io/example/payments-api:1.6.0 sidecar',
      ]);
    }
    expect(summarizeVulnerabilities(findings)).toEqual({
      counts: { critical: 1, high: 0, medium: 0, low: 1, unknown: 0 },
      fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
    });
  });

  it('falls back to the image for reports without trivy-operator labels', () => {
    const namespace = 'web';
    const nginx = vulnerabilityReport({
      namespace,
      container: 'nginx',
      image: {
        server: 'index.docker.io',
        repository: 'library/nginx',
        tag: '1.25',
      },
      vulnerabilities: [low],
    });
    const other = vulnerabilityReport({
      namespace,
      container: 'redis',
      image: {
        server: 'index.docker.io',
        repository: 'library/redis',
        tag: '7',
      },
      vulnerabilities: [critical],
    });
    const elsewhere = {
      ...nginx,
      metadata: { ...nginx.metadata, namespace: 'other' },
    };
    const workload: Workload = {
      namespace,
      kind: 'StatefulSet',
      name: 'web',
      images: ['nginx:1.25'],
    };

    const findings = findingsFor(workload, { replicaSets: [], pods: [] }, [
      nginx,
      other,
      elsewhere,
    ]);

    expect(findings).toHaveLength(1);
    // Shown with the workload's own spelling of the image.
    expect(findings[0]).toMatchObject({
      id: 'CVE-2019-18276',
      image: 'nginx:1.25',
      workload: 'StatefulSet/web',
    });
    expect(reportsCoverImage([nginx], 'docker.io/library/nginx:1.25')).toBe(
      true,
    );
    expect(reportsCoverImage([nginx], 'nginx:1.26')).toBe(false);
  });

  it('matches StatefulSet reports by the StatefulSet label', () => {
    const report = vulnerabilityReport({
      namespace: 'db',
      container: 'pg',
      image: IMAGE,
      vulnerabilities: [low],
    });
    report.metadata.labels = {
      'trivy-operator.resource.kind': 'StatefulSet',
      'trivy-operator.resource.name': 'postgres',
      'trivy-operator.resource.namespace': 'db',
    };
    const workload = (name: string): Workload => ({
      namespace: 'db',
      kind: 'StatefulSet',
      name,
      images: [],
    });
    expect(
      findingsFor(workload('postgres'), { replicaSets: [], pods: [] }, [
        report,
      ]),
    ).toHaveLength(1);
    expect(
      findingsFor(workload('mysql'), { replicaSets: [], pods: [] }, [report]),
    ).toHaveLength(0);
  });
});
