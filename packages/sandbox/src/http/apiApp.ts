import express, { type Response } from 'express';
import { requireBearerToken } from './auth';

/**
 * The frame both sandbox APIs share: an unauthenticated `/healthz`, then the bearer
 * token on everything else, answered with the API's own 401 (`reject`); `open` routes
 * go before the token check.
 */
export function createApiApp(
  token: string,
  reject: (res: Response) => void,
  open?: express.Router,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  // Routes that need no token (the Helm repository).
  if (open) app.use(open);
  app.use(requireBearerToken(token, reject));
  return app;
}
