import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { EntityFindings } from '../findings/EntityFindings';
import type { ScanStore } from '../findings/ScanStore';
import { parseScanReport } from '../findings/parseScanReport';
import { summarizeVulnerabilities } from '../findings/vulnerabilities';
import type { AuthorizedEntity, GitopsApiRouter } from './routeTypes';

/** The kinds of findings of an environment, each with the verb of its 403. */
export const FINDINGS_KINDS = {
  vulnerabilities: { verb: 'read the vulnerabilities of' },
  policies: { verb: 'read the policy results of' },
  'exposed-secrets': { verb: 'read the exposed secrets of' },
  'config-audits': { verb: 'read the configuration audits of' },
} as const;

/** One of {@link FINDINGS_KINDS}. */
export type FindingsKind = keyof typeof FINDINGS_KINDS;

/** The findings of one kind in one environment of an entity, as its route serves them. */
export function environmentFindings(findings: EntityFindings, kind: FindingsKind, entity: Entity, environment: string) {
  if (kind === 'vulnerabilities') return findings.vulnerabilityList(entity, environment);
  if (kind === 'policies') return findings.policyList(entity, environment);
  if (kind === 'exposed-secrets') return findings.exposedSecretList(entity, environment);
  return findings.configAuditList(entity, environment);
}

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

  // Each route serves one kind of findings, as the `list-environment-findings` action does.
  router.get('/v1/entities/:kind/:namespace/:name/vulnerabilities', async (req, res) => {
    const entity = await authorizedEntity(req, FINDINGS_KINDS.vulnerabilities.verb);
    res.json(await findings.vulnerabilityList(entity, req.query.environment));
  });

  router.get('/v1/entities/:kind/:namespace/:name/policies', async (req, res) => {
    const entity = await authorizedEntity(req, FINDINGS_KINDS.policies.verb);
    res.json(await findings.policyList(entity, req.query.environment));
  });

  router.get('/v1/entities/:kind/:namespace/:name/exposed-secrets', async (req, res) => {
    const entity = await authorizedEntity(req, FINDINGS_KINDS['exposed-secrets'].verb);
    res.json(await findings.exposedSecretList(entity, req.query.environment));
  });

  router.get('/v1/entities/:kind/:namespace/:name/config-audits', async (req, res) => {
    const entity = await authorizedEntity(req, FINDINGS_KINDS['config-audits'].verb);
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
