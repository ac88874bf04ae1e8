/**
 * Which backend code a run measured: the commit, and the plugin files changed on top of
 * it (the repository is worked on while benchmarks run).
 */
import { execFileSync } from 'child_process';
import path from 'path';

export function backendRevision(): { commit: string; uncommittedBackendFiles: number } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'plugins/gitops-backend/src', 'plugins/gitops-common/src');
    return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedBackendFiles: changed ? changed.split('\n').length : 0 };
  } catch {
    return { commit: 'unknown', uncommittedBackendFiles: -1 };
  }
}
