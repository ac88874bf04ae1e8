import type { AuditorService, HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import type { EntityFindings } from '../findings/EntityFindings';
import type { ScanStore } from '../findings/ScanStore';
import { spec } from '../schema/openapi.generated';
import { registerDeploymentRoutes, type DeploymentRouteOptions } from './deploymentRoutes';
import { registerFindingsRoutes } from './findingsRoutes';
import { registerInsightsRoutes, type InsightsRouteOptions } from './insightsRoutes';
import { registerPromotionRoutes, type PromotionRouteOptions } from './promotionRoutes';
import { createRouteContext } from './routeContext';

/** Uploaded Trivy reports can be large; everything else is small. */
const BODY_LIMIT = '10mb';

export type RouterOptions = DeploymentRouteOptions &
  PromotionRouteOptions &
  InsightsRouteOptions & {
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    catalog: CatalogService;
    auditor: AuditorService;
    findings: EntityFindings;
    scans: ScanStore;
  };

/** The `gitops` REST API, validated against its OpenAPI spec: route modules on one shared context. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const router = createValidatedOpenApiRouter(spec, {
    middleware: [express.json({ limit: BODY_LIMIT })],
  });
  const context = createRouteContext(options);
  registerDeploymentRoutes(router, context, options);
  registerFindingsRoutes(router, {
    httpAuth: context.httpAuth,
    authorizedEntity: context.authorizedEntity,
    findings: options.findings,
    scans: options.scans,
  });
  registerPromotionRoutes(router, context, options);
  registerInsightsRoutes(router, context, options);
  return router;
}
