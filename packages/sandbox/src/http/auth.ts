import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/**
 * Requires `Authorization: Bearer <token>` on every request, like an Argo CD account
 * token or a Kubernetes service account token; `reject` writes the API's own 401.
 */
export function requireBearerToken(
  token: string,
  reject: (res: Response) => void,
): RequestHandler {
  const expected = Buffer.from(token);
  return (req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.header('authorization') ?? '');
    const given = Buffer.from(match?.[1].trim() ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      next();
    } else {
      reject(res);
    }
  };
}
