import { mockServices } from '@backstage/backend-test-utils';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Entity } from '@backstage/catalog-model';
import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { inventoryEntry } from '../__testUtils__/inventory';
import { EntityDirectory } from './EntityDirectory';

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'argocd/app-selector': `app=${name}` } },
  spec: {},
});
const change = (app: string) => [
  inventoryEntry({ instance: 'main', application: argoApplication(`${app}-dev`, { labels: { app } }) as never }),
];

describe('EntityDirectory', () => {
  it('maps changed applications to the entities that select them, and finds an entity registered since', async () => {
    const entities = [entity('payments')];
    // The catalog as it ingests: what it answers grows between reads.
    const catalog = { getEntities: async () => ({ items: [...entities] }) } as unknown as CatalogService;
    let now = 0;
    const directory = new EntityDirectory(catalog, mockServices.auth(), mockServices.logger.mock(), () => now);
    await directory.load();
    expect([...(await directory.entitiesOf(change('payments')))]).toEqual(['component:default/payments']);

    // orders is ingested after the last read; a change of its app reads again once 5 s have passed.
    entities.push(entity('orders'));
    now = 1_000;
    expect([...(await directory.entitiesOf(change('orders')))]).toEqual([]);
    now = 6_001;
    expect([...(await directory.entitiesOf(change('orders')))]).toEqual(['component:default/orders']);
  });
});
