import type { Request } from 'express';

/**
 * Query parameters of one route, restricted to the ones it declares. Reading an
 * undeclared parameter is a programming error: the declared lists are what the
 * swagger conformance test checks, so they must be all a handler can read.
 */
export class QueryParams {
  constructor(
    private readonly query: Request['query'],
    private readonly declared: readonly string[],
  ) {}

  one(name: string): string | undefined {
    return this.all(name)[0];
  }

  /** Every value of a repeatable parameter (`projects=a&projects=b`). */
  all(name: string): string[] {
    if (!this.declared.includes(name)) {
      throw new Error(
        `query parameter "${name}" is not declared for this route`,
      );
    }
    const raw = this.query[name];
    const values = Array.isArray(raw) ? raw : [raw];
    return values.filter((value): value is string => typeof value === 'string');
  }
}
