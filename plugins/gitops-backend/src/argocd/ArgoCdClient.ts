import { Agent } from 'undici';
import type { ArgoCdInstanceConfig } from '../config/gitopsConfig';
import type {
  ArgoApplication,
  ArgoApplicationList,
  ArgoApplicationWatchEvent,
  ArgoResourceAction,
} from './types';
import { readJsonLines } from './jsonLines';

/** Identifies one live resource of an application (query of the resource routes). */
export interface ResourceRef {
  namespace: string;
  resourceName: string;
  version: string;
  kind: string;
  group: string;
}

/** Raised when Argo CD answers with an error status or cannot be reached. */
export class ArgoCdRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ArgoCdRequestError';
  }

  /**
   * What our API answers when this reaches a route (the error handler reads
   * `statusCode` first): Argo CD refusing what was asked (403, 404, 409) passes through;
   * its own failure, or ours to reach it, is a 502, never a 401 that would read as the
   * caller's session having expired.
   */
  get statusCode(): number {
    const status = this.status;
    return status === 403 || status === 404 || status === 409 ? status : 502;
  }
}

/**
 * The watch stream is not served where it was asked for: an Argo CD without it, or a
 * proxy in front that answers something else. The inventory polls instead.
 */
export class ArgoCdStreamRefusedError extends ArgoCdRequestError {
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'ArgoCdStreamRefusedError';
  }
}

/** Session tokens kept for redaction: the current one and the previous two. */
const SESSION_TOKENS_REDACTED = 3;

/**
 * A client for one Argo CD instance's REST API. Only paths and query parameters that
 * exist in Argo CD's swagger are used (a test checks this). Authentication is a bearer
 * token, or a session token from `POST /api/v1/session` that is cached and renewed once
 * on 401, never a login per call.
 */
export class ArgoCdClient {
  private sessionToken?: Promise<string>;
  /**
   * The latest session tokens obtained, so error messages never carry one: the current
   * and the few before it (an answer to a request sent with an older one may still
   * quote it), not every token of a backend's lifetime.
   */
  private readonly sessionTokens: string[] = [];
  private readonly dispatcher?: Agent;

  constructor(
    private readonly instance: ArgoCdInstanceConfig,
    private readonly timeoutMs: number,
  ) {
    // TLS options are per instance: a private CA or self-signed certificate on one
    // instance must not weaken TLS for every other connection of the process.
    this.dispatcher = instance.skipTLSVerify
      ? new Agent({ connect: { rejectUnauthorized: false } })
      : undefined;
  }

  get name(): string {
    return this.instance.name;
  }

  async listApplications(query: {
    selector?: string;
    projects?: string[];
    appNamespace?: string;
  } = {}): Promise<ArgoApplication[]> {
    return (await this.listApplicationsAt(query)).items;
  }

