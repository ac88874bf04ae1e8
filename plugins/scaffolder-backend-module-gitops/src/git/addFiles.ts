import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { git, isRejectedPush, type GitAuthor } from './git';

export interface AddFilesRequest {
  repoUrl: string;
  branch: string;
  files: Array<{ path: string; content: string }>;
  message: string;
  /**
   * `Key: value` trailer naming the writer (the scaffolder task): a commit carrying it
   * on the branch means a previous attempt of the same task already landed.
   */
  trailer: string;
  author: GitAuthor;
  /** git `-c` settings that authenticate the remote. */
  credentials: string[];
  /** What is being added, for the conflict message: "service 'x'". */
  subject: string;
  maxPushAttempts?: number;
}

/**
 * Adds new files to a branch of a remote repository in one commit: clone, refuse when
 * any file exists (someone else owns it), commit, push; when another writer pushed
 * first, fetch, check again, rebase and retry. Returns the pushed commit.
 */
export async function addFilesToRepository(req: AddFilesRequest): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-scaffolder-'));
  const remote = { config: req.credentials };
  const tracking = `refs/remotes/origin/${req.branch}`;
  try {
    await git(dir, ['clone', '--quiet', '--single-branch', '--branch', req.branch, '--', req.repoUrl, '.'], remote);
    const landed = await findCommit(dir, tracking, req.trailer);
    if (landed) return landed;
    await assertAbsent(dir, 'HEAD', req);
    for (const file of req.files) {
      const target = resolveSafeChildPath(dir, file.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, file.content);
    }
    await git(dir, ['add', '--', ...req.files.map(f => f.path)]);
    await git(dir, ['commit', '--quiet', '-m', `${req.message}\n\n${req.trailer}`], { author: req.author });
    const attempts = req.maxPushAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await git(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${req.branch}`], remote);
        return await git(dir, ['rev-parse', 'HEAD']);
      } catch (error) {
        if (!isRejectedPush(error) || attempt >= attempts) throw error;
        // Someone pushed first: take their commits, make sure they did not add the
        // same service meanwhile, replay ours on top and push again.
        await git(dir, ['fetch', '--quiet', 'origin', `+refs/heads/${req.branch}:${tracking}`], remote);
        await assertAbsent(dir, tracking, req);
        await git(dir, ['rebase', '--quiet', tracking], { author: req.author }).catch(async rebaseError => {
          await git(dir, ['rebase', '--abort']).catch(() => undefined);
          throw rebaseError;
        });
        await new Promise(resolve => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function findCommit(dir: string, ref: string, trailer: string) {
  const sha = await git(dir, ['log', ref, '-n', '1', '--format=%H', '--fixed-strings', `--grep=${trailer}`]);
  return sha || undefined;
}

async function assertAbsent(dir: string, ref: string, req: AddFilesRequest) {
  const listed = await git(dir, ['ls-tree', '-r', '--name-only', ref, '--', ...req.files.map(f => f.path)]);
  if (listed) {
    throw new ConflictError(
      `${req.subject} is already registered in ${req.repoUrl}: ${listed.split('\n').join(', ')} exist on ${req.branch}`,
    );
  }
}
