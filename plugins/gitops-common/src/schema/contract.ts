/*
 * The API types of this package held to the OpenAPI spec (plugins/gitops-backend/
 * src/schema/openapi.yaml, the router is built from it): each pair must be the same
 * type both ways, so a field added, removed, renamed or made optional on one side
 * only fails the typecheck. The spec's types are generated (openapi.generated.ts).
 * Not exported from the package: it exists for `tsc`.
 */
import type {
  ConfigAuditsResponse,
  DeploymentsResponse,
  EnvironmentsResponse,
  ExposedSecretsResponse,
  FindingOccurrence,
  InsightsResponse,
  PoliciesResponse,
  SourceError,
  VulnerabilitiesResponse,
} from '../api';
import type { FleetResponse } from '../fleet';
import type {
  CreatePromotionRequest,
  CreateRollbackRequest,
  GateResult,
  Promotion,
  PromotionPreview,
  RollbackCandidate,
  SourceChanges,
} from '../promotions';
import type { components, operations } from './openapi.generated';

type Schemas = components['schemas'];
type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type RequestBody<Op extends keyof operations> = JsonBody<operations[Op]['requestBody']>;
type Ok<Op extends keyof operations> = operations[Op]['responses'] extends {
  200: infer R;
}
  ? JsonBody<R>
  : never;

/** true when A and B are assignable both ways; else says which way fails. */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : 'the spec allows what the TypeScript type does not'
  : 'the TypeScript type allows what the spec does not';
/** For the spec's deliberately open shapes (`additionalProperties: true`). */
type Fits<A, B> = [A] extends [B] ? true : 'the TypeScript type does not fit the spec';
type Holds<T extends true> = T;

export type Contract = [
  Holds<Same<DeploymentsResponse, Schemas['DeploymentsResponse']>>,
  Holds<Same<EnvironmentsResponse, Schemas['EnvironmentsResponse']>>,
  Holds<Same<VulnerabilitiesResponse, Schemas['VulnerabilitiesResponse']>>,
  Holds<Same<FindingOccurrence, Schemas['FindingOccurrence']>>,
  Holds<Same<ExposedSecretsResponse, Schemas['ExposedSecretsResponse']>>,
  Holds<Same<ConfigAuditsResponse, Schemas['ConfigAuditsResponse']>>,
  Holds<Same<PoliciesResponse, Schemas['PoliciesResponse']>>,
  Holds<Same<SourceError, Schemas['SourceError']>>,
  Holds<Same<Promotion, Schemas['Promotion']>>,
  Holds<Same<PromotionPreview, Schemas['PromotionPreview']>>,
  Holds<Same<SourceChanges, Schemas['SourceChanges']>>,
  Holds<Same<GateResult, Schemas['GateResult']>>,
  Holds<Same<CreatePromotionRequest, Schemas['CreatePromotionRequest']>>,
  Holds<Same<CreateRollbackRequest, RequestBody<'CreateRollback'>>>,
  Holds<Same<RollbackCandidate[], Ok<'GetRollbackCandidates'>['items']>>,
  Holds<Fits<FleetResponse, Ok<'GetFleet'>>>,
  Holds<Same<InsightsResponse, Schemas['InsightsResponse']>>,
  Holds<Same<InsightsResponse, Ok<'GetInsights'>>>,
];
