import express from 'express';
import type { Sandbox } from '../sandbox';

/** Where the Argo CD server serves the sandbox's Helm chart repository. */
export const HELM_REPOSITORY_PATH = '/helm-charts';

/**
 * A Helm chart repository over HTTP (helm.sh/docs/topics/chart_repository):
 * `GET /helm-charts/index.yaml` and `GET /helm-charts/<chart>-<version>.tgz`. Like most
 * chart repositories it needs no credentials, so Argo CD's repo server (or `helm repo
 * add`) reads it without the sandbox token.
 */
export function helmRepositoryRouter(sandbox: Sandbox): express.Router {
  const router = express.Router();
  router.get(`${HELM_REPOSITORY_PATH}/index.yaml`, (_req, res) => {
    res
      .type('application/x-yaml')
      .send(sandbox.chartRepository().indexYaml(new Date()));
  });
  router.get(`${HELM_REPOSITORY_PATH}/:file`, (req, res) => {
    const tarball = sandbox.chartRepository().tarball(req.params.file);
    if (!tarball) {
      res.status(404).type('text/plain').send('404 page not found\n');
      return;
    }
    res.type('application/gzip').send(tarball);
  });
  return router;
}
