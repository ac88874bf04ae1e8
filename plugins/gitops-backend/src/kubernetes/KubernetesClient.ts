import {
  backgroundReadProblem,
  type KubernetesCluster,
} from './KubernetesClusters';
import type { KubernetesPluginConnection } from './KubernetesPluginConnection';
import { resourceTypeName } from './resourceTypes';
import {
  backstageErrorMessage,
  describeFetchError,
  redact,
  statusMessage,
} from './responses';
import type { KubeList, KubeObject, ResourceType } from './types';

export interface ListQuery extends ResourceType {
  /** Omitted: across all namespaces (or a cluster-scoped type). */
  namespace?: string;
  labelSelector?: string;
}

export interface ObjectRef extends ResourceType {
  namespace?: string;
  name: string;
}

/** The header that names the target cluster to the Kubernetes plugin's proxy. */
const CLUSTER_HEADER = 'Backstage-Kubernetes-Cluster';

/** The cluster to send a request to: its name, and its authProvider for error hints. */
export type ClusterRef = Pick<KubernetesCluster, 'name' | 'authProvider'>;

/**
 * Raised for every failed request; names the cluster so per-source errors can say which.
 * `status` is what the cluster answered; `proxyStatus` what the Kubernetes plugin's proxy
 * answered itself, without reaching the cluster (an unknown cluster, a permission, a
 * credential it could not get, a cluster it could not connect to). Only one is set, and
 * neither when the Kubernetes plugin could not be reached or did not answer in time.
 */
export class KubernetesRequestError extends Error {
  constructor(
    message: string,
    readonly cluster: string,
    readonly status?: number,
    readonly proxyStatus?: number,
  ) {
    super(message);
    this.name = 'KubernetesRequestError';
  }

  /**
   * What our API answers when this reaches a route (the error handler reads `statusCode`
   * first): the cluster refusing what was asked (403, 404, 409) passes through; its own
   * failure, or ours to reach it (the proxy's refusals included), is a 502, never a 401
   * that would read as the caller's session having expired.
   */
  get statusCode(): number {
    const status = this.status;
    return status === 403 || status === 404 || status === 409 ? status : 502;
  }
}

const PAGE_SIZE = 500;

/**
 * A small Kubernetes API client over fetch: the few verbs the suite needs, with
 * chunked lists (a namespace can hold thousands of reports) and a timeout on
 * every request, so one slow cluster cannot hang a page view. Requests go through
 * the Kubernetes plugin's proxy (`/api/kubernetes/proxy`), which finds the cluster
 * (whatever locator has it), adds its credential (whatever server-side authProvider
 * it uses) and handles its TLS.
 */
export class KubernetesClient {
  private readonly connection: KubernetesPluginConnection;
  private readonly timeoutMs: number;
  private readonly pageSize: number;

  constructor(options: {
    connection: KubernetesPluginConnection;
    timeoutMs?: number;
    pageSize?: number;
  }) {
    this.connection = options.connection;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
  }

