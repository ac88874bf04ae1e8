import { ResponseError } from '@backstage/errors';

/** The backend's own message ("You requested this promotion: ...") rather than "Request failed with 403". */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) return error.body?.error?.message ?? error.message;
  return error instanceof Error ? error.message : String(error);
}
