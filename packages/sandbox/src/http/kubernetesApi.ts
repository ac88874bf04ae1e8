import express, {
  NextFunction,
  Request,
  RequestHandler,
  Response,
} from 'express';
import {
  LabelSelector,
  LabelSelectorError,
} from '@gitops-suite/backstage-plugin-gitops-common';
import { groupVersion, KubeObject } from '../kubeTypes';
import { InvalidRolloutError } from '../rollouts/rolloutSimulation';
import type { Sandbox } from '../sandbox';
import { createApiApp } from './apiApp';
import { addDiscoveryRoutes } from './kubernetesDiscovery';
import {
  basePath,
  KubernetesResourceType,
  kubernetesResourceTypes,
} from './kubernetesResources';

/** A Kubernetes `Status` failure, the body of every API server error. */
export class KubernetesStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, string>,
  ) {
    super(message);
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const badRequest = (message: string) =>
  new KubernetesStatusError(400, 'BadRequest', message);

const ROLLOUTS = kubernetesResourceTypes.find(
  type => type.plural === 'rollouts',
)!;

/** The Kubernetes API subset: list/get of the simulated objects, merge patches of Rollouts. */
export function createKubernetesApi(
  sandbox: Sandbox,
  token: string,
): express.Express {
  const app = createApiApp(token, res =>
    sendStatus(
      res,
      new KubernetesStatusError(401, 'Unauthorized', 'Unauthorized'),
    ),
  );
  addDiscoveryRoutes(app);
  for (const type of kubernetesResourceTypes) {
    const base = basePath(type);
    app.get(`${base}/${type.plural}`, listHandler(sandbox, type));
    if (type.namespaced) {
      app.get(
        `${base}/namespaces/:namespace/${type.plural}`,
        listHandler(sandbox, type),
      );
      app.get(
        `${base}/namespaces/:namespace/${type.plural}/:name`,
        getHandler(sandbox, type),
      );
    } else {
      app.get(`${base}/${type.plural}/:name`, getHandler(sandbox, type));
    }
  }
  const rollout = `${basePath(ROLLOUTS)}/namespaces/:namespace/rollouts/:name`;
  const mergePatchBody = express.json({ type: 'application/merge-patch+json' });
  app.patch(rollout, mergePatchBody, patchRolloutHandler(sandbox, 'main'));
  app.patch(
    `${rollout}/status`,
    mergePatchBody,
    patchRolloutHandler(sandbox, 'status'),
  );
  app.use((_req: Request, _res: Response, next: NextFunction) =>
    next(
      new KubernetesStatusError(
        404,
        'NotFound',
        'the server could not find the requested resource',
      ),
    ),
  );
  app.use(
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (error instanceof KubernetesStatusError) {
        sendStatus(res, error);
      } else if ((error as { status?: number }).status === 400) {
        sendStatus(res, badRequest((error as Error).message));
      } else {
        sendStatus(
          res,
          new KubernetesStatusError(
            500,
            'InternalError',
            String((error as Error).message),
          ),
        );
      }
    },
  );
  return app;
}

function listHandler(
  sandbox: Sandbox,
  type: KubernetesResourceType,
): RequestHandler {
  return (req, res) => {
    const { namespace } = req.params;
    const labelSelector = queryValue(req, 'labelSelector');
    let selector: LabelSelector;
    try {
      selector = LabelSelector.parse(labelSelector ?? '');
    } catch (error) {
      // The API server answers with labels.Parse's own words.
      if (error instanceof LabelSelectorError) throw badRequest(error.detail);
      throw error;
    }
    const items = type
      .list(sandbox)
      .filter(object => !namespace || object.metadata.namespace === namespace)
      .filter(object => selector.matches(object.metadata.labels))
      .sort(byNamespaceAndName);
    const page = paginate(
      items,
      queryValue(req, 'limit'),
      queryValue(req, 'continue'),
    );
    res.json({
      apiVersion: type.groupVersion,
      kind: `${type.kind}List`,
      metadata: {
        resourceVersion: sandbox.resourceVersion(),
        ...(page.continue ? { continue: page.continue } : {}),
        // The API server only knows the remaining count when no selector filters the list.
        ...(page.continue && selector.isEmpty()
          ? { remainingItemCount: page.remaining }
          : {}),
      },
      items: page.items.map(item =>
        type.builtIn ? withoutTypeMeta(item) : item,
      ),
    });
  };
}

