import type { Request, Response } from 'express';
import type { Sandbox } from '../sandbox';
import type { QueryParams } from './queryParams';

/** An Argo CD API error: HTTP status plus the gRPC code Argo CD puts in the body. */
export class ArgoCdApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) =>
  new ArgoCdApiError(404, 5, message);
export const invalidArgument = (message: string) =>
  new ArgoCdApiError(400, 3, message);
export const failedPrecondition = (message: string) =>
  new ArgoCdApiError(400, 9, message);

export interface RouteRequest {
  params: Record<string, string>;
  query: QueryParams;
  body: unknown;
  req: Request;
  res: Response;
}

export interface ArgoCdRoute {
  method: 'get' | 'post' | 'delete';
  /** Express path; a `:param` is the swagger's `{param}`. */
  path: string;
  /** The query parameters the handler reads; a test checks each against the swagger. */
  query: readonly string[];
  /** Returns the JSON response, or undefined when it wrote the response itself. */
  handle(sandbox: Sandbox, request: RouteRequest): unknown;
}
