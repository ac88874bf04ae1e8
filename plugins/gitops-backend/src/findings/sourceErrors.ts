import type { SourceError } from '@gitops-suite/backstage-plugin-gitops-common';

/**
 * The errors of one answer, one per source: a forbidden cluster fails every list, but
 * is one problem. Any entry makes the evidence unknown (gates fail closed on it).
 */
export class SourceErrors {
  private readonly bySource = new Map<string, string>();

  add(source: string, message: string) {
    if (!this.bySource.has(source)) this.bySource.set(source, message);
  }

  /** Whether no source failed. */
  isEmpty(): boolean {
    return this.bySource.size === 0;
  }

  /** Adds another answer's errors (first message per source wins, as with add). */
  addAll(other: SourceErrors) {
    for (const { source, message } of other.list()) this.add(source, message);
  }

  list(): SourceError[] {
    return [...this.bySource].map(([source, message]) => ({ source, message }));
  }
}
