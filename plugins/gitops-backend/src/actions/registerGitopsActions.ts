import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { deploymentOperations } from '../service/deploymentRoutes';
import { promotionOperations } from '../service/promotionRoutes';
import { createRouteContext } from '../service/routeContext';
import type { RouterOptions } from '../service/router';
import type { GitopsActionsContext } from './context';
import { registerDeploymentActions } from './deploymentActions';
import { registerPromotionActions } from './promotionActions';
import { registerRolloutActions } from './rolloutActions';

/**
 * Registers the suite's actions in Backstage's actions registry (served to AI agents over
 * MCP by the mcp-actions backend). They run on what the REST routes run on, so the same
 * permission checks, for the credentials an action is called with, and the same audit.
 */
export function registerGitopsActions(actionsRegistry: ActionsRegistryService, options: RouterOptions) {
  const context = createRouteContext(options);
  const actions: GitopsActionsContext = {
    actionsRegistry,
    context,
    deployments: deploymentOperations(context, options),
    promotions: promotionOperations(context, options),
    findings: options.findings,
  };
  registerDeploymentActions(actions);
  registerPromotionActions(actions);
  registerRolloutActions(actions);
}
