import { LabelSelector } from './labelSelector';

describe('LabelSelector', () => {
  const labels = { app: 'payments', tier: 'backend', 'gitops.backstage.io/environment': 'dev' };

  it.each([
    ['app=payments', true],
    ['app==payments,tier=backend', true],
    ['app!=payments', false],
    ['app in (orders, payments)', true],
    ['tier notin (frontend),gitops.backstage.io/environment=dev', true],
    ['tier', true],
    ['!tier', false],
    ['missing', false],
    ['!missing', true],
    ['missing!=x', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
  });

  it.each(['', 'app=pay ments', 'app in (a b)', '=x', 'app=x\ny=z'])(
    'rejects %j with a clear error',
    selector => {
      expect(() => LabelSelector.parse(selector)).toThrow(/label selector/i);
    },
  );
});
