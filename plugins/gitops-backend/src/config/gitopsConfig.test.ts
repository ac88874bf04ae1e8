import { ConfigReader } from '@backstage/config';
import { readGitopsConfig } from './gitopsConfig';

const valid = {
  environments: [
    { name: 'dev', match: { labels: { env: 'dev' } } },
    { name: 'prod', promotesFrom: 'dev', match: { namePattern: '-prod$' } },
  ],
  argocd: { instances: [{ name: 'main', url: 'https://argocd.example.com', token: 't' }] },
};

const read = (gitops: unknown) => () => readGitopsConfig(new ConfigReader({ gitops } as never));

describe('readGitopsConfig', () => {
  it('accepts a valid configuration and fills defaults', () => {
    const config = read(valid)();
    expect(config.argocd.refreshIntervalSeconds).toBe(30);
    expect(config.environments.map(e => e.name)).toEqual(['dev', 'prod']);
  });

  it('reads the background task intervals, defaults 2 s and 15 s, and names a bad one', () => {
    expect(read(valid)().tasks).toEqual({ promotionEngineIntervalSeconds: 2, promotionEngineConcurrency: 4, continuousDeploymentIntervalSeconds: 15 });
    expect(read({ ...valid, tasks: { continuousDeploymentIntervalSeconds: 60 } })().tasks.continuousDeploymentIntervalSeconds).toBe(60);
    expect(read({ ...valid, tasks: { promotionEngineIntervalSeconds: 0 } })).toThrow(/tasks\.promotionEngineIntervalSeconds/);
  });

  it('lets rollbacks through a stopped line unless told otherwise', () => {
    expect(read(valid)().lineStops.allowRollbacks).toBe(true);
    expect(read({ ...valid, lineStops: { allowRollbacks: false } })().lineStops.allowRollbacks).toBe(false);
  });

  it('reads requireVerifiedImages per environment, unset by default', () => {
    const [dev, prod] = read({
      ...valid,
      environments: [valid.environments[0], { ...valid.environments[1], promotion: { gates: { requireVerifiedImages: true } } }],
    })().environments;
    expect(prod.promotion.gates.requireVerifiedImages).toBe(true);
    expect(dev.promotion.gates.requireVerifiedImages).toBeUndefined();
    expect(
      read({
        ...valid,
        environments: [valid.environments[0], { ...valid.environments[1], promotion: { gates: { requireVerifiedImages: 'yes' } } }],
      }),
    ).toThrow('gitops.environments[1].promotion.gates.requireVerifiedImages');
  });

  it.each([
    [{ ...valid, environments: [{ name: 'Dev!', match: { labels: {} } }] }, 'gitops.environments[0].name: must be a lowercase DNS label'],
    [{ ...valid, environments: [{ name: 'dev', match: {} }] }, 'gitops.environments[0].match: needs at least one of labels, namePattern or destination'],
    [{ ...valid, environments: [{ name: 'dev', match: { namePattern: '(' } }] }, 'gitops.environments[0].match.namePattern: must be a valid regular expression'],
    [{ ...valid, environments: [valid.environments[0], { name: 'prod', promotesFrom: 'qa', match: { labels: { a: 'b' } } }] }, "gitops.environments[1].promotesFrom: unknown environment 'qa'"],
    [{ ...valid, environments: [valid.environments[0], valid.environments[0]] }, "gitops.environments[1].name: duplicate environment 'dev'"],
    [{ ...valid, argocd: { instances: [{ name: 'main', url: 'not a url', token: 't' }] } }, 'gitops.argocd.instances[0].url'],
    [{ ...valid, argocd: { instances: [{ name: 'main', url: 'https://a.example.com' }] } }, 'gitops.argocd.instances[0]: needs a token, or a username and password'],
  ])('rejects %j naming the key', (gitops, message) => {
    expect(read(gitops)).toThrow(message);
  });
});
