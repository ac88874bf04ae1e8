import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { EntityFindings } from '../findings/EntityFindings';
import type { ScanStore } from '../findings/ScanStore';
import { parseTrivyJson } from '../findings/trivyJson';
import type { AuthorizedEntity, GitopsApiRouter } from './routeTypes';

export interface FindingsRouteOptions {
  httpAuth: HttpAuthService;
  authorizedEntity: AuthorizedEntity;
  findings: EntityFindings;
  scans: ScanStore;
}

/** Vulnerability and policy lists per environment, and CI scan uploads. */
export function registerFindingsRoutes(router: GitopsApiRouter, options: FindingsRouteOptions) {
  const { httpAuth, authorizedEntity, findings, scans } = options;

  router.get('/v1/entities/:kind/:namespace/:name/vulnerabilities', async (req, res) => {
    const entity = await authorizedEntity(req, 'read the vulnerabilities of');
    res.json(await findings.vulnerabilityList(entity, req.query.environment));
  });

  router.get('/v1/entities/:kind/:namespace/:name/policies', async (req, res) => {
    const entity = await authorizedEntity(req, 'read the policy results of');
    res.json(await findings.policyList(entity, req.query.environment));
  });

  router.post('/v1/scans', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const scan = parseTrivyJson(req.body);
    await scans.addScan({
      image: scan.image,
      digest: scan.digest,
      scannedAt: new Date(),
      findings: scan.findings,
      uploadedBy: credentials.principal.subject,
    });
    res.status(201).json({ image: scan.image, digest: scan.digest, findings: scan.findings.length });
  });
}
