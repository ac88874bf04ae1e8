import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { hasGitopsAnnotations } from '@gitops-suite/backstage-plugin-gitops-common';
import { GitopsClient, gitopsApiRef } from './api';
import { fleetRouteRef, rootRouteRef } from './routes';
import DashboardIcon from '@material-ui/icons/Dashboard';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';

/** The API client, for the new frontend system. @alpha */
export const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GitopsClient(deps),
    }),
});

/** The entity Deployments tab, shown on entities with Argo CD or Kubernetes annotations. @alpha */
export const gitopsDeploymentsEntityContent = EntityContentBlueprint.make({
  name: 'deployments',
  params: {
    path: 'deployments',
    title: 'Deployments',
    routeRef: convertLegacyRouteRef(rootRouteRef),
    filter: hasGitopsAnnotations,
    loader: () =>
      import('./components/DeploymentsContent').then(m => <m.DeploymentsContent />),
  },
});

/**
 * The overview card: every environment at a glance, on the same entities as the tab.
 * A `content` card (the overview's main column); enabled by default. @alpha
 */
export const gitopsDeploymentsEntityCard = EntityCardBlueprint.make({
  name: 'deployments',
  params: {
    type: 'content',
    filter: hasGitopsAnnotations,
    loader: () =>
      import('./components/DeploymentsCard').then(m => <m.DeploymentsCard />),
  },
});

/** The fleet page at `/gitops/fleet`: every service in every environment. @alpha */
export const gitopsFleetPage = PageBlueprint.make({
  name: 'fleet',
  params: {
    path: '/gitops/fleet',
    title: 'Deployments',
    icon: <DashboardIcon />,
    routeRef: convertLegacyRouteRef(fleetRouteRef),
    loader: () => import('./components/FleetPage').then(m => <m.FleetPage />),
  },
});

/** The GitOps plugin for the new frontend system. @alpha */
export default createFrontendPlugin({
  pluginId: 'gitops',
  extensions: [gitopsApi, gitopsDeploymentsEntityContent, gitopsDeploymentsEntityCard, gitopsFleetPage],
});
