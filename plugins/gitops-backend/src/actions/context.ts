import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { EntityFindings } from '../findings/EntityFindings';
import { deploymentOperations } from '../service/deploymentRoutes';
import { promotionOperations } from '../service/promotionRoutes';
import type { RouteContext } from '../service/routeContext';

/** What the action modules are registered with: the registry, and what the REST routes run on. */
export interface GitopsActionsContext {
  actionsRegistry: ActionsRegistryService;
  /** The routes' context: entity permission checks, and audit (`auditedAs`). */
  context: RouteContext;
  deployments: ReturnType<typeof deploymentOperations>;
  promotions: ReturnType<typeof promotionOperations>;
  findings: EntityFindings;
}
