/**
 * An Application's sources, as pkg/apis/application/v1alpha1/types.go defines them:
 * `spec.source` or, for a multi-source Application, `spec.sources` (then the revision
 * fields of its status are the plural `revisions`, one per source, in order).
 */

/** `HelmParameter`: `--set` (or `--set-string` with forceString). */
export interface HelmParameter {
  name: string;
  value: string;
  forceString?: boolean;
}

/** `ApplicationSourceHelm`, the fields the sandbox renders. */
export interface ApplicationSourceHelm {
  valueFiles?: string[];
  parameters?: HelmParameter[];
  /** A YAML document; `valuesObject` wins when both are set (`ValuesYAML()`). */
  values?: string;
  valuesObject?: Record<string, unknown>;
  ignoreMissingValueFiles?: boolean;
  releaseName?: string;
  [key: string]: unknown;
}

export interface ApplicationSource {
  repoURL?: string;
  /** A git source: the folder rendered (here: its `values.yaml`). */
  path?: string;
  /** A Helm repository source: the chart, at the version `targetRevision`. */
  chart?: string;
  targetRevision?: string;
  /** Names this source for `$<ref>/...` value files of the other sources. */
  ref?: string;
  helm?: ApplicationSourceHelm;
  name?: string;
  [key: string]: unknown;
}

export interface SourcesSpec {
  source?: ApplicationSource;
  sources?: ApplicationSource[];
}

/** `Spec.HasMultipleSources()`: `sources` set and not empty. */
export function hasMultipleSources(spec: SourcesSpec): boolean {
  return (spec.sources?.length ?? 0) > 0;
}

/** `Spec.GetSources()`: every source, in order. */
export function sourcesOf(spec: SourcesSpec): ApplicationSource[] {
  if (hasMultipleSources(spec)) return spec.sources!;
  return spec.source ? [spec.source] : [];
}

/** `RefTarget`-only sources (a `ref` without chart or path) render nothing themselves. */
export function rendersManifests(source: ApplicationSource): boolean {
  return source.chart !== undefined || source.path !== undefined;
}

/**
 * The served fields for per-source values: `{source, revision}` for one source,
 * `{sources, revisions}` for several (as `SyncStatus`, `RevisionHistory` and
 * `SyncOperationResult` carry them).
 */
export function sourceFields(
  spec: SourcesSpec,
  revisions: string[],
):
  | { source: ApplicationSource; revision: string }
  | { sources: ApplicationSource[]; revisions: string[] } {
  return hasMultipleSources(spec)
    ? { sources: spec.sources!, revisions }
    : { source: spec.source!, revision: revisions[0] };
}
