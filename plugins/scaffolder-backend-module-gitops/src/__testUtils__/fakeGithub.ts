import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';

export const GITHUB = 'https://github.com/acme/gitops';
export const API = 'https://api.github.com/repos/acme/gitops';

const GIT_CONFIG_KEYS = ['COUNT', 'KEY_0', 'VALUE_0', 'KEY_1', 'VALUE_1'].map(k => `GIT_CONFIG_${k}`);

/**
 * Stands in for github.com/acme/gitops in action tests: git's own URL rewriting (through
 * GIT_CONFIG_* variables) sends pushes to a local bare repository, and msw answers the
 * pull request calls the way GitHub's REST API does. Returns the pull requests opened
 * (their request bodies and authorization header) and a function undoing the rewrite.
 */
export function fakeGithub(server: SetupServer, bareRepository: string, number: number) {
  process.env.GIT_CONFIG_COUNT = '2';
  process.env.GIT_CONFIG_KEY_0 = `url.file://${bareRepository}.insteadOf`;
  process.env.GIT_CONFIG_VALUE_0 = GITHUB;
  process.env.GIT_CONFIG_KEY_1 = `url.file://${bareRepository}.insteadOf`;
  process.env.GIT_CONFIG_VALUE_1 = `${GITHUB}.git`;
  const opened: Array<Record<string, string>> = [];
  const asGithub = () => ({
    url: `${API}/pulls/${number}`, html_url: `${GITHUB}/pull/${number}`, number, state: 'open', merged_at: null,
  });
  server.use(
    http.get(`${API}/pulls`, ({ request }) => {
      const head = new URL(request.url).searchParams.get('head');
      return HttpResponse.json(opened.some(pr => `acme:${pr.head}` === head) ? [asGithub()] : []);
    }),
    http.post(`${API}/pulls`, async ({ request }) => {
      opened.push({ ...((await request.json()) as Record<string, string>), authorization: request.headers.get('authorization')! });
      return HttpResponse.json(asGithub(), { status: 201 });
    }),
  );
  return {
    opened,
    restore() {
      for (const key of GIT_CONFIG_KEYS) delete process.env[key];
    },
  };
}
