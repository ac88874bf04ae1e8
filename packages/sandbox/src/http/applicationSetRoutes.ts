import type { Sandbox } from '../sandbox';
import { notFound, type ArgoCdRoute, type RouteRequest } from './argocdRoute';
import { LabelSelector } from '@gitops-suite/backstage-plugin-gitops-common';

/**
 * `ApplicationSetService` (server/applicationset/applicationset.go): `List`, filtered
 * by `selector`, `appsetNamespace` and `projects` (argo.FilterAppSetsByProjects: the
 * template's `spec.project`), sorted by name; and `Get`.
 */
export const applicationSetRoutes: ArgoCdRoute[] = [
  {
    method: 'get',
    path: '/api/v1/applicationsets',
    query: ['projects', 'selector', 'appsetNamespace'],
    handle: listApplicationSets,
  },
  {
    method: 'get',
    path: '/api/v1/applicationsets/:name',
    query: ['appsetNamespace'],
    handle: getApplicationSet,
  },
];

function listApplicationSets(sandbox: Sandbox, { query }: RouteRequest) {
  const selector = LabelSelector.parse(query.one('selector') ?? '');
  const projects = query.all('projects');
  const namespace = query.one('appsetNamespace');
  const items = sandbox
    .applicationSets()
    .filter(
      appSet =>
        selector.matches(appSet.metadata.labels) &&
        (!namespace || appSet.metadata.namespace === namespace) &&
        (!projects.length ||
          projects.includes(appSet.spec.template?.spec?.project || 'default')),
    );
  return { metadata: { resourceVersion: sandbox.resourceVersion() }, items };
}

function getApplicationSet(sandbox: Sandbox, { params, query }: RouteRequest) {
  const appSet = sandbox.applicationSet(params.name);
  const namespace = query.one('appsetNamespace') || 'argocd';
  if (!appSet || appSet.metadata.namespace !== namespace) {
    throw notFound(`applicationsets.argoproj.io "${params.name}" not found`);
  }
  return appSet;
}
