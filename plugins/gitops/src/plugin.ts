import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { JSX } from 'react';
import { hasGitopsAnnotations } from '@gitops-suite/backstage-plugin-gitops-common';
import { GitopsClient, gitopsApiRef } from './api';
import { fleetRouteRef, rootRouteRef } from './routes';

/** The GitOps plugin for the legacy frontend system. @public */
export const gitopsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GitopsClient(deps),
    }),
  ],
  routes: { root: rootRouteRef, fleet: fleetRouteRef },
});

/** The entity Deployments tab, for `EntityLayout.Route`. @public */
export const EntityGitopsDeploymentsContent: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'EntityGitopsDeploymentsContent',
    component: () =>
      import('./components/DeploymentsContent').then(m => m.DeploymentsContent),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The entity overview card: every environment at a glance (version, sync, health,
 * rollout in flight, promote), for the overview `Grid` inside
 * `<EntitySwitch.Case if={isGitopsAvailable}>`. @public
 */
export const EntityGitopsDeploymentsCard: () => JSX.Element = gitopsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitopsDeploymentsCard',
    component: {
      lazy: () =>
        import('./components/DeploymentsCard').then(m => m.DeploymentsCard),
    },
  }),
);

/** The fleet page, for a `<Route path="/gitops/fleet">` of the app. @public */
export const GitopsFleetPage: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'GitopsFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: fleetRouteRef,
  }),
);

/** Whether the entity has what the Deployments tab and card need, for `EntitySwitch`. @public */
export const isGitopsAvailable = (entity: Entity): boolean =>
  hasGitopsAnnotations(entity);
