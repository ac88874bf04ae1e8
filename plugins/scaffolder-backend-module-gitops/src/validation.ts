import { InputError } from '@backstage/errors';

/** RFC 1123 label: what Kubernetes accepts for namespaces and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Branch names git and every SCM accept; no `..`, no leading `-` (an option to git). */
const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,200}$/;

/** Throws an InputError naming `field` unless `value` is a DNS label of at most `max`. */
export function requireDnsLabel(field: string, value: string, max = 63): void {
  if (value.length > max || !DNS_LABEL.test(value)) {
    throw new InputError(
      `${field} '${value}' must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters`,
    );
  }
}

export function requireBranch(field: string, value: string): void {
  if (!BRANCH.test(value) || value.endsWith('/') || value.endsWith('.lock')) {
    throw new InputError(`${field} '${value}' is not a valid branch name`);
  }
}

/**
 * A repository-relative path without traversal: templates come from users, so a
 * `{service}` of `../..` must never let a write leave the repository.
 */
export function requireRelativePath(field: string, value: string): void {
  const parts = value.split(/[\\/]/);
  if (!value || value.startsWith('/') || /^[A-Za-z]:/.test(value) || parts.includes('..')) {
    throw new InputError(`${field} '${value}' must be a relative path inside the repository`);
  }
}

/** The URL forms git can push to without a shell helper: https, ssh and local files. */
export function requireGitUrl(field: string, value: string): void {
  if (!/^(https:\/\/|ssh:\/\/|file:\/\/|git@[^:]+:)\S+$/.test(value)) {
    throw new InputError(
      `${field} '${value}' must be an https://, ssh://, git@host: or file:// repository URL`,
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
