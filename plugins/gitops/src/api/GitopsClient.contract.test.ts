/**
 * @jest-environment node
 */
/*
 * The contract between the frontend client and the backend's OpenAPI spec
 * (plugins/gitops-backend/src/schema/openapi.yaml). The backend validates every
 * request against that spec (createValidatedOpenApiRouter: unknown query
 * parameters, unknown or missing body properties and wrong path enums are a 400),
 * so a client that drifts from it breaks at runtime. Every client method is called
 * here against a fake backend that records the request and answers with a minimal
 * body generated from the operation's response schema; the request is then checked
 * against the spec operation it maps to.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ROLLOUT_ACTIONS,
  type ApplicationAction,
  type ApplicationActionRequest,
  type CreateLineStopRequest,
  type CreatePromotionRequest,
  type CreateRollbackRequest,
  type FleetFilter,
} from '@gitops-suite/backstage-plugin-gitops-common';
// `yaml` is a dependency of the backend that owns the spec, hoisted to the repo
// root; this test only reads the backend's file, so it is not declared here.
import { parse } from 'yaml';
import type { GitopsApi } from './GitopsApi';
import { GitopsClient } from './GitopsClient';

// ---------------------------------------------------------------------------
// The spec

type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
};

type Parameter = {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
};

type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: Schema }>;
  };
  responses: Record<
    string,
    { $ref?: string; content?: Record<string, { schema: Schema }> }
  >;
};

/** A path of the spec: its operations by HTTP method, and parameters common to them. */
type PathItem = { parameters?: Parameter[] } & Partial<
  Record<string, Operation | Parameter[]>
>;

type Spec = {
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, unknown>;
  };
};

const SPEC_PATH = path.resolve(
  __dirname,
  '../../../gitops-backend/src/schema/openapi.yaml',
);
const spec: Spec = parse(fs.readFileSync(SPEC_PATH, 'utf8'));

const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'head',
  'options',
];

/** Follows a local `$ref` (`#/components/...`) to what it names. */
function deref<T extends { $ref?: string }>(value: T): T {
  if (!value.$ref) return value;
  const prefix = '#/components/';
  if (!value.$ref.startsWith(prefix))
    throw new Error(`Unsupported $ref ${value.$ref}`);
  const target = value.$ref
    .slice(prefix.length)
    .split('/')
    .reduce<any>((node, key) => node?.[key], spec.components);
  if (!target) throw new Error(`Unresolved $ref ${value.$ref}`);
  return deref(target);
}

type SpecOperation = {
  id: string;
  method: string;
  template: string;
  matcher: RegExp;
  pathParamNames: string[];
  parameters: Parameter[];
  operation: Operation;
};

const operations: SpecOperation[] = Object.entries(spec.paths).flatMap(
  ([template, item]) =>
    Object.entries(item)
      .filter((entry): entry is [string, Operation] =>
        HTTP_METHODS.includes(entry[0]),
      )
      .map(([method, operation]) => {
        const pathParamNames = [...template.matchAll(/\{([^}]+)\}/g)].map(
          m => m[1],
        );
        const source = template
          .split(/\{[^}]+\}/)
          .map(literal => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('([^/]+)');
        return {
          id: operation.operationId,
          method: method.toUpperCase(),
          template,
          matcher: new RegExp(`^${source}$`),
          pathParamNames,
          parameters: [
            ...(item.parameters ?? []),
            ...(operation.parameters ?? []),
          ].map(deref),
          operation,
        };
      }),
);

/**
 * The operation a request is routed to: the same method and a matching path, the
 * one with the fewest path parameters first (`/v1/promotions/preview` before
 * `/v1/promotions/{id}`), as a router with literal routes before parameters does.
 */
function route(method: string, pathname: string) {
  const candidates = operations
    .filter(op => op.method === method)
    .map(op => ({ op, match: op.matcher.exec(pathname) }))
    .filter(
      (c): c is { op: SpecOperation; match: RegExpExecArray } =>
        c.match !== null,
    )
    .sort((a, b) => a.op.pathParamNames.length - b.op.pathParamNames.length);
  if (!candidates.length) return undefined;
  const { op, match } = candidates[0];
  const pathParams = Object.fromEntries(
    op.pathParamNames.map((name, i) => [
      name,
      decodeURIComponent(match[i + 1]),
    ]),
  );
  return { op, pathParams };
}

