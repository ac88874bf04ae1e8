import type { ArgoApplication } from '../argocd/types';
import type { EnvironmentConfig } from '../config/gitopsConfig';

type PlacementRule = Pick<EnvironmentConfig, 'name' | 'match'>;

/**
 * Places each application in the first configured environment whose rules all hold.
 * Applications no rule matches are returned apart, never dropped.
 */
export class EnvironmentPlacer {
  private readonly rules: {
    environment: PlacementRule;
    namePattern?: RegExp;
    namespacePattern?: RegExp;
  }[];

  constructor(environments: PlacementRule[]) {
    this.rules = environments.map(environment => ({
      environment,
      namePattern: environment.match.namePattern
        ? new RegExp(environment.match.namePattern)
        : undefined,
      namespacePattern: environment.match.destination?.namespacePattern
        ? new RegExp(environment.match.destination.namespacePattern)
        : undefined,
    }));
  }

  /** The name of the application's environment, or undefined when none matches. */
  place(app: ArgoApplication): string | undefined {
    return this.rules.find(rule => this.matches(rule, app))?.environment.name;
  }

  private matches(rule: EnvironmentPlacer['rules'][number], app: ArgoApplication) {
    const { labels, destination } = rule.environment.match;
    const appLabels = app.metadata.labels ?? {};
    if (labels && Object.entries(labels).some(([k, v]) => appLabels[k] !== v)) {
      return false;
    }
    if (rule.namePattern && !rule.namePattern.test(app.metadata.name)) return false;
    const appDestination = app.spec?.destination ?? {};
    if (
      destination?.cluster &&
      destination.cluster !== appDestination.name &&
      destination.cluster !== appDestination.server
    ) {
      return false;
    }
    if (
      rule.namespacePattern &&
      !rule.namespacePattern.test(appDestination.namespace ?? '')
    ) {
      return false;
    }
    return true;
  }
}
