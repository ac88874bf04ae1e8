import { createRouteRef } from '@backstage/core-plugin-api';

/** The Deployments tab of an entity. */
export const rootRouteRef = createRouteRef({ id: 'gitops' });
