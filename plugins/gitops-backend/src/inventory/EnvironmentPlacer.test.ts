import { argoApplication } from '../__testUtils__/argoCdSwagger';
import { EnvironmentPlacer } from './EnvironmentPlacer';

describe('EnvironmentPlacer', () => {
  const placer = new EnvironmentPlacer([
    { name: 'dev', match: { labels: { env: 'dev' } } },
    { name: 'staging', match: { namePattern: '-staging$' } },
    { name: 'prod', match: { destination: { cluster: 'https://kubernetes.default.svc', namespacePattern: '^prod-' } } },
  ]);

  it('places each application in the first environment whose rules all hold', () => {
    expect(placer.place(argoApplication('a', { labels: { env: 'dev' } }) as never)).toBe('dev');
    expect(placer.place(argoApplication('a-staging', { labels: { env: 'dev' } }) as never)).toBe('dev');
    expect(placer.place(argoApplication('a-staging') as never)).toBe('staging');
    expect(placer.place(argoApplication('a', { namespace: 'prod-a' }) as never)).toBe('prod');
  });

  it('leaves unmatched applications unplaced', () => {
    expect(placer.place(argoApplication('a', { namespace: 'qa-a' }) as never)).toBeUndefined();
  });
});
