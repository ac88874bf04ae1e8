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
