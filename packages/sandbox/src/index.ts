/**
 * A local test peer for GitOps plugins: Argo CD and Kubernetes APIs over a real git
 * repository, with simulated syncs, Argo Rollouts and security findings.
 *
 * @packageDocumentation
 */

export { startSandbox } from './startSandbox';
export type { SandboxHandle } from './startSandbox';
export type { SandboxOptions } from './options';
export type { FileChanges } from './git/gitRepo';
export { runSandboxCli } from './cli';
