import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesPluginConnection } from './KubernetesPluginConnection';
import {
  backstageErrorMessage,
  describeFetchError,
  redact,
  statusMessage,
} from './responses';

/**
 * A cluster as the Kubernetes plugin lists it (`GET /api/kubernetes/clusters`). Its URL
 * and credentials stay with the Kubernetes plugin: requests go through its proxy.
 */
export interface KubernetesCluster {
  name: string;
  title?: string;
  /** The cluster's `kubernetes.io/auth-provider`: `serviceAccount`, `aws`, `oidc`, ... */
  authProvider?: string;
  dashboardUrl?: string;
  /**
   * The API server URL, where the Kubernetes plugin's config says it (clusters of a
   * `config` locator): matched against an Argo CD destination's `server`.
   */
  url?: string;
}

/**
 * Auth providers whose credential is the signed-in user's own token, which the
 * frontend sends along with each request (`Backstage-Kubernetes-Authorization-*`).
 * The suite reads clusters in the background, with no user, so it cannot use them.
 */
export const CLIENT_SIDE_AUTH_PROVIDERS: ReadonlySet<string> = new Set([
  'oidc',
  'google',
  'aks',
]);

/** Why the suite cannot read `cluster` in the background, if it cannot. */
export function backgroundReadProblem(
  cluster: KubernetesCluster,
): string | undefined {
  const provider = cluster.authProvider;
  if (!provider || !CLIENT_SIDE_AUTH_PROVIDERS.has(provider)) return undefined;
  return `Kubernetes cluster '${cluster.name}' uses authProvider '${provider}', which needs the signed-in user's own token; the gitops backend reads clusters without a user, so it cannot read this one (use a server-side authProvider such as serviceAccount, aws, azure or googleServiceAccount)`;
}

/** The Kubernetes plugin could not be asked for its clusters. */
export class KubernetesClustersError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'KubernetesClustersError';
  }

  /** Ours to reach the Kubernetes plugin, never the caller's: a 502. */
  get statusCode(): number {
    return 502;
  }
}

/** Where the suite's code asks for "all clusters" or "the cluster named X". */
export interface KubernetesClusterList {
  list(): Promise<KubernetesCluster[]>;
}

/**
 * The clusters of the Kubernetes plugin, whatever locates them there (config, catalog,
 * gke, localKubectlProxy, a cluster supplier module), read from its `/clusters` route
 * and kept a short while: catalog and GKE clusters come and go, so the list is
 * refreshed, not read once at start-up. A failed read is retried after a few seconds;
 * meanwhile the last list read (if any) is used.
 */
export class KubernetesClusterSource implements KubernetesClusterList {
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly timeoutMs: number;
  private cached?: { clusters: KubernetesCluster[]; at: number };
  private failure?: { error: Error; at: number };
  private inFlight?: Promise<KubernetesCluster[]>;

  constructor(
    private readonly options: {
      connection: KubernetesPluginConnection;
      logger: LoggerService;
      /** How long a list is reused (default 60 s). */
      ttlMs?: number;
      /** How long a failed read is remembered before asking again (default 5 s). */
      retryMs?: number;
      timeoutMs?: number;
      /** API server URLs by cluster name (the `/clusters` route does not tell them). */
      serverUrls?: Map<string, string>;
    },
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.retryMs = options.retryMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async list(): Promise<KubernetesCluster[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.ttlMs) {
      return this.cached.clusters;
    }
    if (this.failure && now - this.failure.at < this.retryMs) {
      if (this.cached) return this.cached.clusters;
      throw this.failure.error;
    }
    if (!this.inFlight) {
      this.inFlight = this.read()
        .then(
          clusters => {
            this.cached = { clusters, at: Date.now() };
            this.failure = undefined;
            return clusters;
          },
          error => {
            this.failure = { error, at: Date.now() };
            throw error;
          },
        )
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    try {
      return await this.inFlight;
    } catch (error) {
      if (!this.cached) throw error;
      this.options.logger.warn(
        `${(error as Error).message}; using the cluster list read ${Math.round(
          (Date.now() - this.cached.at) / 1000,
        )} s ago`,
      );
      return this.cached.clusters;
    }
  }

  private async read(): Promise<KubernetesCluster[]> {
    const { connection } = this.options;
    let url = 'the Kubernetes plugin';
    let token: string | undefined;
    let response: Response;
    try {
      url = `${await connection.baseUrl()}/clusters`;
      token = await connection.token();
      response = await fetch(url, {
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new KubernetesClustersError(
        `Could not list the clusters of the Kubernetes plugin: GET ${url} failed: ${redact(
          describeFetchError(error as Error, this.timeoutMs),
          token,
        )}`,
      );
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const detail = redact(
        backstageErrorMessage(text) ?? statusMessage(text),
        token,
      );
      const hint =
        response.status === 404
          ? ' (is @backstage/plugin-kubernetes-backend installed in this backend, with kubernetes config?)'
          : '';
      throw new KubernetesClustersError(
        `Could not list the clusters of the Kubernetes plugin: GET ${url} answered HTTP ${
          response.status
        }${hint}${detail ? `: ${detail}` : ''}`,
        response.status,
      );
    }
    const body = (await response.json()) as { items?: unknown };
    if (!Array.isArray(body?.items)) {
      throw new KubernetesClustersError(
        `Could not list the clusters of the Kubernetes plugin: GET ${url} answered no items`,
      );
    }
    return body.items
      .filter(
        (item): item is Record<string, unknown> =>
          Boolean(item) && typeof (item as { name?: unknown }).name === 'string',
      )
      .map(item => ({
        name: item.name as string,
        title: typeof item.title === 'string' ? item.title : undefined,
        authProvider:
          typeof item.authProvider === 'string' ? item.authProvider : undefined,
        dashboardUrl:
          typeof item.dashboardUrl === 'string' ? item.dashboardUrl : undefined,
        url: this.options.serverUrls?.get(item.name as string),
      }));
  }
}