  async list<T extends KubeObject = KubeObject>(
    cluster: ClusterRef,
    query: ListQuery,
  ): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    let restarted = false;
    for (;;) {
      const params = new URLSearchParams({ limit: String(this.pageSize) });
      if (query.labelSelector) params.set('labelSelector', query.labelSelector);
      if (token) params.set('continue', token);
      let page: KubeList<T>;
      try {
        page = await this.request<KubeList<T>>(
          cluster,
          'GET',
          collectionPath(query),
          params,
        );
      } catch (error) {
        // A continue token expires (410 Gone) when paging takes longer than the
        // API server keeps its snapshot; starting over once gives a consistent list.
        if (
          token &&
          !restarted &&
          (error as KubernetesRequestError).status === 410
        ) {
          restarted = true;
          items.length = 0;
          token = undefined;
          continue;
        }
        throw error;
      }
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
      if (!token) return items;
    }
  }

  async get<T extends KubeObject = KubeObject>(
    cluster: ClusterRef,
    ref: ObjectRef,
  ): Promise<T> {
    return this.request<T>(cluster, 'GET', objectPath(ref));
  }

  /** A JSON merge patch (RFC 7386), of the object or of its status subresource. */
  async mergePatch<T extends KubeObject = KubeObject>(
    cluster: ClusterRef,
    ref: ObjectRef & { subresource?: 'status' },
    patch: unknown,
  ): Promise<T> {
    const path =
      objectPath(ref) + (ref.subresource ? `/${ref.subresource}` : '');
    return this.request<T>(cluster, 'PATCH', path, undefined, patch);
  }

  private async request<T>(
    cluster: ClusterRef,
    method: string,
    path: string,
    params?: URLSearchParams,
    patch?: unknown,
  ): Promise<T> {
    // Fails before any request: the proxy could only answer that it has no credential.
    const problem = backgroundReadProblem(cluster);
    if (problem) throw new KubernetesRequestError(problem, cluster.name);
    const query = params?.size ? `?${params}` : '';
    const what = `${method} ${path}`;
    let token: string | undefined;
    let response: Response;
    try {
      const base = await this.connection.baseUrl();
      token = await this.connection.token();
      response = await fetch(`${base}/proxy${path}${query}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          [CLUSTER_HEADER]: cluster.name,
          ...(patch !== undefined
            ? { 'content-type': 'application/merge-patch+json' }
            : {}),
        },
        body: patch !== undefined ? JSON.stringify(patch) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new KubernetesRequestError(
        `Kubernetes cluster '${cluster.name}': ${what} failed: ${redact(
          describeFetchError(error as Error, this.timeoutMs),
          token,
        )}`,
        cluster.name,
      );
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      // The proxy's own refusals (unknown cluster, permission, no credential, the
      // cluster unreachable) are Backstage error bodies; anything else is the cluster's.
      const proxyMessage = backstageErrorMessage(text);
      if (proxyMessage !== undefined) {
        throw new KubernetesRequestError(
          describeProxyStatus(
            cluster.name,
            response.status,
            what,
            redact(proxyMessage, token),
          ),
          cluster.name,
          undefined,
          response.status,
        );
      }
      // Never pass on a credential, should the server (or a proxy) quote it back.
      const detail = redact(statusMessage(text), token);
      throw new KubernetesRequestError(
        describeStatus(cluster, response.status, what, path, detail),
        cluster.name,
        response.status,
      );
    }
    return (await response.json()) as T;
  }
}

function apiPrefix(type: ResourceType): string {
  return type.group
    ? `/apis/${type.group}/${type.version}`
    : `/api/${type.version}`;
}

function collectionPath(query: ListQuery): string {
  const ns = query.namespace
    ? `/namespaces/${encodeURIComponent(query.namespace)}`
    : '';
  return `${apiPrefix(query)}${ns}/${query.plural}`;
}

function objectPath(ref: ObjectRef): string {
  return `${collectionPath(ref)}/${encodeURIComponent(ref.name)}`;
}



function describeStatus(
  cluster: ClusterRef,
  status: number,
  what: string,
  path: string,
  detail: string | undefined,
): string {
  const suffix = detail ? `: ${detail}` : '';
  const credentials = `the credentials the Kubernetes plugin uses for it (authProvider '${
    cluster.authProvider ?? 'unknown'
  }')`;
  if (status === 403) {
    // The usual cause is RBAC: say which permission the credentials lack.
    return `Kubernetes cluster '${cluster.name}' forbids ${what} (HTTP 403): ${credentials} lack RBAC permission for ${typeOfPath(
      path,
    )}${suffix}`;
  }
  if (status === 401) {
    return `Kubernetes cluster '${cluster.name}' rejected ${credentials} for ${what} (HTTP 401)${suffix}`;
  }
  return `Kubernetes cluster '${cluster.name}' answered HTTP ${status} to ${what}${suffix}`;
}

/** The Kubernetes plugin's proxy refused or failed itself: say it was not the cluster. */
function describeProxyStatus(
  cluster: string,
  status: number,
  what: string,
  detail: string | undefined,
): string {
  const hint =
    {
      401: ": it rejected the gitops plugin's service token",
      403: ": its permission policy denies kubernetes.proxy to the gitops plugin",
      404: ': it does not know the cluster (kubernetes.clusterLocatorMethods)',
    }[status] ?? '';
  return `Kubernetes cluster '${cluster}': the Kubernetes plugin's proxy answered HTTP ${status} to ${what}, not the cluster${hint}${
    detail ? `: ${detail}` : ''
  }`;
}

/** `pods`, `rollouts.argoproj.io` from an API path, for RBAC hints. */
function typeOfPath(path: string): string {
  const match =
    /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/[^/]+)?\/([^/]+)/.exec(
      path,
    );
  if (!match) return path;
  return resourceTypeName({
    group: match[2] ?? '',
    version: match[1] ?? match[3],
    plural: match[4],
  });
}

