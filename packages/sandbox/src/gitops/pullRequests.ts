import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GitRepo } from '../git/gitRepo';
import type { PullRequestGenerator } from './applicationSets';
import type { Params } from './templateRendering';

/**
 * The pull request generator (applicationset/generators/pull_request.go) over the
 * sandbox's local source repositories, `<reposDir>/<repo>.git`, which stand for the
 * GitHub repositories `<owner>/<repo>` (the owner is not checked). An open pull
 * request is a ref `refs/pull/<number>/head`, the ref GitHub serves for each pull
 * request; deleting the ref closes it. Its head commit gives the title (subject) and
 * the author (author name); its branch is a branch whose head is that commit (else
 * `pr-<number>`), its target branch the repository's default branch. GitHub labels do
 * not exist locally: every pull request carries the labels the generator asks for,
 * so `labels` never filters. `filters` and `requeueAfterSeconds` are ignored (the
 * sandbox polls every `pollMs`).
 */

export interface PullRequest {
  number: number;
  title: string;
  branch: string;
  targetBranch: string;
  headSha: string;
  author: string;
  labels: string[];
}

export class RepositoryNotFoundError extends Error {}

const PULL_HEAD = /^refs\/pull\/(\d+)\/head$/;

export async function listPullRequests(
  reposDir: string,
  generator: PullRequestGenerator,
): Promise<PullRequest[]> {
  const github = generator.github;
  if (!github) {
    // selectServiceProvider: only the GitHub provider is simulated
    throw new Error('no Pull Request provider implementation configured');
  }
  const gitDir = path.join(reposDir, `${github.repo}.git`);
  if (!(await exists(path.join(gitDir, 'HEAD')))) {
    throw new RepositoryNotFoundError(
      `error listing repos: error listing pull requests for ${github.owner}/${github.repo}: GET https://api.github.com/repos/${github.owner}/${github.repo}/pulls: 404 Not Found []`,
    );
  }
  const repo = GitRepo.open(gitDir, await defaultBranch(gitDir));
  const refs = await repo.listRefs();
  const pulls: PullRequest[] = [];
  for (const ref of refs) {
    const match = PULL_HEAD.exec(ref.name);
    if (!match) continue;
    const number = Number(match[1]);
    const commit = (await repo.commitMetadata(ref.sha))!;
    const branch = refs.find(
      r =>
        r.name.startsWith('refs/heads/') &&
        r.sha === ref.sha &&
        r.name !== `refs/heads/${repo.branch}`,
    );
    pulls.push({
      number,
      title: commit.message.split('\n', 1)[0],
      branch: branch ? branch.name.slice('refs/heads/'.length) : `pr-${number}`,
      targetBranch: repo.branch,
      headSha: ref.sha,
      author: commit.author.replace(/ <[^>]*>$/, ''),
      labels: [...(github.labels ?? [])],
    });
  }
  return pulls.sort((a, b) => a.number - b.number);
}

/** The generator's parameters for one pull request; `labels` only with goTemplate. */
export function pullRequestParams(
  pull: PullRequest,
  goTemplate: boolean,
): Params {
  return {
    number: String(pull.number),
    title: pull.title,
    branch: pull.branch,
    branch_slug: slug(pull.branch),
    target_branch: pull.targetBranch,
    target_branch_slug: slug(pull.targetBranch),
    head_sha: pull.headSha,
    head_short_sha: pull.headSha.slice(0, 8),
    head_short_sha_7: pull.headSha.slice(0, 7),
    author: pull.author,
    ...(goTemplate ? { labels: pull.labels } : {}),
  };
}

/**
 * gosimple/slug's `Make` as the generator configures it (MaxLength 50, `_` to `-`):
 * lower case, runs of other characters to one `-`, trimmed, cut at the last `-`
 * within 50 characters (smart truncation).
 */
export function slug(text: string): string {
  const made = text
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (made.length <= 50) return made;
  const cut = made.slice(0, 51);
  const last = cut.lastIndexOf('-');
  return (last > 0 ? cut.slice(0, last) : made.slice(0, 50)).replace(/-$/, '');
}

async function defaultBranch(gitDir: string): Promise<string> {
  const head = await fs.readFile(path.join(gitDir, 'HEAD'), 'utf8');
  return /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1] ?? 'main';
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