function getHandler(
  sandbox: Sandbox,
  type: KubernetesResourceType,
): RequestHandler {
  return (req, res) => {
    const { namespace, name } = req.params;
    const object = type
      .list(sandbox)
      .find(
        o =>
          o.metadata.name === name &&
          (!namespace || o.metadata.namespace === namespace),
      );
    if (!object) {
      throw notFound(type, name);
    }
    res.json(object);
  };
}

/**
 * PATCH of a Rollout or its status subresource with a merge patch, as the Argo
 * Rollouts kubectl plugin sends for promote, pause, abort, retry and restart.
 */
function patchRolloutHandler(
  sandbox: Sandbox,
  subresource: 'main' | 'status',
): RequestHandler {
  return (req, res) => {
    if (!req.is('application/merge-patch+json')) {
      throw new KubernetesStatusError(
        415,
        'UnsupportedMediaType',
        'the body of the request was in an unknown format - accepted media types include: application/merge-patch+json',
      );
    }
    const { namespace, name } = req.params;
    const rollout = sandbox.rolloutSimulation(namespace, name);
    if (!rollout) {
      throw notFound(ROLLOUTS, name);
    }
    try {
      res.json(sandbox.patchRollout(rollout, req.body, subresource));
    } catch (error) {
      if (error instanceof InvalidRolloutError) {
        throw new KubernetesStatusError(
          422,
          'Invalid',
          `Rollout.argoproj.io "${name}" is invalid: ${error.message}`,
          {
            name,
            group: 'argoproj.io',
            kind: 'Rollout',
          },
        );
      }
      throw error;
    }
  };
}

interface Page {
  items: KubeObject[];
  continue?: string;
  remaining?: number;
}

/** `limit`/`continue` chunking; the opaque continue token carries the next offset. */
function paginate(items: KubeObject[], limit?: string, token?: string): Page {
  const start = token ? decodeContinue(token) : 0;
  const size = Number(limit);
  if (!(size > 0)) {
    return { items: items.slice(start) };
  }
  const next = start + size;
  return next < items.length
    ? {
        items: items.slice(start, next),
        continue: Buffer.from(JSON.stringify({ start: next })).toString(
          'base64url',
        ),
        remaining: items.length - next,
      }
    : { items: items.slice(start) };
}

function decodeContinue(token: string): number {
  try {
    const { start } = JSON.parse(
      Buffer.from(token, 'base64url').toString('utf8'),
    );
    if (Number.isInteger(start) && start >= 0) return start;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid');
}

/** The API server's 404: `rollouts.argoproj.io "x" not found`, `pods "x" not found`. */
function notFound(
  type: KubernetesResourceType,
  name: string,
): KubernetesStatusError {
  const { group } = groupVersion(type.groupVersion);
  const resource = group ? `${type.plural}.${group}` : type.plural;
  return new KubernetesStatusError(
    404,
    'NotFound',
    `${resource} "${name}" not found`,
    {
      name,
      ...(group ? { group } : {}),
      kind: type.plural,
    },
  );
}

function queryValue(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function withoutTypeMeta({
  apiVersion: _apiVersion,
  kind: _kind,
  ...rest
}: KubeObject) {
  return rest;
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject) =>
    `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return key(a).localeCompare(key(b));
}

function sendStatus(res: Response, error: KubernetesStatusError): void {
  res.status(error.code).json(error.toStatus());
}
