import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import type { Entity } from '@backstage/catalog-model';
import gitopsPlugin, { gitopsDeploymentsEntityCard } from './alpha';

const withSelector: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=payments-api' } },
};
const bare: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'bare' } };

describe('gitops plugin (new frontend system)', () => {
  it('registers the overview card, enabled and attached to the entity overview', () => {
    const card = gitopsPlugin.getExtension('entity-card:gitops/deployments');
    expect(card).toMatchObject({
      kind: 'entity-card',
      name: 'deployments',
      namespace: 'gitops',
      disabled: false,
      attachTo: { id: 'entity-content:catalog/overview', input: 'cards' },
    });
  });

  it('is a content card filtered to the entities the Deployments tab applies to', () => {
    const tester = createExtensionTester(gitopsDeploymentsEntityCard);
    expect(tester.get(EntityCardBlueprint.dataRefs.type)).toBe('content');
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(withSelector)).toBe(true);
    expect(filter?.(bare)).toBe(false);
  });
});
