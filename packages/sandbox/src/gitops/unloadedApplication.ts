import { kubeTime } from '../clock';
import type { ApplicationManifest } from './applicationManifest';
import { applicationMetadata } from './applicationMetadata';
import { hasMultipleSources } from './applicationSources';
import type { Application } from './argoTypes';

/**
 * An Application whose manifests could not be generated since it first appeared (an
 * unknown revision, chart version or path): Argo CD shows it with sync `Unknown`, a
 * `ComparisonError` condition and, with nothing deployed, Healthy (controller/state.go:
 * an application without resources is Healthy). It has no resources and no operation.
 */
export class UnloadedApplication {
  private manifest: ApplicationManifest;
  private message: string;
  private since: number;
  private reconciledAt: number;

  constructor(
    manifest: ApplicationManifest,
    message: string,
    private readonly createdAt: number,
  ) {
    this.manifest = manifest;
    this.message = message;
    this.since = createdAt;
    this.reconciledAt = createdAt;
  }

  get name(): string {
    return this.manifest.metadata.name;
  }

  setComparisonError(
    manifest: ApplicationManifest,
    message: string,
    now: number,
  ): void {
    if (message !== this.message) this.since = now;
    this.manifest = manifest;
    this.message = message;
    this.reconciledAt = now;
  }

  toApplication(): Application {
    const { metadata, spec } = this.manifest;
    const sources = hasMultipleSources(spec)
      ? { sources: spec.sources! }
      : { source: spec.source! };
    return {
      metadata: applicationMetadata(metadata, this.createdAt),
      spec,
      status: {
        sync: {
          status: 'Unknown',
          comparedTo: { ...sources, destination: spec.destination },
        },
        conditions: [
          {
            type: 'ComparisonError',
            message: this.message,
            lastTransitionTime: kubeTime(this.since),
          },
        ],
        health: {
          status: 'Healthy',
          lastTransitionTime: kubeTime(this.createdAt),
        },
        reconciledAt: kubeTime(this.reconciledAt),
        resources: [],
        summary: { images: [] },
        sourceType: 'Helm',
        controllerNamespace: 'argocd',
      },
    };
  }
}
