import { parseAllDocuments } from 'yaml';
import { stableUid } from '../ids';
import { isPlainObject } from '../mergePatch';
import type { ApplicationManifest } from './applicationManifest';
import { sourcesOf, type ApplicationSource } from './applicationSources';
import {
  generateApplications,
  generatorNames,
  listParams,
  type ApplicationSetGenerator,
  type ApplicationSetManifest,
  type Generation,
} from './applicationSets';
import { pullRequestParams, type PullRequest } from './pullRequests';
import { parseServiceValues, type ServiceValues } from './serviceValues';
import {
  ComparisonError,
  renderSources,
  type SourceContext,
} from './sourceRendering';
import type { Params } from './templateRendering';

export type { ServiceValues, ProgressDeadline } from './serviceValues';
export type {
  ApplicationManifest,
  OwnerReference,
} from './applicationManifest';

/** One Application, its values and the revision of each of its sources, as of one poll. */
export interface DesiredApplication {
  manifest: ApplicationManifest;
  values: ServiceValues;
  /** Per source, in order: a commit sha (git) or a chart version (Helm repository). */
  revisions: string[];
}

/** An Application whose manifests could not be generated (Argo CD's ComparisonError). */
export interface FailedApplication {
  manifest: ApplicationManifest;
  message: string;
}

export interface DesiredApplicationSet {
  manifest: ApplicationSetManifest;
  uid: string;
  generation: Generation;
}

export interface DesiredState {
  revision: string;
  applications: DesiredApplication[];
  failures: FailedApplication[];
  applicationSets: DesiredApplicationSet[];
  /** Files that could not be used, with the reason; the sandbox logs them. */
  problems: string[];
}

export interface DesiredStateSources extends SourceContext {
  /** The pull requests a pullRequest generator lists (see pullRequests.ts). */
  pullRequests(
    generator: ApplicationSetGenerator['pullRequest'],
  ): Promise<PullRequest[]>;
}

/** The seed's placeholder repoURLs: the Helm repository, and the GitOps repository. */
const HELM_REPO_PLACEHOLDER = 'sandbox://helm-charts';
const SANDBOX_REPO_URL = /^sandbox:\/\//;
const ARGOCD_NAMESPACE = 'argocd';

/**
 * Reads what Argo CD would see: every Application and ApplicationSet in `argocd/*.yaml`
 * at the head of the GitOps repository's default branch (an app of apps), the
 * ApplicationSets expanded; then each Application's sources at their own
 * `targetRevision` (sourceRendering.ts).
 */
export async function readDesiredState(
  sources: DesiredStateSources,
): Promise<DesiredState> {
  const { gitops } = sources;
  const revision = await gitops.head();
  const problems: string[] = [];
  const manifests: ApplicationManifest[] = [];
  const applicationSets: DesiredApplicationSet[] = [];
  const files = [...(await gitops.listFiles(revision))]
    .filter(file => /^argocd\/[^/]+\.ya?ml$/.test(file))
    .sort();
  for (const file of files) {
    try {
      for (const document of parseDocuments(
        await gitops.readFile(revision, file),
      )) {
        if (document.kind === 'ApplicationSet') {
          const appSet = await expandApplicationSet(
            parseApplicationSet(document),
            sources,
          );
          applicationSets.push(appSet);
          manifests.push(...appSet.generation.applications);
        } else {
          manifests.push(parseApplication(document));
        }
      }
    } catch (error) {
      problems.push(
        `ignoring ${file} at ${revision.slice(0, 7)}: ${
          (error as Error).message
        }`,
      );
    }
  }
  const applications: DesiredApplication[] = [];
  const failures: FailedApplication[] = [];
  for (const manifest of manifests) {
    replacePlaceholders(manifest, gitops.repo.url, sources.helmRepoUrl);
    try {
      const rendered = await renderSources(manifest.spec, sources);
      applications.push({
        manifest,
        values: parseServiceValues(rendered.values),
        revisions: rendered.revisions,
      });
    } catch (error) {
      const message = (error as Error).message;
      failures.push({
        manifest,
        message:
          error instanceof ComparisonError
            ? message
            : `Failed to load target state: ${message}`,
      });
    }
  }
  return { revision, applications, failures, applicationSets, problems };
}

function parseDocuments(text: string): any[] {
  return parseAllDocuments(text)
    .map(document => {
      if (document.errors.length) throw new Error(document.errors[0].message);
      return document.toJS();
    })
    .filter(document => document !== null && document !== undefined);
}

function parseApplication(document: any): ApplicationManifest {
  if (
    document?.kind !== 'Application' ||
    document?.apiVersion !== 'argoproj.io/v1alpha1'
  ) {
    throw new Error(
      'not an argoproj.io/v1alpha1 Application or ApplicationSet',
    );
  }
  const { metadata, spec } = document;
  if (typeof metadata?.name !== 'string' || !isPlainObject(spec)) {
    throw new Error('metadata.name and spec are required');
  }
  if (!sourcesOf(spec).length) {
    throw new Error('spec.source or spec.sources is required');
  }
  return { metadata, spec } as ApplicationManifest;
}

function parseApplicationSet(document: any): ApplicationSetManifest {
  if (document.apiVersion !== 'argoproj.io/v1alpha1') {
    throw new Error('not an argoproj.io/v1alpha1 ApplicationSet');
  }
  const { metadata, spec } = document;
  if (
    typeof metadata?.name !== 'string' ||
    !Array.isArray(spec?.generators) ||
    !isPlainObject(spec?.template?.metadata) ||
    !isPlainObject(spec?.template?.spec)
  ) {
    throw new Error(
      'metadata.name, spec.generators and spec.template are required',
    );
  }
  return document as ApplicationSetManifest;
}

async function expandApplicationSet(
  manifest: ApplicationSetManifest,
  sources: DesiredStateSources,
): Promise<DesiredApplicationSet> {
  const namespace = manifest.metadata.namespace ?? ARGOCD_NAMESPACE;
  const uid = stableUid('ApplicationSet', namespace, manifest.metadata.name);
  const generation = await generateApplications(manifest, (generator, appSet) =>
    generatorParams(generator, appSet, sources),
  );
  for (const application of generation.applications) {
    application.metadata.ownerReferences = [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        name: manifest.metadata.name,
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  return { manifest, uid, generation };
}

async function generatorParams(
  generator: ApplicationSetGenerator,
  appSet: ApplicationSetManifest,
  sources: DesiredStateSources,
): Promise<Params[]> {
  const goTemplate = appSet.spec.goTemplate === true;
  if (generator.list) return listParams(generator.list, goTemplate);
  if (generator.pullRequest) {
    const pulls = await sources.pullRequests(generator.pullRequest);
    return pulls.map(pull => pullRequestParams(pull, goTemplate));
  }
  // generators.Transform finds no implementation for the entry
  throw new Error(
    `ApplicationSet ${
      appSet.metadata.name
    } contains unrecognized generators: ${generatorNames(generator).join(
      ', ',
    )}`,
  );
}

/** `sandbox://helm-charts` is the served Helm repository; any other `sandbox://` the GitOps repository. */
function replacePlaceholders(
  manifest: ApplicationManifest,
  gitopsUrl: string,
  helmUrl: string,
): void {
  sourcesOf(manifest.spec).forEach((source: ApplicationSource) => {
    if (source.repoURL === HELM_REPO_PLACEHOLDER) {
      source.repoURL = helmUrl;
    } else if (source.repoURL && SANDBOX_REPO_URL.test(source.repoURL)) {
      source.repoURL = gitopsUrl;
    }
  });
}
