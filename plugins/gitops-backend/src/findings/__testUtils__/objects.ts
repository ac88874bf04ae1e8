import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../kubernetes/types';
import type { VulnerabilityReport } from '../trivy';
import type { ReplicaSetObject, RolloutObject } from '../workloadResources';

const fixtures = path.resolve(__dirname, '../../../../../fixtures/upstream');

/** Every document of an upstream fixture; a `v1` List (items, maybe no kind) is flattened. */
export function loadFixture<T = KubeObject>(name: string): T[] {
  const text = fs.readFileSync(path.join(fixtures, name), 'utf8');
  return parseAllDocuments(text)
    .map(doc => doc.toJS())
    .filter(Boolean)
    .flatMap(doc => (Array.isArray(doc.items) ? doc.items : [doc]));
}

/** The YAML samples of an upstream documentation page (its ```yaml blocks), parsed. */
export function loadMarkdownFixture<T = KubeObject>(name: string): T[] {
  const blocks = [...fixtureText(name).matchAll(/```yaml\n([\s\S]*?)```/g)].map(
    m => m[1],
  );
  return blocks.flatMap(block =>
    parseAllDocuments(block).map(doc => doc.toJS()),
  );
}

/**
 * An upstream Trivy Operator report as the operator writes it about another object
 * (and container): labels, name and owner follow `about`; image and contents are kept
 * unless given.
 */
export function relabelled<T extends KubeObject & { report?: object }>(
  upstream: T,
  about: { kind: string; object: KubeObject; container?: string },
  report: Partial<NonNullable<T['report']>> = {},
): T {
  const { name, namespace, uid } = about.object.metadata;
  const container = about.container;
  return {
    ...upstream,
    metadata: {
      ...upstream.metadata,
      name: [about.kind.toLowerCase(), name, container]
        .filter(Boolean)
        .join('-'),
      namespace,
      labels: {
        ...upstream.metadata.labels,
        ...(container ? { 'trivy-operator.container.name': container } : {}),
        'trivy-operator.resource.kind': about.kind,
        'trivy-operator.resource.name': name,
        'trivy-operator.resource.namespace': namespace!,
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: about.kind,
          name,
          uid,
          controller: true,
        },
      ],
    },
    report: { ...upstream.report, ...report },
  };
}

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(fixtures, name), 'utf8');
}

export function rollout(
  name: string,
  namespace: string,
  status: { currentPodHash?: string; stableRS?: string } = {},
): RolloutObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace, uid: `uid-rollout-${name}` },
    status,
  };
}

/** A ReplicaSet as a Rollout (or Deployment) controller creates it. */
export function replicaSet(options: {
  owner: { kind: string; name: string };
  hash: string;
  namespace: string;
  replicas: number;
}): ReplicaSetObject {
  const name = `${options.owner.name}-${options.hash}`;
  return {
    metadata: {
      name,
      namespace: options.namespace,
      uid: `uid-rs-${name}`,
      labels: { 'rollouts-pod-template-hash': options.hash },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: options.owner.kind,
          name: options.owner.name,
          controller: true,
        },
      ],
    },
    spec: { replicas: options.replicas },
    status: { replicas: options.replicas },
  };
}

export function pod(
  name: string,
  namespace: string,
  rs: ReplicaSetObject,
): KubeObject {
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-pod-${name}`,
      ownerReferences: [
        {
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
        },
      ],
    },
  };
}

/** A VulnerabilityReport like Trivy Operator writes for one container of a ReplicaSet. */
export function vulnerabilityReport(options: {
  replicaSet?: string;
  namespace: string;
  container: string;
  image: { server: string; repository: string; tag: string };
  vulnerabilities: {
    id: string;
    severity: string;
    pkg: string;
    installed: string;
    fixed?: string;
  }[];
}): VulnerabilityReport {
  const owner = options.replicaSet;
  return {
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    kind: 'VulnerabilityReport',
    metadata: {
      name: `replicaset-${owner ?? 'unlabelled'}-${options.container}`,
      namespace: options.namespace,
      labels: owner
        ? {
            'trivy-operator.container.name': options.container,
            'trivy-operator.resource.kind': 'ReplicaSet',
            'trivy-operator.resource.name': owner,
            'trivy-operator.resource.namespace': options.namespace,
          }
        : {},
    },
    report: {
      artifact: {
        repository: options.image.repository,
        tag: options.image.tag,
      },
      registry: { server: options.image.server },
      vulnerabilities: options.vulnerabilities.map(v => ({
        vulnerabilityID: v.id,
        resource: v.pkg,
        installedVersion: v.installed,
        fixedVersion: v.fixed ?? '',
        severity: v.severity,
        title: `${v.id} in ${v.pkg}`,
        primaryLink: `https://avd.aquasec.com/nvd/${v.id.toLowerCase()}`,
        links: [],
      })),
    },
  };
}

/**
 * The upstream VulnerabilityReport (fixtures/upstream) as Trivy Operator would write it
 * for one container of another ReplicaSet: its labels, name and artifact follow the
 * ReplicaSet and image, its vulnerabilities are the given ones (default: upstream's).
 */
export function upstreamReportFor(options: {
  replicaSet: ReplicaSetObject;
  container: string;
  image: { server: string; repository: string; tag: string };
  vulnerabilities?: NonNullable<
    VulnerabilityReport['report']
  >['vulnerabilities'];
}): VulnerabilityReport {
  const [upstream] = loadFixture<VulnerabilityReport>(
    'trivy-operator-vulnerabilityreport.yaml',
  );
  return relabelled(
    upstream,
    {
      kind: 'ReplicaSet',
      object: options.replicaSet,
      container: options.container,
    },
    {
      artifact: {
        repository: options.image.repository,
        tag: options.image.tag,
      },
      registry: { server: options.image.server },
      vulnerabilities:
        options.vulnerabilities ?? upstream.report?.vulnerabilities,
    },
  );
}