  /** The list with its resourceVersion, from which a watch resumes without a gap. */
  async listApplicationsAt(query: {
    selector?: string;
    projects?: string[];
    appNamespace?: string;
  } = {}): Promise<{ items: ArgoApplication[]; resourceVersion?: string }> {
    const params = new URLSearchParams();
    if (query.selector) params.set('selector', query.selector);
    for (const project of query.projects ?? []) params.append('projects', project);
    if (query.appNamespace) params.set('appNamespace', query.appNamespace);
    const list = await this.request<ArgoApplicationList>(
      'GET',
      `/api/v1/applications`,
      params,
    );
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion };
  }

  /**
   * Argo CD's watch stream (`GET /api/v1/stream/applications`): newline-delimited
   * `{"result": {"type", "application"}}` until the server or `signal` ends it. Given a
   * resourceVersion, Argo CD sends no initial ADDED burst and drops events older than it
   * (server/application/application.go, Watch); events it broadcast while no client was
   * connected are not replayed. An answer that is not the stream (404, 405, 501, or a
   * proxy's HTML page) raises ArgoCdStreamRefusedError.
   */
  async *watchApplications(options: {
    resourceVersion?: string;
    signal: AbortSignal;
  }): AsyncGenerator<ArgoApplicationWatchEvent> {
    const path = '/api/v1/stream/applications';
    const params = new URLSearchParams();
    if (options.resourceVersion) params.set('resourceVersion', options.resourceVersion);
    let response = await this.send('GET', path, params, undefined, false, options.signal);
    if (response.status === 401 && !this.instance.token) {
      await response.body?.cancel();
      this.sessionToken = undefined;
      response = await this.send('GET', path, params, undefined, true, options.signal);
    }
    const type = response.headers.get('content-type') ?? '';
    if ([404, 405, 501].includes(response.status) || (response.ok && !type.includes('json'))) {
      await response.body?.cancel();
      throw new ArgoCdStreamRefusedError(
        `Argo CD instance '${this.name}' does not serve the watch stream (${response.status}${type ? `, ${type.split(';')[0]}` : ''})`,
        response.status,
      );
    }
    if (!response.ok || !response.body) {
      await this.parse(response, path);
      return;
    }
    for await (const line of readJsonLines(response.body)) {
      const message = line as { result?: ArgoApplicationWatchEvent; error?: { message?: string } };
      if (message.error) {
        throw new ArgoCdRequestError(
          `Argo CD instance '${this.name}' ended the watch stream: ${this.redact(message.error.message ?? 'unknown error')}`,
        );
      }
      if (message.result?.application?.metadata) yield message.result;
    }
  }

  async getApplication(
    name: string,
    appNamespace?: string,
  ): Promise<ArgoApplication> {
    const params = new URLSearchParams();
    if (appNamespace) params.set('appNamespace', appNamespace);
    return this.request('GET', `/api/v1/applications/${encode(name)}`, params);
  }

  /**
   * Asks Argo CD to compare the application with git now (`refresh=normal`), so a
   * promotion's commit is seen without waiting for the next polling interval.
   */
  async refreshApplication(
    name: string,
    appNamespace?: string,
    /** `hard` also drops Argo CD's manifest cache (regenerates the manifests). */
    mode: 'normal' | 'hard' = 'normal',
  ): Promise<ArgoApplication> {
    const params = new URLSearchParams({ refresh: mode });
    if (appNamespace) params.set('appNamespace', appNamespace);
    return this.request('GET', `/api/v1/applications/${encode(name)}`, params);
  }

  /** The live manifest of one managed resource, parsed. */
  async getResource<T = unknown>(
    appName: string,
    ref: ResourceRef,
    appNamespace?: string,
  ): Promise<T> {
    const params = resourceParams(ref, appNamespace);
    const response = await this.request<{ manifest?: string }>(
      'GET',
      `/api/v1/applications/${encode(appName)}/resource`,
      params,
    );
    if (!response.manifest) {
      throw new ArgoCdRequestError(`Argo CD returned no manifest for ${ref.kind} ${ref.resourceName}`);
    }
    return JSON.parse(response.manifest) as T;
  }

  async listResourceActions(
    appName: string,
    ref: ResourceRef,
    appNamespace?: string,
  ): Promise<ArgoResourceAction[]> {
    const response = await this.request<{ actions?: ArgoResourceAction[] }>(
      'GET',
      `/api/v1/applications/${encode(appName)}/resource/actions`,
      resourceParams(ref, appNamespace),
    );
    return response.actions ?? [];
  }

  /** Argo CD's own rollback to a history entry (refused by Argo CD with auto-sync on). */
  async rollbackApplication(name: string, historyId: number, appNamespace?: string): Promise<ArgoApplication> {
    return this.request('POST', `/api/v1/applications/${encode(name)}/rollback`, undefined, {
      name,
      id: historyId,
      ...(appNamespace ? { appNamespace } : {}),
    });
  }

  /**
   * Starts a sync (`POST /api/v1/applications/{name}/sync`, applicationApplicationSyncRequest).
   * Argo CD refuses one while another operation runs, and checks its own RBAC.
   */
  async syncApplication(
    name: string,
    options: { revision?: string; prune?: boolean; dryRun?: boolean; appNamespace?: string } = {},
  ): Promise<ArgoApplication> {
    const { appNamespace, ...sync } = options;
    return this.request('POST', `/api/v1/applications/${encode(name)}/sync`, undefined, {
      name,
      ...sync,
      ...(appNamespace ? { appNamespace } : {}),
    });
  }

  /** Terminates the running operation (`DELETE /api/v1/applications/{name}/operation`). */
  async terminateOperation(name: string, appNamespace?: string): Promise<void> {
    const params = new URLSearchParams();
    if (appNamespace) params.set('appNamespace', appNamespace);
    await this.request('DELETE', `/api/v1/applications/${encode(name)}/operation`, params);
  }

  /** Runs a resource action (Argo CD >= 2.13 route with a JSON body). */
  async runResourceAction(
    appName: string,
    ref: ResourceRef,
    action: string,
    appNamespace?: string,
  ): Promise<void> {
    await this.request(
      'POST',
      `/api/v1/applications/${encode(appName)}/resource/actions/v2`,
      undefined,
      {
        name: appName,
        ...ref,
        action,
        ...(appNamespace ? { appNamespace } : {}),
      },
    );
  }

  private async request<T>(
    method: string,
    path: string,
    params?: URLSearchParams,
    body?: unknown,
  ): Promise<T> {
    const response = await this.send(method, path, params, body, false);
    if (response.status === 401 && !this.instance.token) {
      this.sessionToken = undefined;
      return this.parse<T>(await this.send(method, path, params, body, true), path);
    }
    return this.parse<T>(response, path);
  }

  private async send(
    method: string,
    path: string,
    params: URLSearchParams | undefined,
    body: unknown,
    isRetry: boolean,
    /** A long-lived stream ends with its own signal, not the request timeout. */
    streamSignal?: AbortSignal,
  ): Promise<Response> {
    const query = params && params.size ? `?${params}` : '';
    const url = `${this.instance.url.replace(/\/$/, '')}${path}${query}`;
    try {
      return await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${await this.bearerToken()}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: streamSignal ?? AbortSignal.timeout(this.timeoutMs),
        // @ts-expect-error undici's dispatcher is accepted by Node's fetch
        dispatcher: this.dispatcher,
      });
    } catch (error) {
      if (streamSignal?.aborted) throw error;
      const reason = (error as Error).name === 'TimeoutError'
        ? `timed out after ${this.timeoutMs} ms`
        : describeFetchError(error as Error);
      throw new ArgoCdRequestError(
        `Argo CD instance '${this.name}' ${method} ${path} failed: ${reason}${isRetry ? ' (after session renewal)' : ''}`,
      );
    }
  }

  private async parse<T>(response: Response, path: string): Promise<T> {
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      const message = this.redact(safeMessage(text) ?? response.statusText);
      throw new ArgoCdRequestError(
        `Argo CD instance '${this.name}' answered ${response.status} for ${path}: ${message}`,
        response.status,
      );
    }
    return (await response.json()) as T;
  }

  /**
   * Upstream errors end up in API answers (even the unauthenticated /health): a proxy or
   * server that quotes the request's credentials back must not pass them on.
   */
  private redact(text: string): string {
    const secrets = [this.instance.token, this.instance.password, ...this.sessionTokens];
    return secrets.reduce<string>(
      // (a secret of a few characters would redact ordinary words: test configs only)
      (redacted, secret) => (secret && secret.length >= 4 ? redacted.split(secret).join('<redacted>') : redacted),
      text,
    );
  }

  private async bearerToken(): Promise<string> {
    if (this.instance.token) return this.instance.token;
    this.sessionToken ??= this.login().catch(error => {
      this.sessionToken = undefined;
      throw error;
    });
    return this.sessionToken;
  }

  private async login(): Promise<string> {
    const response = await fetch(
      `${this.instance.url.replace(/\/$/, '')}/api/v1/session`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          username: this.instance.username,
          password: this.instance.password,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
        // @ts-expect-error undici's dispatcher is accepted by Node's fetch
        dispatcher: this.dispatcher,
      },
    );
    if (!response.ok) {
      throw new ArgoCdRequestError(
        `Argo CD instance '${this.name}' refused the session login (${response.status})`,
        response.status,
      );
    }
    const { token } = (await response.json()) as { token?: string };
    if (!token) {
      throw new ArgoCdRequestError(`Argo CD instance '${this.name}' returned no session token`);
    }
    this.sessionTokens.push(token);
    this.sessionTokens.splice(0, Math.max(0, this.sessionTokens.length - SESSION_TOKENS_REDACTED));
    return token;
  }
}

function resourceParams(ref: ResourceRef, appNamespace?: string) {
  const params = new URLSearchParams({
    namespace: ref.namespace,
    resourceName: ref.resourceName,
    version: ref.version,
    kind: ref.kind,
    group: ref.group,
  });
  if (appNamespace) params.set('appNamespace', appNamespace);
  return params;
}

function encode(segment: string) {
  return encodeURIComponent(segment);
}

/** Argo CD errors are `{ error, code, message }`; never echo a whole HTML page. */
function safeMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text);
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return text ? text.slice(0, 200) : undefined;
  }
}

/** Node's fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND). */
function describeFetchError(error: Error): string {
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
