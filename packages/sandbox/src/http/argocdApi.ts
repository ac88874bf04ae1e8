import express, { NextFunction, Request, Response } from 'express';
import {
  LabelSelector,
  LabelSelectorError,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { kubeTime } from '../clock';
import type { Application, ResourceRef } from '../gitops/argoTypes';
import {
  NoOperationError,
  OperationInProgressError,
} from '../gitops/applicationSimulation';
import type { ApplicationSimulation } from '../gitops/applicationSimulation';
import { isPlainObject } from '../mergePatch';
import {
  DisabledActionError,
  UnknownActionError,
} from '../rollouts/rolloutActions';
import { InvalidRolloutError } from '../rollouts/rolloutSimulation';
import { ResourceActionError, Sandbox } from '../sandbox';
import { createApiApp } from './apiApp';
import { applicationSetRoutes } from './applicationSetRoutes';
import { helmRepositoryRouter } from './helmRepository';
import {
  ArgoCdApiError,
  failedPrecondition,
  invalidArgument,
  notFound,
  type ArgoCdRoute,
  type RouteRequest,
} from './argocdRoute';
import { QueryParams } from './queryParams';

export { ArgoCdApiError } from './argocdRoute';
export type { ArgoCdRoute, RouteRequest } from './argocdRoute';

/** The namespace Argo CD runs in: where a query without appNamespace looks. */
const ARGOCD_NAMESPACE = 'argocd';

const LIST_QUERY = [
  'name',
  'projects',
  'project',
  'selector',
  'repo',
  'appNamespace',
  'refresh',
];
const RESOURCE_QUERY = [
  'namespace',
  'resourceName',
  'version',
  'group',
  'kind',
  'appNamespace',
  'project',
];

export const argoCdRoutes: ArgoCdRoute[] = [
  {
    method: 'get',
    path: '/api/v1/applications',
    query: LIST_QUERY,
    handle: listApplications,
  },
  {
    method: 'get',
    path: '/api/v1/applications/:name',
    query: ['refresh', 'appNamespace', 'project'],
    handle: getApplication,
  },
  {
    method: 'get',
    path: '/api/v1/applications/:name/revisions/:revision/metadata',
    query: ['appNamespace', 'project', 'sourceIndex', 'versionId'],
    handle: getRevisionMetadata,
  },
  {
    method: 'get',
    path: '/api/v1/applications/:applicationName/resource-tree',
    query: ['appNamespace', 'project'],
    handle: getResourceTree,
  },
  {
    method: 'get',
    path: '/api/v1/applications/:name/resource',
    query: RESOURCE_QUERY,
    handle: getResource,
  },
  {
    method: 'get',
    path: '/api/v1/applications/:name/resource/actions',
    query: RESOURCE_QUERY,
    handle: listResourceActions,
  },
  {
    method: 'post',
    path: '/api/v1/applications/:name/resource/actions',
    query: RESOURCE_QUERY,
    handle: runResourceAction,
  },
  {
    method: 'post',
    path: '/api/v1/applications/:name/resource/actions/v2',
    query: [],
    handle: runResourceActionV2,
  },
  {
    method: 'post',
    path: '/api/v1/applications/:name/sync',
    query: [],
    handle: syncApplication,
  },
  {
    method: 'delete',
    path: '/api/v1/applications/:name/operation',
    query: ['appNamespace', 'project'],
    handle: terminateOperation,
  },
  {
    method: 'get',
    path: '/api/v1/stream/applications',
    query: [...LIST_QUERY, 'resourceVersion'],
    handle: watchApplications,
  },
  ...applicationSetRoutes,
];

/** The Argo CD REST API subset, behind the sandbox token. */
export function createArgoCdApi(
  sandbox: Sandbox,
  token: string,
  ready: Promise<void> = Promise.resolve(),
): express.Express {
  // Requests wait for the sandbox's first poll.
  const gate = (_req: Request, _res: Response, next: NextFunction) => {
    ready.then(() => next(), next);
  };
  const open = express.Router();
  open.use(gate, helmRepositoryRouter(sandbox));
  const app = createApiApp(
    token,
    res =>
      sendError(res, new ArgoCdApiError(401, 16, 'no session information')),
    open,
  );
  app.use(gate);
  // strict: false because the older action route's body is a bare JSON string.
  app.use(express.json({ strict: false }));
  for (const route of argoCdRoutes) {
    app[route.method](route.path, (req, res, next) => {
      const query = new QueryParams(req.query, route.query);
      Promise.resolve()
        .then(() =>
          route.handle(sandbox, {
            params: req.params,
            query,
            body: req.body,
            req,
            res,
          }),
        )
        .then(body => {
          if (body !== undefined) res.json(body);
        })
        .catch(next);
    });
  }
  app.use((_req: Request, _res: Response, next: NextFunction) =>
    next(notFound('Not Found')),
  );
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendError(res, toApiError(error)),
  );
  return app;
}

