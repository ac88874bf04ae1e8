import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GithubPullRequests } from './GithubPullRequests';

const API = 'https://api.github.com/repos/acme/gitops';

/** A pull request as GitHub's REST API returns it (the fields a promotion reads, and a few more). */
function pullRequest(number: number, fields: Record<string, unknown> = {}) {
  return {
    url: `${API}/pulls/${number}`,
    html_url: `https://github.com/acme/gitops/pull/${number}`,
    number,
    state: 'open',
    title: 'Promote payments-api 1.5.0 to prod',
    head: { ref: 'gitops/promotion-p-1', sha: 'aaa' },
    base: { ref: 'main', sha: 'bbb' },
    merged_at: null,
    merge_commit_sha: 'ccc',
    ...fields,
  };
}

describe('GithubPullRequests', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({ integrations: { github: [{ host: 'github.com', token: 'ghp_test' }] } }),
  );
  const provider = new GithubPullRequests(integrations, { tokenFor: async () => 'ghp_test' });
  const request = {
    repoURL: 'https://github.com/acme/gitops.git',
    base: 'main',
    head: 'gitops/promotion-p-1',
    title: 'Promote payments-api 1.5.0 to prod',
    body: 'Promotion-Id: p-1',
  };

  it('opens a pull request with the integration token', async () => {
    const created: unknown[] = [];
    server.use(
      http.get(`${API}/pulls`, () => HttpResponse.json([])),
      http.post(`${API}/pulls`, async ({ request: req }) => {
        expect(req.headers.get('authorization')).toBe('token ghp_test');
        created.push(await req.json());
        return HttpResponse.json(pullRequest(7), { status: 201 });
      }),
    );
    await expect(provider.open(request)).resolves.toEqual({
      url: 'https://github.com/acme/gitops/pull/7', number: 7, state: 'open', mergeCommitSha: undefined,
    });
    expect(created).toEqual([{ base: 'main', head: 'gitops/promotion-p-1', title: request.title, body: request.body }]);
  });

  it('returns the pull request already opened from the same head instead of opening a second', async () => {
    server.use(
      http.get(`${API}/pulls`, ({ request: req }) => {
        expect(new URL(req.url).searchParams.get('head')).toBe('acme:gitops/promotion-p-1');
        return HttpResponse.json([pullRequest(7)]);
      }),
      http.post(`${API}/pulls`, () => HttpResponse.json({ message: 'must not be called' }, { status: 500 })),
    );
    await expect(provider.open(request)).resolves.toMatchObject({ number: 7, state: 'open' });
  });

  it('reads merged and closed pull requests', async () => {
    server.use(
      http.get(`${API}/pulls/7`, () => HttpResponse.json(pullRequest(7, { state: 'closed', merged_at: '2026-11-22T06:00:00Z', merge_commit_sha: 'abc123' }))),
      http.get(`${API}/pulls/8`, () => HttpResponse.json(pullRequest(8, { state: 'closed' }))),
    );
    await expect(provider.get(request.repoURL, 7)).resolves.toMatchObject({ state: 'merged', mergeCommitSha: 'abc123' });
    await expect(provider.get(request.repoURL, 8)).resolves.toMatchObject({ state: 'closed', mergeCommitSha: undefined });
  });

  it('closes an open pull request with a comment saying why, and leaves a merged one as it is', async () => {
    const calls: string[] = [];
    server.use(
      http.get(`${API}/pulls/7`, () => HttpResponse.json(pullRequest(7))),
      http.post(`${API}/issues/7/comments`, async ({ request: req }) => {
        calls.push(`comment ${((await req.json()) as { body: string }).body}`);
        return HttpResponse.json({ id: 1 }, { status: 201 });
      }),
      http.patch(`${API}/pulls/7`, async ({ request: req }) => {
        calls.push(`update ${JSON.stringify(await req.json())}`);
        return HttpResponse.json(pullRequest(7, { state: 'closed' }));
      }),
      http.get(`${API}/pulls/8`, () => HttpResponse.json(pullRequest(8, { state: 'closed', merged_at: '2026-11-22T06:00:00Z', merge_commit_sha: 'abc123' }))),
    );
    await expect(provider.close(request.repoURL, 7, 'Not merged within 60 min')).resolves.toMatchObject({ number: 7, state: 'closed' });
    expect(calls).toEqual(['comment Not merged within 60 min', 'update {"state":"closed"}']);
    await expect(provider.close(request.repoURL, 8, 'Not merged within 60 min')).resolves.toMatchObject({ state: 'merged', mergeCommitSha: 'abc123' });
    expect(calls).toHaveLength(2);
  });

  it('serves only hosts with a GitHub integration, and says which URL it cannot use', async () => {
    expect(provider.supports('https://github.com/acme/gitops')).toBe(true);
    expect(provider.supports('https://gitlab.example.com/acme/gitops')).toBe(false);
    await expect(provider.get('https://gitlab.example.com/acme/gitops', 1)).rejects.toThrow(
      'No GitHub integration covers https://gitlab.example.com/acme/gitops',
    );
  });
});
