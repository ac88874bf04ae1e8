import path from 'node:path';
import { parse } from 'yaml';
import type { RepoSnapshot } from '../git/repoSnapshot';
import type { ChartRepository } from '../helm/chartRepository';
import { mergeValues, setValue, type Values } from '../helm/helmValues';
import { isPlainObject } from '../mergePatch';
import {
  rendersManifests,
  sourcesOf,
  type ApplicationSource,
  type SourcesSpec,
} from './applicationSources';

/** What Applications' sources are read from during one poll. */
export interface SourceContext {
  /** The GitOps repository: every git source reads it. */
  gitops: RepoSnapshot;
  charts: ChartRepository;
  /** The URL the sandbox serves its Helm repository at. */
  helmRepoUrl: string;
}

/**
 * Manifests could not be generated: Argo CD's `ComparisonError` condition, worded as
 * controller/state.go words it ("Failed to load target state: failed to generate
 * manifest for source 1 of 1: rpc error: code = Unknown desc = ...").
 */
export class ComparisonError extends Error {}

export interface RenderedSources {
  /** The values the chart renders with, after Helm's overrides. */
  values: Values;
  /** Per source: the commit sha (git) or the chart version (Helm repository). */
  revisions: string[];
}

/** Resolves every source's revision, then computes the rendering source's values. */
export async function renderSources(
  spec: SourcesSpec,
  context: SourceContext,
): Promise<RenderedSources> {
  const sources = sourcesOf(spec);
  if (!sources.length) {
    throw new ComparisonError('spec.source or spec.sources is required');
  }
  const revisions: string[] = [];
  for (const [i, source] of sources.entries()) {
    revisions.push(
      await forSource(i, sources.length, () => resolveSource(source, context)),
    );
  }
  const index = sources.findIndex(rendersManifests);
  if (index < 0) {
    throw new ComparisonError('no source has a chart or a path to render');
  }
  const values = await forSource(index, sources.length, () =>
    sourceValues(index, sources, revisions, context),
  );
  return { values, revisions };
}

/** Wraps a source's failure as the controller and the repo server report it. */
async function forSource<T>(
  index: number,
  count: number,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new ComparisonError(
      `Failed to load target state: failed to generate manifest for source ${
        index + 1
      } of ${count}: rpc error: code = Unknown desc = ${
        (error as Error).message
      }`,
    );
  }
}

function isChartSource(source: ApplicationSource): boolean {
  return source.chart !== undefined;
}

/** A git source's commit sha, or a chart source's version. */
async function resolveSource(
  source: ApplicationSource,
  context: SourceContext,
): Promise<string> {
  if (!isChartSource(source)) {
    return context.gitops.resolve(source.targetRevision);
  }
  if (source.repoURL !== context.helmRepoUrl) {
    throw new Error(`failed to get index: 404 Not Found (${source.repoURL})`);
  }
  const chart = source.chart!;
  const version = source.targetRevision ?? '';
  if (!context.charts.has(chart)) {
    // util/helm/index.go
    throw new Error(`chart '${chart}' not found in index`);
  }
  if (!context.charts.find(chart, version)) {
    // what `helm pull` answers for a version the index does not list
    throw new Error(
      `error fetching chart: Error: chart "${chart}" version "${version}" not found in ${source.repoURL} repository`,
    );
  }
  return version;
}

/**
 * Helm's precedence (util/helm/cmd.go `template`): the chart's values.yaml, then each
 * `valueFiles` entry in order, then `values`/`valuesObject`, then `parameters`.
 */
async function sourceValues(
  index: number,
  sources: ApplicationSource[],
  revisions: string[],
  context: SourceContext,
): Promise<Values> {
  const source = sources[index];
  const revision = revisions[index];
  const helm = source.helm ?? {};
  let values = await baseValues(source, revision, context);
  for (const file of helm.valueFiles ?? []) {
    const text = await valueFile(file, index, sources, revisions, context);
    if (text === undefined && !helm.ignoreMissingValueFiles) {
      throw new Error(`Error: open ${file}: no such file or directory`);
    }
    values = mergeValues(values, parseValuesDocument(text ?? '', file));
  }
  const inline =
    helm.valuesObject ?? parseValuesDocument(helm.values ?? '', 'helm.values');
  values = mergeValues(values, inline);
  for (const parameter of helm.parameters ?? []) {
    values = setValue(
      values,
      parameter.name,
      String(parameter.value),
      parameter.forceString,
    );
  }
  return values;
}

async function baseValues(
  source: ApplicationSource,
  revision: string,
  context: SourceContext,
): Promise<Values> {
  if (isChartSource(source)) {
    const chart = context.charts.find(source.chart!, revision)!;
    return parseValuesDocument(chart.valuesYaml, `${chart.name}/values.yaml`);
  }
  const dir = (source.path ?? '').replace(/\/$/, '');
  const appPath = dir === '' || dir === '.' ? '' : dir;
  if (appPath && !(await context.gitops.hasDirectory(revision, appPath))) {
    // reposerver: argopath.ErrMessageAppPathDoesNotExist
    throw new Error(`${appPath}: app path does not exist`);
  }
  const file = appPath ? `${appPath}/values.yaml` : 'values.yaml';
  if (!(await context.gitops.hasFile(revision, file))) return {};
  return parseValuesDocument(
    await context.gitops.readFile(revision, file),
    file,
  );
}

/**
 * A value file's content, or undefined when it does not exist. `$<ref>/<path>` reads
 * the source whose `ref` is `<ref>` at its revision (reposerver/repository.go
 * `getResolvedValueFiles`); a plain path is relative to the chart (a chart source
 * only has its values.yaml) or to the git source's path.
 */
async function valueFile(
  file: string,
  index: number,
  sources: ApplicationSource[],
  revisions: string[],
  context: SourceContext,
): Promise<string | undefined> {
  const source = sources[index];
  if (file.startsWith('$')) {
    const [refName, ...rest] = file.split('/');
    const refIndex = sources.findIndex(s => `$${s.ref}` === refName);
    if (refIndex >= 0 && !isChartSource(sources[refIndex])) {
      return readGitFile(revisions[refIndex], rest.join('/'), context);
    }
  }
  if (isChartSource(source)) {
    const chart = context.charts.find(source.chart!, revisions[index])!;
    return path.posix.normalize(file) === 'values.yaml'
      ? chart.valuesYaml
      : undefined;
  }
  const joined = path.posix.join(source.path ?? '', file);
  return readGitFile(revisions[index], joined, context);
}

async function readGitFile(
  revision: string,
  file: string,
  context: SourceContext,
): Promise<string | undefined> {
  const normalized = path.posix.normalize(file);
  return (await context.gitops.hasFile(revision, normalized))
    ? context.gitops.readFile(revision, normalized)
    : undefined;
}

function parseValuesDocument(text: string, file: string): Values {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`failed to parse ${file}: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document)) throw new Error(`${file} must be a mapping`);
  return document as Values;
}