async function listApplications(sandbox: Sandbox, { query }: RouteRequest) {
  if (query.one('refresh')) {
    await sandbox.refresh();
  }
  const matches = listFilter(query);
  return {
    metadata: { resourceVersion: sandbox.resourceVersion() },
    items: sandbox.applications().filter(matches),
  };
}

async function getApplication(
  sandbox: Sandbox,
  { params, query }: RouteRequest,
) {
  if (query.one('refresh')) {
    await sandbox.refresh();
  }
  const object = sandbox.applicationView(params.name)?.toApplication();
  const appNamespace = query.one('appNamespace');
  const projects = query.all('project');
  if (
    !object ||
    (appNamespace && object.metadata.namespace !== appNamespace) ||
    (projects.length && !projects.includes(object.spec.project ?? 'default'))
  ) {
    throw notFound(`applications.argoproj.io "${params.name}" not found`);
  }
  return sandbox.stamp(object);
}

/**
 * `v1alpha1RevisionMetadata` of a commit of the Application's source, as Argo CD's
 * repo server builds it: the first line of the message, cut to 64 characters; tags
 * only when some point at the commit.
 */
async function getRevisionMetadata(
  sandbox: Sandbox,
  { params, query }: RouteRequest,
) {
  const app = findApplication(
    sandbox,
    params.name,
    query.one('appNamespace'),
    query.all('project'),
  );
  const sourceIndex = query.one('sourceIndex');
  if (sourceIndex !== undefined && sourceIndex !== '0') {
    throw invalidArgument(
      `source index ${sourceIndex} not found in application ${app.name}`,
    );
  }
  const commit = await sandbox.commitMetadata(params.revision);
  if (!commit) {
    throw new ArgoCdApiError(
      500,
      2,
      `unable to resolve '${params.revision}' to a commit SHA`,
    );
  }
  const subject = commit.message.split('\n', 1)[0];
  return {
    author: commit.author,
    date: kubeTime(commit.date * 1000),
    ...(commit.tags.length ? { tags: commit.tags } : {}),
    message: subject.length > 64 ? `${subject.slice(0, 61)}...` : subject,
  };
}

function getResourceTree(sandbox: Sandbox, { params, query }: RouteRequest) {
  const app = findApplication(
    sandbox,
    params.applicationName,
    query.one('appNamespace'),
    query.all('project'),
  );
  return app.resourceTree(sandbox.stamp);
}

function getResource(sandbox: Sandbox, { params, query }: RouteRequest) {
  const { object } = findResource(sandbox, params.name, query);
  return { manifest: JSON.stringify(object) };
}

function listResourceActions(
  sandbox: Sandbox,
  { params, query }: RouteRequest,
) {
  const { object } = findResource(sandbox, params.name, query);
  const actions = sandbox.resourceActions(object);
  // Argo CD's marshaller leaves empty lists out.
  return actions.length ? { actions } : {};
}

/** The older action route: resource in the query, the action name as a JSON string body. */
function runResourceAction(
  sandbox: Sandbox,
  { params, query, body }: RouteRequest,
) {
  if (typeof body !== 'string') {
    throw invalidArgument(
      'the request body must be the action name as a JSON string',
    );
  }
  const { app, object } = findResource(sandbox, params.name, query);
  runAction(sandbox, app, object, body);
  return {};
}

