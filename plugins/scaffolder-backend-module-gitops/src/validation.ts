import { InputError } from '@backstage/errors';

// Branches, repository URLs and repository paths are checked by the validators of
// @gitops-suite/backstage-plugin-gitops-node (requireBranch, requireGitUrl,
// requireRelativePath), the same the writer applies.

/** RFC 1123 label: what Kubernetes accepts for namespaces and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws an InputError naming `field` unless `value` is a DNS label of at most `max`. */
export function requireDnsLabel(field: string, value: string, max = 63): void {
  if (value.length > max || !DNS_LABEL.test(value)) {
    throw new InputError(
      `${field} '${value}' must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters`,
    );
  }
}

/**
 * The scaffolder validates inputs against the JSON schema of an action but does not
 * fill in its defaults, so handlers apply them: one table serves the schema's
 * `.default()` and the handler.
 */
export function withDefaults<T extends object, D extends Partial<T>>(input: T, defaults: D): T & D {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null));
  return { ...defaults, ...defined } as T & D;
}
