import type { ArgoApplication, ArgoApplicationSource } from '../../argocd/types';

/** One source of an application, with its index in `spec.sources` (undefined for `spec.source`). */
export type IndexedSource = { source: ArgoApplicationSource; index?: number };

/** Every source of the application: `spec.source`, or each of `spec.sources`. */
export function sourcesOf(application: ArgoApplication): IndexedSource[] {
  const { source, sources } = application.spec ?? {};
  if (source) return [{ source }];
  return (sources ?? []).map((s, index) => ({ source: s, index }));
}

/** The source that holds the workload: the chart, else the path (not a `ref`-only source of value files). */
export function workloadSource(application: ArgoApplication): IndexedSource | undefined {
  const all = sourcesOf(application);
  return all.find(s => s.source.chart || s.source.path !== undefined) ?? all[0];
}

/** The path of a field of a source in the Application manifest: `spec.source.x` or `spec.sources[i].x`. */
export function sourceFieldPath(index: number | undefined, ...field: string[]): string[] {
  return index === undefined ? ['spec', 'source', ...field] : ['spec', 'sources', String(index), ...field];
}

/** How a path is shown: `spec.sources[1].targetRevision`. */
export function formatPath(path: string[]): string {
  return path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
}

/** The branch a `targetRevision` follows when it names one: `HEAD` and empty are the default branch. */
export function branchOf(targetRevision?: string): string {
  return !targetRevision || targetRevision === 'HEAD' ? 'main' : targetRevision;
}

/**
 * A Helm value file of another source (`$values/apps/x/values.yaml`) split into the
 * `ref` source that holds it and the path in it; undefined for a file of the same source.
 */
export function referencedValueFile(
  application: ArgoApplication,
  valueFile: string,
): { source: IndexedSource; file: string } | undefined {
  const match = /^\$([A-Za-z0-9_-]+)\/(.+)$/.exec(valueFile);
  if (!match) return undefined;
  const source = sourcesOf(application).find(s => s.source.ref === match[1]);
  return source && { source, file: match[2] };
}
