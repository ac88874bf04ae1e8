import {
  LabelSelectorError,
  labelSelectorMatcher,
  parseLabelSelector,
} from './labelSelector';

describe('label selectors', () => {
  const labels = {
    'app.kubernetes.io/name': 'payments-api',
    'gitops.backstage.io/environment': 'prod',
  };

  it('parses equality, set-based and existence requirements', () => {
    expect(
      parseLabelSelector(
        'app.kubernetes.io/name=payments-api, env==prod,tier!=web,zone in (a, b),track notin (canary),team,!legacy',
      ),
    ).toEqual([
      {
        key: 'app.kubernetes.io/name',
        operator: 'In',
        values: ['payments-api'],
      },
      { key: 'env', operator: 'In', values: ['prod'] },
      { key: 'tier', operator: 'NotIn', values: ['web'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'track', operator: 'NotIn', values: ['canary'] },
      { key: 'team', operator: 'Exists', values: [] },
      { key: 'legacy', operator: 'DoesNotExist', values: [] },
    ]);
  });

  it.each([
    ['', true],
    ['app.kubernetes.io/name=payments-api', true],
    ['app.kubernetes.io/name=orders-api', false],
    ['gitops.backstage.io/environment in (staging,prod)', true],
    ['gitops.backstage.io/environment notin (prod)', false],
    ['gitops.backstage.io/environment!=dev', true],
    // `!=` and `notin` also match objects that lack the label
    ['team!=payments', true],
    ['team notin (payments)', true],
    ['app.kubernetes.io/name', true],
    ['!app.kubernetes.io/name', false],
    ['app.kubernetes.io/name=payments-api,team', false],
  ])('%s matches: %s', (selector, expected) => {
    expect(labelSelectorMatcher(selector)(labels)).toBe(expected);
  });

  it.each(['a=b,', 'a in ()', 'a in (b', '=b', 'a b', 'a=b c', 'a in (b,c))'])(
    'rejects %s',
    selector => {
      expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
    },
  );
});