/** Problems of a value against a schema: type, enum, pattern, object shape. */
function violations(value: unknown, rawSchema: Schema, at: string): string[] {
  const schema = deref(rawSchema);
  if (schema.oneOf) {
    return schema.oneOf.some(s => violations(value, s, at).length === 0)
      ? []
      : [`${at}: matches none of oneOf`];
  }
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(
      `${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(
        schema.enum,
      )}`,
    );
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string')
        return [...problems, `${at}: ${JSON.stringify(value)} is not a string`];
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
        problems.push(
          `${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`,
        );
      }
      break;
    case 'integer':
      if (!Number.isInteger(value))
        problems.push(`${at}: ${JSON.stringify(value)} is not an integer`);
      break;
    case 'number':
      if (typeof value !== 'number')
        problems.push(`${at}: ${JSON.stringify(value)} is not a number`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean')
        problems.push(`${at}: ${JSON.stringify(value)} is not a boolean`);
      break;
    case 'array':
      if (!Array.isArray(value)) return [...problems, `${at}: is not an array`];
      if (schema.items) {
        value.forEach((element, i) =>
          problems.push(...violations(element, schema.items!, `${at}[${i}]`)),
        );
      }
      break;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return [...problems, `${at}: is not an object`];
      }
      const properties = schema.properties ?? {};
      for (const required of schema.required ?? []) {
        if (!(required in value))
          problems.push(`${at}: misses required property ${required}`);
      }
      for (const [key, property] of Object.entries(value)) {
        if (properties[key]) {
          problems.push(
            ...violations(property, properties[key], `${at}.${key}`),
          );
        } else if (schema.additionalProperties !== true) {
          // Not declared: the request validator refuses it when additionalProperties
          // is false, and ignores it at best otherwise; either way it is drift.
          problems.push(`${at}: property ${key} is not declared in the spec`);
        }
      }
      break;
    }
    default:
      break;
  }
  return problems;
}

/** A minimal value of a schema: its required properties only, one element per array. */
function example(rawSchema: Schema): unknown {
  const schema = deref(rawSchema);
  if (schema.oneOf) return example(schema.oneOf[0]);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
      if (schema.format === 'uuid')
        return '00000000-0000-4000-8000-000000000000';
      return 'x';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return schema.items ? [example(schema.items)] : [];
    case 'object':
    default:
      return Object.fromEntries(
        (schema.required ?? []).map(key => [
          key,
          example(schema.properties?.[key] ?? {}),
        ]),
      );
  }
}

/** The first 2xx response of an operation, with a minimal JSON body of its schema. */
function successResponse(operation: Operation): {
  status: number;
  body: unknown;
} {
  const status = Object.keys(operation.responses).find(code =>
    /^2\d\d$/.test(code),
  );
  if (!status)
    throw new Error(`${operation.operationId} declares no 2xx response`);
  const response = deref(operation.responses[status]);
  const schema = response.content?.['application/json']?.schema;
  return { status: Number(status), body: schema ? example(schema) : {} };
}

// ---------------------------------------------------------------------------
// The fake backend

const BASE_URL = 'http://backend.test/api/gitops';

type Recorded = {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
  operation?: SpecOperation;
  pathParams: Record<string, string>;
  response?: { status: number; body: unknown };
};

function fakeBackend() {
  const requests: Recorded[] = [];
  const discoveryApi = {
    getBaseUrl: jest.fn(async (pluginId: string) => {
      expect(pluginId).toBe('gitops');
      return BASE_URL;
    }),
  };
  const fetchApi = {
    fetch: jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      expect(url.origin + url.pathname.slice(0, '/api/gitops'.length)).toBe(
        BASE_URL,
      );
      const method = (init?.method ?? 'GET').toUpperCase();
      const pathname = url.pathname.slice('/api/gitops'.length);
      const routed = route(method, pathname);
      const recorded: Recorded = {
        method,
        pathname,
        query: url.searchParams,
        headers: new Headers(init?.headers),
        body:
          typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
        operation: routed?.op,
        pathParams: routed?.pathParams ?? {},
      };
      requests.push(recorded);
      if (!routed) {
        return new Response(
          JSON.stringify({
            error: { name: 'NotFoundError', message: 'no route' },
          }),
          {
            status: 404,
            headers: { 'content-type': 'application/json' },
          },
        );
      }
      recorded.response = successResponse(routed.op.operation);
      return new Response(JSON.stringify(recorded.response.body), {
        status: recorded.response.status,
        headers: { 'content-type': 'application/json' },
      });
    }),
  };
  const client = new GitopsClient({ discoveryApi, fetchApi });
  return { client, requests };
}

