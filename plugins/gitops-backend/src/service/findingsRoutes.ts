import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { EntityFindings } from '../findings/EntityFindings';
import type { ScanStore } from '../findings/ScanStore';
import { parseScanReport } from '../findings/parseScanReport';
import { summarizeVulnerabilities } from '../findings/vulnerabilities';
import type { AuthorizedEntity, GitopsApiRouter } from './routeTypes';

export interface FindingsRouteOptions {
  httpAuth: HttpAuthService;
  authorizedEntity: AuthorizedEntity;
  findings: EntityFindings;
  scans: ScanStore;
}

/**
 * Findings per environment (vulnerabilities, policy results, exposed secrets, configuration
 * audits), and CI scan uploads (Trivy or Grype JSON).
 */
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

  router.get('/v1/entities/:kind/:namespace/:name/exposed-secrets', async (req, res) => {
    const entity = await authorizedEntity(req, 'read the exposed secrets of');
    res.json(await findings.exposedSecretList(entity, req.query.environment));
  });

  router.get('/v1/entities/:kind/:namespace/:name/config-audits', async (req, res) => {
    const entity = await authorizedEntity(req, 'read the configuration audits of');
    res.json(await findings.configAuditList(entity, req.query.environment));
  });

  router.post('/v1/scans', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    // Parsed whole before anything is stored: a bad report stores nothing.
    const scan = parseScanReport(req.body);
    await scans.addScan({
      image: scan.image,
      digest: scan.digest,
      scannedAt: new Date(),
      findings: scan.findings,
      uploadedBy: credentials.principal.subject,
    });
    res.status(201).json({
      image: scan.image,
      digest: scan.digest,
      format: scan.format,
      findings: scan.findings.length,
      // Counted as an environment's summary is, so CI sees what a gate will see.
      summary: summarizeVulnerabilities(scan.findings),
    });
  });
}
