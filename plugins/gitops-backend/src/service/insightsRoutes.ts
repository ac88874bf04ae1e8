import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import { parseInsightPeriod, type InsightsService } from '../insights/InsightsService';
import { readableFleetEntities } from './deploymentRoutes';
import type { RouteContext } from './routeContext';
import type { GitopsApiRouter } from './routeTypes';

export interface InsightsRouteOptions {
  catalog: CatalogService;
  insights: InsightsService;
}

/**
 * Delivery insights (DORA): one entity's measures per environment, or, without
 * `entityRef`, the fleet's by owner and system, over the entities the caller may read.
 */
export function registerInsightsRoutes(router: GitopsApiRouter, context: RouteContext, options: InsightsRouteOptions) {
  const { httpAuth, readableEntity, readableRefs } = context;
  const { catalog, insights } = options;

  router.get('/v1/insights', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const days = parseInsightPeriod(req.query.days);
    const environment = req.query.environment || undefined;
    if (req.query.entityRef !== undefined) {
      if (!req.query.entityRef) throw new InputError('entityRef: must not be empty');
      const entity = await readableEntity(req.query.entityRef, credentials, 'read the delivery insights of');
      res.json(await insights.entity(entity, { days, environment }));
      return;
    }
    const entities = await readableFleetEntities({ catalog, readableRefs }, credentials);
    res.json(await insights.fleet({ days, environment }, entities));
  });
}
