import path from 'path';
import { Document, isMap, isPair, isScalar, type Node } from 'yaml';
import type { ApplicationSetElement } from '../gitops/applicationSet';

/** Requests and limits of the service's container, in Kubernetes quantities. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Everything needed to write a service into a GitOps repository. */
export interface ServiceSpec {
  service: string;
  environments: string[];
  imageRepository: string;
  imageTag: string;
  replicas: Record<string, number>;
  resources: Resources;
  strategy: 'canary' | 'blueGreen';
  /** Environments whose Kyverno policies block (Enforce) instead of report (Audit). */
  enforcePoliciesIn: string[];
  /** Environments where a person promotes each rollout (a `pause: {}` step, no auto-promotion). */
  manualPromotionIn: string[];
  repoUrl: string;
  branch: string;
  project: string;
  argocdNamespace: string;
  destinationServer: string;
  valuesPathTemplate: string;
  applicationPathTemplate: string;
}

export interface ServiceFile {
  path: string;
  content: string;
}

/** `{service}` and `{environment}` filled in; validated by the caller. */
export function expandPath(template: string, service: string, environment: string): string {
  return template.replace(/\{service\}/g, service).replace(/\{environment\}/g, environment);
}

/**
 * The files of one service in every environment: `values.yaml` (what the chart and the
 * sandbox read: image, replicas, resources, rollout, policies) and its Argo CD
 * Application, in the layout of examples/gitops-repo.
 */
export function renderServiceFiles(spec: ServiceSpec): ServiceFile[] {
  return spec.environments.flatMap(environment => {
    const valuesPath = expandPath(spec.valuesPathTemplate, spec.service, environment);
    return [
      { path: valuesPath, content: renderValues(spec, environment) },
      {
        path: expandPath(spec.applicationPathTemplate, spec.service, environment),
        content: renderApplication(spec, environment, path.posix.dirname(valuesPath)),
      },
    ];
  });
}

/** Only the values files: where an ApplicationSet, not one Application each, deploys them. */
export function renderValuesFiles(spec: ServiceSpec): ServiceFile[] {
  return spec.environments.map(environment => ({
    path: expandPath(spec.valuesPathTemplate, spec.service, environment),
    content: renderValues(spec, environment),
  }));
}

/**
 * The service's elements for an ApplicationSet's list generator, one per environment:
 * what its template needs to build the Application renderServiceFiles would write.
 */
export function applicationSetElements(spec: ServiceSpec): ApplicationSetElement[] {
  return spec.environments.map(environment => ({
    service: spec.service,
    environment,
    path: path.posix.dirname(expandPath(spec.valuesPathTemplate, spec.service, environment)),
    namespace: `${spec.service}-${environment}`,
  }));
}

function rolloutValues(spec: ServiceSpec, environment: string) {
  const manual = spec.manualPromotionIn.includes(environment);
  if (spec.strategy === 'blueGreen') {
    return { strategy: 'blueGreen', blueGreen: { autoPromotionEnabled: !manual } };
  }
  // Timed pauses let the analysis judge each step; where a person must decide,
  // the first step waits for them (promoted from the Deployments tab).
  const firstPause = manual ? {} : { duration: '30s' };
  return {
    strategy: 'canary',
    canary: {
      steps: [
        { setWeight: 20 },
        { pause: firstPause },
        { setWeight: 50 },
        { pause: { duration: '30s' } },
        { setWeight: 80 },
        { pause: { duration: '30s' } },
      ],
    },
  };
}

function renderValues(spec: ServiceSpec, environment: string): string {
  const doc = new Document({
    image: { repository: spec.imageRepository, tag: spec.imageTag },
    replicas: spec.replicas[environment],
    resources: spec.resources,
    rollout: rolloutValues(spec, environment),
    policies: {
      failureAction: spec.enforcePoliciesIn.includes(environment) ? 'Enforce' : 'Audit',
    },
  });
  doc.commentBefore = ` ${spec.service} in ${environment} (written by gitops:service:register)`;
  const image = doc.get('image', true);
  const tagPair = isMap(image) ? image.items.find(p => isScalar(p.key) && p.key.value === 'tag') : undefined;
  if (isPair(tagPair) && isScalar(tagPair.value) && isScalar(tagPair.key)) {
    // Quoted so a tag like 1.10 stays a string; CI and promotions edit only this value.
    tagPair.value.type = 'QUOTE_DOUBLE';
    tagPair.key.commentBefore = ' the deployed version: CI bumps dev, promotions bump staging and prod';
  }
  // Short maps in flow style, as people write them in the seed repository.
  const flow = (node: unknown) => {
    if (isMap(node)) (node as Node & { flow?: boolean }).flow = true;
  };
  flow(doc.getIn(['resources', 'requests'], true));
  flow(doc.getIn(['resources', 'limits'], true));
  const steps = doc.getIn(['rollout', 'canary', 'steps'], true);
  if (steps && 'items' in (steps as object)) {
    for (const step of (steps as { items: unknown[] }).items) {
      if (isMap(step)) step.items.forEach(pair => flow(pair.value));
    }
  }
  return doc.toString({ flowCollectionPadding: false });
}

function renderApplication(spec: ServiceSpec, environment: string, sourcePath: string): string {
  const doc = new Document({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${spec.service}-${environment}`,
      namespace: spec.argocdNamespace,
      labels: {
        'app.kubernetes.io/name': spec.service,
        'gitops.backstage.io/environment': environment,
      },
    },
    spec: {
      project: spec.project,
      source: { repoURL: spec.repoUrl, path: sourcePath, targetRevision: spec.branch },
      destination: {
        server: spec.destinationServer,
        namespace: `${spec.service}-${environment}`,
      },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
      },
    },
  });
  return doc.toString();
}
