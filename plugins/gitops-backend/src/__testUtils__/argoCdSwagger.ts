import fs from 'fs';
import path from 'path';

type Swagger = {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
};

const swagger: Swagger = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../fixtures/upstream/argocd-swagger.json'),
    'utf8',
  ),
);

/**
 * Checks a request against Argo CD's swagger: the path template must exist for the
 * method, and every query parameter must be declared for it. Returns the problems.
 */
export function checkAgainstArgoCdSwagger(method: string, url: URL): string[] {
  const candidates = Object.entries(swagger.paths).filter(([template, ops]) => {
    const pattern = new RegExp(
      `^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`,
    );
    return pattern.test(url.pathname) && ops[method.toLowerCase()];
  });
  if (!candidates.length) return [`${method} ${url.pathname} is not in the swagger`];
  // Prefer the most specific template (fewest parameters).
  const [, ops] = candidates.sort(
    (a, b) => (a[0].match(/\{/g)?.length ?? 0) - (b[0].match(/\{/g)?.length ?? 0),
  )[0];
  const declared = new Set(
    (ops[method.toLowerCase()].parameters ?? [])
      .filter(p => p.in === 'query')
      .map(p => p.name),
  );
  return [...new Set(url.searchParams.keys())]
    .filter(name => !declared.has(name))
    .map(name => `${method} ${url.pathname}: query parameter '${name}' is not in the swagger`);
}

/** An Application in Argo CD's wire format (fields as in v1alpha1Application). */
export function argoApplication(
  name: string,
  overrides: {
    labels?: Record<string, string>;
    namespace?: string;
    image?: string;
    revision?: string;
    health?: string;
    sync?: string;
    rollout?: { name: string; namespace: string };
    project?: string;
    resourceVersion?: string;
  } = {},
) {
  const revision = overrides.revision ?? 'a'.repeat(40);
  return {
    metadata: {
      name,
      namespace: 'argocd',
      labels: overrides.labels ?? {},
      uid: `uid-${name}`,
      resourceVersion: overrides.resourceVersion ?? '1',
      creationTimestamp: '2026-11-01T10:00:00Z',
    },
    spec: {
      project: overrides.project ?? 'default',
      source: { repoURL: 'https://git.example.com/gitops.git', path: `apps/${name}`, targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: overrides.namespace ?? name },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      sync: { status: overrides.sync ?? 'Synced', revision, comparedTo: { source: {}, destination: {} } },
      health: { status: overrides.health ?? 'Healthy' },
      summary: { images: [overrides.image ?? `ghcr.io/example/${name}:1.0.0`] },
      history: [
        { id: 1, revision: 'b'.repeat(40), deployedAt: '2026-11-01T10:00:00Z', deployStartedAt: '2026-11-01T09:59:50Z', source: {} },
        { id: 2, revision, deployedAt: '2026-11-02T10:00:00Z', deployStartedAt: '2026-11-02T09:59:50Z', source: {} },
      ],
      operationState: { phase: 'Succeeded', startedAt: '2026-11-02T09:59:50Z', finishedAt: '2026-11-02T10:00:00Z', operation: {}, syncResult: { revision } },
      reconciledAt: '2026-11-02T10:05:00Z',
      resources: overrides.rollout
        ? [
            { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', namespace: overrides.rollout.namespace, name: overrides.rollout.name, status: 'Synced', health: { status: overrides.health ?? 'Healthy' } },
            { version: 'v1', kind: 'Service', namespace: overrides.rollout.namespace, name: overrides.rollout.name, status: 'Synced' },
          ]
        : [],
    },
  };
}