/** `applicationResourceActionRunRequestV2`: everything in the body. */
function runResourceActionV2(sandbox: Sandbox, { params, body }: RouteRequest) {
  if (!isPlainObject(body) || typeof body.action !== 'string') {
    throw invalidArgument('the request body needs an action');
  }
  const text = (key: string) =>
    typeof body[key] === 'string' ? (body[key] as string) : undefined;
  const projects = text('project') ? [text('project')!] : [];
  const app = findApplication(
    sandbox,
    params.name,
    text('appNamespace'),
    projects,
  );
  const object = findObject(sandbox, app, {
    namespace: text('namespace') ?? '',
    name: text('resourceName') ?? '',
    version: text('version') ?? '',
    group: text('group') ?? '',
    kind: text('kind') ?? '',
  });
  runAction(sandbox, app, object, body.action);
  return {};
}

function syncApplication(sandbox: Sandbox, { params, body }: RouteRequest) {
  const request = isPlainObject(body) ? body : {};
  const projects = typeof request.project === 'string' ? [request.project] : [];
  const appNamespace =
    typeof request.appNamespace === 'string' ? request.appNamespace : undefined;
  const app = findApplication(sandbox, params.name, appNamespace, projects);
  if (request.dryRun !== true) {
    try {
      // The sandbox token stands for the local admin account.
      sandbox.sync(app, { username: 'admin' });
    } catch (error) {
      if (error instanceof OperationInProgressError)
        throw failedPrecondition(error.message);
      throw error;
    }
  }
  return sandbox.stamp(app.toApplication());
}

/** `ApplicationService.TerminateOperation`: the running operation goes Terminating. */
function terminateOperation(sandbox: Sandbox, { params, query }: RouteRequest) {
  const app = findApplication(
    sandbox,
    params.name,
    query.one('appNamespace') || undefined,
    query.all('project'),
  );
  try {
    sandbox.terminate(app);
  } catch (error) {
    if (error instanceof NoOperationError) throw invalidArgument(error.message);
    throw error;
  }
  // applicationOperationTerminateResponse has no fields.
  return {};
}

/**
 * The watch stream, as Argo CD's `ApplicationService.Watch` (server/application):
 * newline-delimited `{"result": {"type", "application"}}` (grpc-gateway). Without a
 * resourceVersion, or for a single app (`name`, which must not miss an event), it
 * first sends every matching Application as ADDED, sorted by qualified name; then
 * every change. Throughout, Applications whose resourceVersion is below the
 * requested one are left out. Unlike the list, the watch ignores `repo`.
 */
function watchApplications(sandbox: Sandbox, { query, res }: RouteRequest) {
  const selector = parseSelector(query, 'error parsing labels with selectors');
  const projects = projectsOf(query);
  const name = query.one('name') ?? '';
  const appNamespace = query.one('appNamespace') || ARGOCD_NAMESPACE;
  const resourceVersion = query.one('resourceVersion') ?? '';
  // strconv.Atoi, 0 when absent or not an integer
  const minVersion = parseInteger(resourceVersion) ?? 0n;
  // isApplicationPermitted
  const permitted = (app: Application) => {
    if (projects.length && !projects.includes(app.spec.project || 'default')) {
      return false;
    }
    const version = parseInteger(app.metadata.resourceVersion ?? '');
    if (version !== undefined && version < minVersion) return false;
    return (
      (!name ||
        (app.metadata.name === name &&
          app.metadata.namespace === appNamespace)) &&
      selector.matches(app.metadata.labels)
    );
  };

  res.status(200).type('application/json');
  const send = (type: string, application: Application) => {
    if (permitted(application)) {
      res.write(`${JSON.stringify({ result: { type, application } })}\n`);
    }
  };
  if (!resourceVersion || name) {
    sandbox
      .applications()
      .sort((a, b) => byBytes(qualifiedName(a), qualifiedName(b)))
      .forEach(app => send('ADDED', app));
  }
  const unsubscribe = sandbox.subscribe(event =>
    send(event.type, event.application),
  );
  // The response closes when the client goes away (the request closes once read).
  res.on('close', unsubscribe);
  return undefined;
}

