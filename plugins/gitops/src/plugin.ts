import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { hasGitopsAnnotations } from '@internal/backstage-plugin-gitops-common';
import { GitopsClient, gitopsApiRef } from './api';
import { rootRouteRef } from './routes';

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
  routes: { root: rootRouteRef },
});

/** The entity Deployments tab, for `EntityLayout.Route`. @public */
export const EntityGitopsDeploymentsContent = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'EntityGitopsDeploymentsContent',
    component: () =>
      import('./components/DeploymentsContent').then(m => m.DeploymentsContent),
    mountPoint: rootRouteRef,
  }),
);

/** Whether the entity has what the Deployments tab needs, for `EntitySwitch`. @public */
export const isGitopsAvailable = (entity: Entity): boolean =>
  hasGitopsAnnotations(entity);
