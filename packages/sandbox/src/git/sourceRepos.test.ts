import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedSourceRepositories } from './sourceRepos';

const SEED = `repositories:
  payments-api:
    - { message: Take card payments, author: Dana Developer, tag: 1.4.2 }
    - { message: Retry declined cards once, author: Sam Rivera }
    - { message: Release 1.5.0, author: Dana Developer, tag: 1.5.0 }
`;

describe('seedSourceRepositories', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-source-repos-'));
    fs.writeFileSync(path.join(dir, 'source-repos.yaml'), SEED);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', path.join(dir, 'repos/payments-api.git'), ...args], { encoding: 'utf8' }).trim();

  it('creates each repository once, one commit per entry by its author, tagged per version', async () => {
    expect(await seedSourceRepositories(path.join(dir, 'repos'), path.join(dir, 'source-repos.yaml'))).toEqual(['payments-api']);
    expect(git('log', '--format=%an: %s', '1.4.2..1.5.0').split('\n')).toEqual([
      'Dana Developer: Release 1.5.0',
      'Sam Rivera: Retry declined cards once',
    ]);
    expect(git('show', 'main:CHANGELOG.md')).toContain('- Retry declined cards once');
    // a restart keeps what is there (services may have been published into the folder)
    expect(await seedSourceRepositories(path.join(dir, 'repos'), path.join(dir, 'source-repos.yaml'))).toEqual([]);
    expect(git('rev-list', '--count', 'main')).toBe('3');
  });
});