/** The filters of Argo CD's `ApplicationService.List`. */
function listFilter(query: QueryParams): (app: Application) => boolean {
  const selector = parseSelector(query, 'error parsing the selector');
  const projects = projectsOf(query);
  const name = query.one('name');
  const appNamespace = query.one('appNamespace');
  const repo = query.one('repo');
  return app =>
    selector.matches(app.metadata.labels) &&
    (projects.length === 0 ||
      projects.includes(app.spec.project || 'default')) &&
    (!name || app.metadata.name === name) &&
    (!appNamespace || app.metadata.namespace === appNamespace) &&
    (!repo || app.spec.source?.repoURL === repo);
}

function parseSelector(query: QueryParams, context: string): LabelSelector {
  try {
    return LabelSelector.parse(query.one('selector') ?? '');
  } catch (error) {
    if (error instanceof LabelSelectorError) {
      throw invalidArgument(`${context}: ${error.detail}`);
    }
    throw error;
  }
}

/** `getProjectsFromApplicationQuery`: `project` when given, else `projects`. */
function projectsOf(query: QueryParams): string[] {
  const project = query.all('project');
  return project.length ? project : query.all('projects');
}

/** Go's `strconv.Atoi` on a 64-bit platform; undefined where it fails. */
function parseInteger(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n ? value : undefined;
}

/** `Application.QualifiedName()`: `namespace/name`, or the name without a namespace. */
function qualifiedName(app: Application): string {
  const { namespace, name } = app.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Go's string order (byte-wise; names are ASCII). */
function byBytes(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function findApplication(
  sandbox: Sandbox,
  name: string,
  appNamespace: string | undefined,
  projects: string[],
): ApplicationSimulation {
  const app = sandbox.application(name);
  const object = app?.toApplication();
  const visible =
    object &&
    (!appNamespace || object.metadata.namespace === appNamespace) &&
    (projects.length === 0 ||
      projects.includes(object.spec.project ?? 'default'));
  if (!app || !visible) {
    throw notFound(`applications.argoproj.io "${name}" not found`);
  }
  return app;
}

function findResource(sandbox: Sandbox, name: string, query: QueryParams) {
  const app = findApplication(
    sandbox,
    name,
    query.one('appNamespace'),
    query.all('project'),
  );
  const object = findObject(sandbox, app, {
    namespace: query.one('namespace') ?? '',
    name: query.one('resourceName') ?? '',
    version: query.one('version') ?? '',
    group: query.one('group') ?? '',
    kind: query.one('kind') ?? '',
  });
  return { app, object };
}

function findObject(
  sandbox: Sandbox,
  app: ApplicationSimulation,
  ref: ResourceRef,
) {
  if (!ref.kind || !ref.name) {
    throw invalidArgument('kind and resourceName are required');
  }
  const object = sandbox.liveObject(app, ref);
  if (!object) {
    throw notFound(
      `${ref.kind} ${ref.group} ${ref.name} not found as part of application ${app.name}`,
    );
  }
  return object;
}

function runAction(
  sandbox: Sandbox,
  app: ApplicationSimulation,
  object: Parameters<Sandbox['runResourceAction']>[1],
  action: string,
) {
  try {
    sandbox.runResourceAction(app, object, action);
  } catch (error) {
    if (error instanceof DisabledActionError)
      throw failedPrecondition(error.message);
    if (
      error instanceof UnknownActionError ||
      error instanceof ResourceActionError ||
      error instanceof InvalidRolloutError
    ) {
      throw invalidArgument(error.message);
    }
    throw error;
  }
}

function toApiError(error: unknown): ArgoCdApiError {
  if (error instanceof ArgoCdApiError) return error;
  // body-parser marks malformed JSON with status 400.
  if ((error as { status?: number }).status === 400) {
    return invalidArgument((error as Error).message);
  }
  return new ArgoCdApiError(500, 13, (error as Error).message ?? String(error));
}

/** Argo CD's error body: `{ error, code, message }`. */
function sendError(res: Response, error: ArgoCdApiError): void {
  res
    .status(error.httpStatus)
    .json({ error: error.message, code: error.code, message: error.message });
}
