import { Agent } from 'undici';
import type { KubernetesCluster } from './KubernetesClusters';
import { resourceTypeName } from './resourceTypes';
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

/** Raised for every failed request; names the cluster so per-source errors can say which. */
export class KubernetesRequestError extends Error {
  constructor(
    message: string,
    readonly cluster: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubernetesRequestError';
  }

  /**
   * What our API answers when this reaches a route (the error handler reads `statusCode`
   * first): the cluster refusing what was asked (403, 404, 409) passes through; its own
   * failure, or ours to reach it, is a 502, never a 401 that would read as the caller's
   * session having expired.
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
 * every request, so one slow cluster cannot hang a page view.
 */
export class KubernetesClient {
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly dispatchers = new Map<string, Agent | undefined>();

  constructor(options: { timeoutMs?: number; pageSize?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
  }

  async list<T extends KubeObject = KubeObject>(
    cluster: KubernetesCluster,
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
    cluster: KubernetesCluster,
    ref: ObjectRef,
  ): Promise<T> {
    return this.request<T>(cluster, 'GET', objectPath(ref));
  }

  /** A JSON merge patch (RFC 7386), of the object or of its status subresource. */
  async mergePatch<T extends KubeObject = KubeObject>(
    cluster: KubernetesCluster,
    ref: ObjectRef & { subresource?: 'status' },
    patch: unknown,
  ): Promise<T> {
    const path =
      objectPath(ref) + (ref.subresource ? `/${ref.subresource}` : '');
    return this.request<T>(cluster, 'PATCH', path, undefined, patch);
  }

  private async request<T>(
    cluster: KubernetesCluster,
    method: string,
    path: string,
    params?: URLSearchParams,
    patch?: unknown,
  ): Promise<T> {
    const query = params?.size ? `?${params}` : '';
    const what = `${method} ${path}`;
    let response: Response;
    try {
      response = await fetch(`${cluster.url}${path}${query}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${cluster.token}`,
          ...(patch !== undefined
            ? { 'content-type': 'application/merge-patch+json' }
            : {}),
        },
        body: patch !== undefined ? JSON.stringify(patch) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        // @ts-expect-error undici's dispatcher is accepted by Node's fetch
        dispatcher: this.dispatcherFor(cluster),
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : describeFetchError(error as Error);
      throw new KubernetesRequestError(
        `Kubernetes cluster '${cluster.name}': ${what} failed: ${reason}`,
        cluster.name,
      );
    }
    if (!response.ok) {
      // Never pass on the token, should the server (or a proxy) quote it back.
      const detail = redact(statusMessage(await response.text().catch(() => '')), cluster.token);
      throw new KubernetesRequestError(
        describeStatus(cluster.name, response.status, what, path, detail),
        cluster.name,
        response.status,
      );
    }
    return (await response.json()) as T;
  }

  /**
   * TLS options are per cluster: skipping verification or trusting a private CA
   * for one cluster must not weaken TLS for every other connection of the process.
   */
  private dispatcherFor(cluster: KubernetesCluster): Agent | undefined {
    if (!this.dispatchers.has(cluster.name)) {
      const needsAgent = cluster.skipTLSVerify || cluster.ca;
      this.dispatchers.set(
        cluster.name,
        needsAgent
          ? new Agent({
              connect: cluster.skipTLSVerify
                ? { rejectUnauthorized: false }
                : { ca: cluster.ca },
            })
          : undefined,
      );
    }
    return this.dispatchers.get(cluster.name);
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

/** `text` without `secret` (a secret of a few characters would redact ordinary words). */
function redact(text: string | undefined, secret: string): string | undefined {
  return text && secret.length >= 4 ? text.split(secret).join('<redacted>') : text;
}

/** Errors are `Status` objects; keep their message, never echo an HTML page. */
function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text);
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}

function describeStatus(
  cluster: string,
  status: number,
  what: string,
  path: string,
  detail: string | undefined,
): string {
  const suffix = detail ? `: ${detail}` : '';
  if (status === 403) {
    // The usual cause is RBAC: say which permission the service account lacks.
    return `Kubernetes cluster '${cluster}' forbids ${what} (HTTP 403): the service account lacks RBAC permission for ${typeOfPath(
      path,
    )}${suffix}`;
  }
  if (status === 401) {
    return `Kubernetes cluster '${cluster}' rejected the credentials for ${what} (HTTP 401): check serviceAccountToken${suffix}`;
  }
  return `Kubernetes cluster '${cluster}' answered HTTP ${status} to ${what}${suffix}`;
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

/** Node's fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error). */
function describeFetchError(error: Error): string {
  const cause = (
    error as Error & { cause?: { code?: string; message?: string } }
  ).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