/** Everything about a recorded request that does not match its spec operation. */
function contractViolations(request: Recorded): string[] {
  const op = request.operation!;
  const problems: string[] = [];
  const declared = (where: Parameter['in']) =>
    op.parameters.filter(p => p.in === where);

  for (const parameter of declared('path')) {
    problems.push(
      ...violations(
        request.pathParams[parameter.name],
        parameter.schema ?? {},
        `path parameter ${parameter.name}`,
      ),
    );
  }
  for (const name of op.pathParamNames) {
    if (!declared('path').some(p => p.name === name))
      problems.push(`path parameter ${name} is not declared`);
  }

  const queryParameters = declared('query');
  for (const name of new Set(request.query.keys())) {
    const parameter = queryParameters.find(p => p.name === name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not declared for ${op.id}`);
      continue;
    }
    for (const value of request.query.getAll(name)) {
      problems.push(
        ...violations(value, parameter.schema ?? {}, `query parameter ${name}`),
      );
    }
  }
  for (const parameter of queryParameters.filter(p => p.required)) {
    if (!request.query.has(parameter.name))
      problems.push(`required query parameter ${parameter.name} is not sent`);
  }

  const requestBody = op.operation.requestBody;
  if (request.body === undefined) {
    if (requestBody?.required)
      problems.push(`${op.id} requires a request body, none is sent`);
  } else if (!requestBody) {
    problems.push(`${op.id} takes no request body, one is sent`);
  } else {
    const contentType = request.headers.get('content-type') ?? '';
    const media = requestBody.content[contentType.split(';')[0].trim()];
    if (!media) {
      problems.push(
        `request body of type ${contentType || '(none)'} is not declared for ${
          op.id
        }`,
      );
    } else {
      problems.push(...violations(request.body, media.schema, 'body'));
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Every method of the client, with arguments that use every field it can send

const entity: CompoundEntityRef = {
  kind: 'Component',
  namespace: 'default',
  name: 'payments-api',
};
const promotionId = '3f1c2a4e-7b8d-4e2f-9a6b-1c2d3e4f5a6b';

// `Required<...>` so a field added to a request type has to be added here too,
// and is then checked against the spec.
const fullPromotionRequest: Required<CreatePromotionRequest> = {
  entityRef: 'component:default/payments-api',
  from: 'staging',
  to: 'prod',
  comment: 'Release 1.5.0',
  overrideGates: true,
};
const minimalPromotionRequest: CreatePromotionRequest = {
  entityRef: 'component:default/payments-api',
  from: 'staging',
  to: 'prod',
};
const fullRollbackRequest: Required<CreateRollbackRequest> = {
  entityRef: 'component:default/payments-api',
  environment: 'prod',
  tag: '1.4.0',
  comment: 'Back to the last good version',
  overrideGates: true,
};
const fullFleetFilter: Required<FleetFilter> = {
  owner: 'group:default/team-a',
  system: 'system:default/payments',
  kind: 'Component',
};
const rolloutTarget: Required<Parameters<GitopsApi['runRolloutAction']>[2]> = {
  environment: 'prod',
  namespace: 'payments',
  name: 'payments-api',
};
const fullApplicationActionRequest: Required<ApplicationActionRequest> = {
  environment: 'prod',
  instance: 'main',
  application: 'payments-api-prod',
  prune: true,
  dryRun: true,
  revision: 'main',
};
const APPLICATION_ACTIONS = Object.keys({
  sync: true,
  refresh: true,
  'hard-refresh': true,
  terminate: true,
} satisfies Record<ApplicationAction, true>) as ApplicationAction[];
const argoCdRollbackRequest: Required<
  Parameters<GitopsApi['argoCdRollback']>[1]
> = {
  environment: 'prod',
  application: 'payments-api-prod',
  historyId: 3,
};
type Decision = Parameters<GitopsApi['decidePromotion']>[1];
// A record, so a decision added to the type has to be added here too.
const DECISIONS = Object.keys({
  approve: true,
  reject: true,
  cancel: true,
} satisfies Record<Decision, true>) as Decision[];

type Call = {
  /** What the call is, in the test's name. */
  name: string;
  /** The spec operation it must reach. */
  operationId: string;
  call: (client: GitopsApi) => Promise<unknown>;
  /** What the client resolves to, from the response body; the body itself by default. */
  result?: (body: any) => unknown;
};

// Keyed by method, so a method added to GitopsApi has to get calls here.
const CALLS: { [Method in keyof GitopsApi]: Call[] } = {
  getEnvironments: [
    {
      name: '',
      operationId: 'ListEnvironments',
      call: c => c.getEnvironments(),
    },
  ],
  getDeployments: [
    {
      name: '',
      operationId: 'GetEntityDeployments',
      call: c => c.getDeployments(entity),
    },
    {
      name: 'with characters to encode in the name',
      operationId: 'GetEntityDeployments',
      call: c =>
        c.getDeployments({
          kind: 'Component',
          namespace: 'default',
          name: 'payments.api_v2',
        }),
    },
  ],
  listLineStops: [{ name: '', operationId: 'ListLineStops', call: c => c.listLineStops() }],
  getInsights: [
    {
      name: 'of an entity in one environment over 90 days',
      operationId: 'GetInsights',
      call: c => c.getInsights({ entityRef: 'component:default/payments-api', environment: 'prod', days: 90 }),
    },
    { name: 'of the fleet, by default over 30 days', operationId: 'GetInsights', call: c => c.getInsights({}) },
  ],
  stopLine: [
    {
      name: '',
      operationId: 'CreateLineStop',
      call: c => c.stopLine({ environment: '*', reason: 'incident 4711' } satisfies Required<CreateLineStopRequest>),
    },
  ],
  liftLineStop: [{ name: '', operationId: 'LiftLineStop', call: c => c.liftLineStop(promotionId) }],
  runApplicationAction: APPLICATION_ACTIONS.map(action => ({
    name: action,
    operationId: 'RunApplicationAction',
    call: (c: GitopsApi) =>
      c.runApplicationAction(entity, action, action === 'sync' ? fullApplicationActionRequest : { environment: 'prod', instance: 'main', application: 'payments-api-prod' }),
  })),
  runRolloutAction: ROLLOUT_ACTIONS.map(action => ({
    name: action,
    operationId: 'RunRolloutAction',
    call: (c: GitopsApi) => c.runRolloutAction(entity, action, rolloutTarget),
  })),
  getVulnerabilities: [
    {
      name: '',
      operationId: 'GetEntityVulnerabilities',
      call: c => c.getVulnerabilities(entity, 'prod'),
    },
  ],
  getPolicies: [
    {
      name: '',
      operationId: 'GetEntityPolicies',
      call: c => c.getPolicies(entity, 'prod'),
    },
  ],
  getExposedSecrets: [
    {
      name: '',
      operationId: 'GetEntityExposedSecrets',
      call: c => c.getExposedSecrets(entity, 'prod'),
    },
  ],
  getConfigAudits: [
    {
      name: '',
      operationId: 'GetEntityConfigAudits',
      call: c => c.getConfigAudits(entity, 'prod'),
    },
  ],
  getFleet: [
    { name: 'unfiltered', operationId: 'GetFleet', call: c => c.getFleet({}) },
    {
      name: 'with every filter',
      operationId: 'GetFleet',
      call: c => c.getFleet(fullFleetFilter),
    },
    {
      name: 'with findings',
      operationId: 'GetFleet',
      call: c => c.getFleet({}, { findings: true }),
    },
  ],
  argoCdRollback: [
    {
      name: '',
      operationId: 'ArgoCdRollback',
      call: c => c.argoCdRollback(entity, argoCdRollbackRequest),
    },
  ],
  getRollbackCandidates: [
    {
      name: '',
      operationId: 'GetRollbackCandidates',
      call: c => c.getRollbackCandidates(entity, 'prod'),
      result: body => body.items,
    },
  ],
  createRollback: [
    {
      name: '',
      operationId: 'CreateRollback',
      call: c => c.createRollback(fullRollbackRequest),
    },
    {
      name: 'without a comment',
      operationId: 'CreateRollback',
      call: c =>
        c.createRollback({
          entityRef: 'component:default/payments-api',
          environment: 'prod',
          tag: '1.4.0',
        }),
    },
  ],
  previewPromotion: [
    {
      name: '',
      operationId: 'PreviewPromotion',
      call: c => c.previewPromotion(minimalPromotionRequest),
    },
  ],
  createPromotion: [
    {
      name: 'with every field',
      operationId: 'CreatePromotion',
      call: c => c.createPromotion(fullPromotionRequest),
    },
    {
      name: 'minimal',
      operationId: 'CreatePromotion',
      call: c => c.createPromotion(minimalPromotionRequest),
    },
  ],
  listPromotions: [
    {
      name: 'unfiltered',
      operationId: 'ListPromotions',
      call: c => c.listPromotions({}),
      result: body => body.items,
    },
    {
      name: 'of an entity, awaiting my approval',
      operationId: 'ListPromotions',
      call: c =>
        c.listPromotions({
          entityRef: 'component:default/payments-api',
          awaitingMyApproval: true,
        }),
      result: body => body.items,
    },
  ],
  getPromotion: [
    {
      name: '',
      operationId: 'GetPromotion',
      call: c => c.getPromotion(promotionId),
    },
  ],
  decidePromotion: DECISIONS.flatMap(decision => [
    {
      name: `${decision} with a comment`,
      operationId: 'DecidePromotion',
      call: (c: GitopsApi) =>
        c.decidePromotion(promotionId, decision, 'Looks good'),
    },
    {
      name: `${decision} without a comment`,
      operationId: 'DecidePromotion',
      call: (c: GitopsApi) => c.decidePromotion(promotionId, decision),
    },
  ]),
};

/**
 * Operations of the spec the client deliberately never calls, with the reason.
 * Anything else in the spec without a client method fails the test.
 */
const NOT_CALLED_BY_THE_CLIENT: Record<string, string> = {
  GetHealth: 'liveness for probes and monitoring, not for the UI',
  UploadScan:
    'CI uploads Trivy reports with an external access token; users never do',
};

/** GitopsClient's private helpers, on its prototype at runtime but not API calls. */
const CLIENT_HELPERS = ['constructor', 'get', 'send', 'fetch', 'parse', 'createdOrGatesFailed'];

async function record(call: Call) {
  const { client, requests } = fakeBackend();
  const result = await call.call(client);
  expect(requests).toHaveLength(1);
  return { request: requests[0], result };
}

// ---------------------------------------------------------------------------

describe('GitopsClient contract with the backend OpenAPI spec', () => {
  it('reads the spec', () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) expect(op.id).toEqual(expect.any(String));
  });

  it('has calls here for every method of the client', () => {
    const methods = Object.getOwnPropertyNames(GitopsClient.prototype).filter(
      name => !CLIENT_HELPERS.includes(name),
    );
    expect(methods.sort()).toEqual(Object.keys(CALLS).sort());
  });

  describe.each(Object.entries(CALLS))('%s', (_method, calls) => {
    it.each(
      calls.map(
        c => [c.name || 'sends a request the spec declares', c] as const,
      ),
    )('%s', async (_name, call) => {
      const { request, result } = await record(call);
      const where = `${request.method} ${request.pathname}${
        request.query.size ? `?${request.query}` : ''
      }`;

      expect({ where, operation: request.operation?.id }).toEqual({
        where,
        operation: call.operationId,
      });
      expect({ where, problems: contractViolations(request) }).toEqual({
        where,
        problems: [],
      });

      const body = request.response!.body;
      const expected = call.result ? call.result(body) : body;
      expect(expected).toBeDefined();
      expect(result).toEqual(expected);
    });
  });

  it('calls every operation of the spec, except those listed as not called', async () => {
    const called = new Set<string>();
    for (const call of Object.values(CALLS).flat()) {
      const { request } = await record(call);
      if (request.operation) called.add(request.operation.id);
    }
    const specIds = operations.map(op => op.id);
    const uncalled = specIds.filter(
      id => !called.has(id) && !(id in NOT_CALLED_BY_THE_CLIENT),
    );
    expect(uncalled).toEqual([]);
    // The exclusions must be real operations, and really not called.
    for (const id of Object.keys(NOT_CALLED_BY_THE_CLIENT)) {
      expect({
        id,
        inSpec: specIds.includes(id),
        called: called.has(id),
      }).toEqual({
        id,
        inSpec: true,
        called: false,
      });
    }
  });

  it('detects drift: a request the spec does not declare is reported', () => {
    const op = operations.find(o => o.id === 'ListPromotions')!;
    const problems = contractViolations({
      method: 'GET',
      pathname: '/v1/promotions',
      query: new URLSearchParams({
        entityRef: 'component:default/x',
        mine: 'true',
      }),
      headers: new Headers(),
      body: undefined,
      operation: op,
      pathParams: {},
    });
    expect(problems).toEqual([
      'query parameter mine is not declared for ListPromotions',
    ]);

    const create = operations.find(o => o.id === 'CreatePromotion')!;
    expect(
      contractViolations({
        method: 'POST',
        pathname: '/v1/promotions',
        query: new URLSearchParams(),
        headers: new Headers({ 'content-type': 'application/json' }),
        body: { entityRef: 'component:default/x', to: 'prod', force: true },
        operation: create,
        pathParams: {},
      }),
    ).toEqual([
      'body: misses required property from',
      'body: property force is not declared in the spec',
    ]);

    expect(
      route('POST', '/v1/entities/Component/default/x/rollout/promote'),
    ).toBeUndefined();
    expect(route('GET', '/v1/promotions/preview')?.op.id).toBe('GetPromotion');
    expect(route('POST', '/v1/promotions/preview')?.op.id).toBe(
      'PreviewPromotion',
    );
  });
});
