import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import type { PromotionWrite } from '@gitops-suite/backstage-plugin-gitops-common';
import { WritePlan, writePlanSentence } from './WritePlan';

const base = { method: 'commit', repoURL: 'https://github.com/example/gitops', branch: 'main' } as const;

describe('writePlanSentence', () => {
  it('says in words what each strategy changes', () => {
    const cases: Array<[PromotionWrite, string]> = [
      [{ ...base, strategy: 'helm-value', file: 'apps/x/values.yaml', field: 'image.tag' }, 'Set image.tag in apps/x/values.yaml'],
      [{ ...base, strategy: 'kustomize-image', file: 'apps/x/kustomization.yaml', field: 'images[].newTag' }, 'Set the image tag (images[].newTag) in apps/x/kustomization.yaml'],
      [
        { ...base, strategy: 'chart-version', file: 'argocd/pricing-api-staging.yaml', field: 'spec.source.targetRevision' },
        'Set the chart version (spec.source.targetRevision) in argocd/pricing-api-staging.yaml',
      ],
      [{ ...base, strategy: 'git-revision', file: 'argocd/x-prod.yaml', field: 'spec.source.targetRevision' }, 'Set the git revision (spec.source.targetRevision) in argocd/x-prod.yaml'],
      [{ ...base, method: 'pull-request', strategy: 'environment-branch', sourceBranch: 'dev' }, 'Merge dev into main by pull request'],
      [{ ...base, strategy: 'environment-branch', sourceBranch: 'dev' }, 'Merge dev into main with a merge commit'],
      [{ ...base, strategy: 'application-set', file: 'appsets/notify-api.yaml', field: 'elements[1].imageTag' }, 'Set elements[1].imageTag of the ApplicationSet in appsets/notify-api.yaml'],
    ];
    for (const [write, sentence] of cases) {
      expect(writePlanSentence(write)).toBe(sentence);
    }
    expect(writePlanSentence({ ...base, strategy: 'application-set', field: 'elements[1].imageTag' }, 'notify-api')).toBe(
      'Set elements[1].imageTag of ApplicationSet notify-api',
    );
  });
});

describe('WritePlan', () => {
  it('shows the change, how it is written and where', async () => {
    await renderInTestApp(
      <WritePlan write={{ ...base, method: 'pull-request', strategy: 'helm-value', file: 'apps/x/values.yaml', field: 'image.tag' }} />,
    );
    const plan = screen.getByTestId('promotion-write-plan');
    expect(plan).toHaveTextContent('Set image.tag in apps/x/values.yaml');
    expect(plan).toHaveTextContent('Pull request to main of https://github.com/example/gitops');
  });
});
