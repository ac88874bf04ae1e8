import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  generateApplications,
  listParams,
  type ApplicationSetManifest,
} from './applicationSets';
import { pullRequestParams, slug } from './pullRequests';
import { renderTemplate } from './templateRendering';

/** Upstream's own examples (argo-cd applicationset/examples, copied into upstreamExamples/). */
const example = async (file: string): Promise<ApplicationSetManifest> =>
  parse(
    await fs.readFile(path.join(__dirname, 'upstreamExamples', file), 'utf8'),
  );

const params = (appSet: ApplicationSetManifest) => async (generator: any) =>
  generator.list
    ? listParams(generator.list, appSet.spec.goTemplate === true)
    : [
        pullRequestParams(
          {
            number: 7,
            title: 'Add preview',
            branch: 'feature/Preview_Env',
            targetBranch: 'main',
            headSha: '0123456789abcdef0123456789abcdef01234567',
            author: 'Ali Chen',
            labels: generator.pullRequest.github.labels ?? [],
          },
          appSet.spec.goTemplate === true,
        ),
      ];

describe('ApplicationSet expansion', () => {
  it.each(['list-example.yaml', 'list-example-fasttemplate.yaml'])(
    'renders upstream %s per list element, with the resources finalizer',
    async file => {
      const appSet = await example(file);
      const { applications, error } = await generateApplications(
        appSet,
        params(appSet),
      );
      expect(error).toBeUndefined();
      expect(applications.map(a => a.metadata)).toEqual([
        {
          name: 'engineering-dev-guestbook',
          namespace: 'argocd',
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        {
          name: 'engineering-prod-guestbook',
          namespace: 'argocd',
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
      ]);
      expect(applications[1].spec.source).toEqual({
        repoURL: 'https://github.com/argoproj/argo-cd.git',
        targetRevision: 'HEAD',
        path: 'applicationset/examples/list-generator/guestbook/engineering-prod',
      });
      expect(applications[0].spec.destination?.server).toBe(
        'https://kubernetes.default.svc',
      );
    },
  );

  it.each([
    'pull-request-example.yaml',
    'pull-request-example-fasttemplate.yaml',
  ])('renders upstream %s with the pull request parameters', async file => {
    const appSet = await example(file);
    const { applications } = await generateApplications(appSet, params(appSet));
    const [app] = applications;
    expect(app.metadata.name).toBe('myapp-feature/Preview_Env-7');
    expect(app.spec.source?.targetRevision).toBe(
      '0123456789abcdef0123456789abcdef01234567',
    );
    expect(app.spec.source?.helm?.parameters).toEqual([
      {
        name: 'image.tag',
        value: 'pull-0123456789abcdef0123456789abcdef01234567',
      },
    ]);
    // `{{ index .labels 0 }}`: PR labels are parameters with goTemplate only
    expect(app.metadata.labels).toEqual(
      appSet.spec.goTemplate ? { key1: 'preview' } : undefined,
    );
  });

  it('reports a missing key as upstream does with missingkey=error, and keeps nothing', async () => {
    const appSet = await example('list-example.yaml');
    appSet.spec.template.metadata.name = '{{.region}}-guestbook';
    const result = await generateApplications(appSet, params(appSet));
    expect(result.error).toEqual({
      reason: 'RenderTemplateParamsError',
      message: expect.stringContaining('map has no entry for key "region"'),
    });
  });

  it('renders fasttemplate and Go templates as upstream', () => {
    expect(
      renderTemplate('{{ a }}-{{b}}-{{ missing }}', { a: 'x', b: 'y' }, false),
    ).toBe('x-y-{{ missing }}');
    expect(
      renderTemplate(
        '{{ .a }}-{{.n.m | upper}}-{{.zz}}',
        { a: 'x', n: { m: 'q' } },
        true,
      ),
    ).toBe('x-Q-<no value>');
  });

  it('slugs branches as gosimple/slug with the generator settings', () => {
    expect(slug('feature/Preview_Env')).toBe('feature-preview-env');
    expect(
      slug(`${'a'.repeat(30)}-${'b'.repeat(30)}`).length,
    ).toBeLessThanOrEqual(50);
  });
});
