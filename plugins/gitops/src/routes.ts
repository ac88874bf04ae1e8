import { createRouteRef } from '@backstage/core-plugin-api';

/** The Deployments tab of an entity. */
export const rootRouteRef = createRouteRef({ id: 'gitops' });

/** The fleet page: every service in every environment. */
export const fleetRouteRef = createRouteRef({ id: 'gitops-fleet' });
