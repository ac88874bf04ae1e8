import type { GitRepo } from './gitRepo';
import {
  resolveRevision,
  RevisionNotFoundError,
  type RefSnapshot,
} from './revisions';

/**
 * One poll's view of a git repository: its refs as listed once, and the files of the
 * commits read so far (cached, so many Applications at one revision cost one listing).
 */
export class RepoSnapshot {
  private readonly files = new Map<string, Promise<Set<string>>>();

  constructor(readonly repo: GitRepo, readonly refs: RefSnapshot) {}

  static async take(repo: GitRepo): Promise<RepoSnapshot> {
    return new RepoSnapshot(repo, {
      defaultBranch: repo.branch,
      refs: await repo.listRefs(),
    });
  }

  /** The commit `targetRevision` names; throws RevisionNotFoundError. */
  async resolve(targetRevision: string | undefined): Promise<string> {
    const { sha, needsCheck } = resolveRevision(this.refs, targetRevision);
    if (needsCheck && !(await this.repo.hasCommit(sha))) {
      throw new RevisionNotFoundError(sha);
    }
    return sha;
  }

  async head(): Promise<string> {
    return this.resolve('HEAD');
  }

  async hasFile(revision: string, file: string): Promise<boolean> {
    return (await this.listFiles(revision)).has(file);
  }

  /** Whether `dir` holds any file at `revision`. */
  async hasDirectory(revision: string, dir: string): Promise<boolean> {
    const prefix = `${dir.replace(/\/$/, '')}/`;
    return [...(await this.listFiles(revision))].some(f =>
      f.startsWith(prefix),
    );
  }

  async listFiles(revision: string): Promise<Set<string>> {
    let files = this.files.get(revision);
    if (!files) {
      files = this.repo.listFiles(revision).then(list => new Set(list));
      this.files.set(revision, files);
    }
    return files;
  }

  readFile(revision: string, file: string): Promise<string> {
    return this.repo.readFile(revision, file);
  }
}
