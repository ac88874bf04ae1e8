import type { KubernetesCluster } from './KubernetesClusters';

/** What tells where an application's workloads run. */
export interface ClusterHint {
  /** The environment's `kubernetesCluster`: a Kubernetes plugin cluster name. */
  cluster?: string;
  /** The Argo CD Application's `spec.destination`. */
  destination?: { name?: string; server?: string };
  /** For the message when nothing tells: the environment's name. */
  environment?: string;
}

/** The one cluster holding the workloads, or why it cannot be told. */
export type ClusterResolution =
  | { cluster: KubernetesCluster; problem?: undefined }
  | { cluster?: undefined; problem: string };

/**
 * The Kubernetes plugin cluster an application's workloads run in: the environment's
 * `kubernetesCluster`, else the cluster named like the Application's destination (or
 * whose configured API server URL is the destination's `server`), else
 * the only cluster there is. Never "every cluster": organisations reuse namespace names
 * across clusters, so reading them all would mix one environment's reports (or patch
 * its Rollouts) with another's. When nothing tells, that is a problem to report: the
 * evidence is unknown and gates fail closed.
 */
export function resolveWorkloadCluster(
  hint: ClusterHint,
  clusters: KubernetesCluster[],
): ClusterResolution {
  if (hint.cluster) {
    const named = clusters.find(c => c.name === hint.cluster);
    return named
      ? { cluster: named }
      : {
          problem: `Kubernetes cluster '${hint.cluster}' is not one of the Kubernetes plugin's clusters (kubernetes.clusterLocatorMethods)`,
        };
  }
  const { name, server } = hint.destination ?? {};
  const byDestination =
    (name ? clusters.find(c => c.name === name) : undefined) ??
    (server ? clusters.find(c => c.url && sameServer(c.url, server)) : undefined);
  if (byDestination) return { cluster: byDestination };
  if (clusters.length === 1) return { cluster: clusters[0] };
  if (!clusters.length) {
    return { problem: 'The Kubernetes plugin has no clusters (kubernetes.clusterLocatorMethods)' };
  }
  const names = clusters.map(c => c.name).join(', ');
  const destination = hint.destination?.name ?? hint.destination?.server ?? 'none';
  const where = hint.environment ? ` on environment '${hint.environment}'` : '';
  return {
    problem: `Cannot tell which of the Kubernetes plugin's clusters (${names}) runs this application (Argo CD destination: ${destination}): set kubernetesCluster${where}, or name the Argo CD destination cluster like the Kubernetes plugin cluster`,
  };
}

/** API server URLs compared without case in the host, a trailing slash or a default port. */
function sameServer(a: string, b: string): boolean {
  const normal = (url: string) => {
    try {
      const parsed = new URL(url);
      return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
    } catch {
      return url.replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}
