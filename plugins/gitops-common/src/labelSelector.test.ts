import { LabelSelector, LabelSelectorError } from './labelSelector';

describe('LabelSelector', () => {
  describe('matches (backend cases)', () => {
    const labels = {
      app: 'payments',
      tier: 'backend',
      'gitops.backstage.io/environment': 'dev',
    };

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
  });

  describe('matches (sandbox cases)', () => {
    const labels = {
      'app.kubernetes.io/name': 'payments-api',
      'gitops.backstage.io/environment': 'prod',
    };

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
    ])('%j matches: %s', (selector, expected) => {
      expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
    });
  });

  describe('matches (Kubernetes semantics)', () => {
    it.each([
      // the empty selector matches everything, even unlabelled objects
      ['', undefined, true],
      ['   ', {}, true],
      // `in ()`, `a=` and empty list items are the empty value
      ['a in ()', { a: '' }, true],
      ['a in ()', { a: 'x' }, false],
      ['a=', { a: '' }, true],
      ['a=,b', { a: '', b: 'x' }, true],
      ['x in (foo,,baz),y,z notin ()', { x: '', y: '1' }, true],
      ['x in (foo,,baz),y,z notin ()', { x: 'baz', y: '1', z: '' }, false],
      // `in` and `notin` are plain words where a key or value is expected
      ['in in (in, notin)', { in: 'notin' }, true],
      // integer comparisons
      ['replicas>2', { replicas: '3' }, true],
      ['replicas>2', { replicas: '2' }, false],
      ['replicas<10', { replicas: '9' }, true],
      ['replicas<10', { replicas: 'nine' }, false],
      ['replicas<10', {}, false],
      // every whitespace Kubernetes knows, around everything
      [' \ta \n=\r b , c  notin(d)', { a: 'b' }, true],
      ['a==b,a!=b', { a: 'b' }, false],
    ])('%j on %j: %s', (selector, labels, expected) => {
      expect(LabelSelector.parse(selector).matches(labels)).toBe(expected);
    });

    it('does not take inherited properties for labels', () => {
      expect(LabelSelector.parse('constructor').matches({})).toBe(false);
      expect(LabelSelector.parse('!toString').matches({})).toBe(true);
    });
  });

  it('parses equality, set-based and existence requirements, sorted by key', () => {
    expect(
      LabelSelector.parse(
        'app.kubernetes.io/name=payments-api, env==prod,tier!=web,zone in (b, a, b),track notin (canary),team,!legacy,n>1,m<2',
      ).requirements,
    ).toEqual([
      {
        key: 'app.kubernetes.io/name',
        operator: '=',
        values: ['payments-api'],
      },
      { key: 'env', operator: '==', values: ['prod'] },
      { key: 'legacy', operator: '!', values: [] },
      { key: 'm', operator: 'lt', values: ['2'] },
      { key: 'n', operator: 'gt', values: ['1'] },
      { key: 'team', operator: 'exists', values: [] },
      { key: 'tier', operator: '!=', values: ['web'] },
      { key: 'track', operator: 'notin', values: ['canary'] },
      { key: 'zone', operator: 'in', values: ['a', 'b'] },
    ]);
  });

  it('knows the empty selector', () => {
    expect(LabelSelector.parse('').isEmpty()).toBe(true);
    expect(LabelSelector.parse(' \t').isEmpty()).toBe(true);
    expect(LabelSelector.parse('a').isEmpty()).toBe(false);
  });

  describe('rejects invalid selectors', () => {
    it.each([
      // backend cases
      'app=pay ments',
      'app in (a b)',
      '=x',
      'app=x\ny=z',
      // sandbox cases
      'a=b,',
      'a in (b',
      '=b',
      'a b',
      'a=b c',
      'a in (b,c))',
      // more
      ',a',
      'a,,b',
      '!a=b',
      '!',
      'a in b',
      'a notin',
      'a=(b)',
      'a=b=c',
      'a>b',
      'a>',
      'a<-1',
      'a>99999999999999999999',
      'a in (b,=)',
      'Example.com/a',
      'a/b/c',
      '/a',
      'a/',
      '-a',
      'a_',
      `${'k'.repeat(64)}`,
      `a=${'v'.repeat(64)}`,
      'a=-b',
      'a=é',
    ])('%j', selector => {
      let error: unknown;
      try {
        LabelSelector.parse(selector);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LabelSelectorError);
      expect((error as Error).message).toMatch(/label selector/i);
      expect((error as LabelSelectorError).selector).toBe(selector);
    });

    it.each([
      ['a=b,', "found '', expected: identifier after ','"],
      [
        'a in (b',
        "unable to parse requirement: found '', expected: ',' or ')'",
      ],
      [
        'a b',
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
      ],
      ['a in (b,c))', "found ')', expected: ',' or 'end of string'"],
      ['=x', "found '=', expected: !, identifier, or 'end of string'"],
      ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ])("%j with Kubernetes' message", (selector, detail) => {
      expect(() => LabelSelector.parse(selector)).toThrow(
        new LabelSelectorError(selector, detail),
      );
    });

    it('names the bad key or value', () => {
      expect(() => LabelSelector.parse('Example.com/a=b')).toThrow(
        /invalid label key "Example.com\/a": prefix part/,
      );
      expect(() => LabelSelector.parse('a in (ok,-bad)')).toThrow(
        /invalid label value "-bad"/,
      );
      expect(() => LabelSelector.parse('a>b')).toThrow(/must be an integer/);
    });
  });

  describe('equalityRequirements', () => {
    it('returns the =, == and in requirements, whose values every match has', () => {
      const selector = LabelSelector.parse(
        'env in (prod, dev, prod),app==payments,tier!=web,team,!legacy,zone notin (a),id=,n>1',
      );
      expect(selector.equalityRequirements()).toEqual([
        { key: 'app', values: ['payments'] },
        { key: 'env', values: ['dev', 'prod'] },
        { key: 'id', values: [''] },
      ]);
    });

    it('keeps every requirement on a key', () => {
      expect(
        LabelSelector.parse('a in (x,y),a=x').equalityRequirements(),
      ).toEqual([
        { key: 'a', values: ['x', 'y'] },
        { key: 'a', values: ['x'] },
      ]);
    });

    it('is empty without such requirements', () => {
      expect(LabelSelector.parse('').equalityRequirements()).toEqual([]);
      expect(LabelSelector.parse('a,!b').equalityRequirements()).toEqual([]);
    });

    it('returns copies', () => {
      const selector = LabelSelector.parse('a=b');
      selector.equalityRequirements()[0].values.push('c');
      expect(selector.equalityRequirements()).toEqual([
        { key: 'a', values: ['b'] },
      ]);
    });
  });

  describe('toString', () => {
    it.each([
      ['', ''],
      ['b=2, a==1', 'a==1,b=2'],
      [
        'z notin ( y , x ),!w,v,u in (t),s!=r',
        's!=r,u in (t),v,!w,z notin (x,y)',
      ],
      ['a in (), b=', 'a in (),b='],
      ['n>1,m<2', 'm<2,n>1'],
    ])('prints %j as %j', (selector, expected) => {
      expect(LabelSelector.parse(selector).toString()).toBe(expected);
      expect(LabelSelector.parse(expected).toString()).toBe(expected);
    });
  });

  describe('object form', () => {
    it('converts matchLabels and matchExpressions, sorted by key', () => {
      const selector = LabelSelector.fromObject({
        matchLabels: {
          app: 'payments-api',
          'rollouts-pod-template-hash': 'abc',
        },
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['web'] },
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      });
      expect(selector.toString()).toBe(
        'app=payments-api,env in (dev,prod),!legacy,rollouts-pod-template-hash=abc,team,tier notin (web)',
      );
      expect(
        selector.matches({
          app: 'payments-api',
          'rollouts-pod-template-hash': 'abc',
          env: 'dev',
          team: 'a',
        }),
      ).toBe(true);
      expect(selector.matches({ app: 'payments-api' })).toBe(false);
    });

    it('matches everything when empty', () => {
      expect(LabelSelector.fromObject({}).isEmpty()).toBe(true);
      expect(
        LabelSelector.fromObject({
          matchLabels: {},
          matchExpressions: [],
        }).matches(undefined),
      ).toBe(true);
    });

    it.each([
      [
        { matchExpressions: [{ key: 'a', operator: 'In' as const }] },
        /values set can't be empty/,
      ],
      [
        {
          matchExpressions: [
            { key: 'a', operator: 'Exists' as const, values: ['b'] },
          ],
        },
        /values set must be empty/,
      ],
      [
        {
          matchExpressions: [
            { key: 'a', operator: 'Gt' as any, values: ['1'] },
          ],
        },
        /"Gt" is not a valid label selector operator/,
      ],
      [{ matchLabels: { 'a/b/c': 'x' } }, /invalid label key/],
      [{ matchLabels: { a: 'x y' } }, /invalid label value/],
    ])('rejects %j', (object, message) => {
      expect(() => LabelSelector.fromObject(object)).toThrow(
        LabelSelectorError,
      );
      expect(() => LabelSelector.fromObject(object)).toThrow(message);
    });

    it('builds the object form of a parsed selector', () => {
      expect(
        LabelSelector.parse(
          'app=payments-api,env in (prod,dev),tier!=web,track notin (canary),team,!legacy,app==other',
        ).toObject(),
      ).toEqual({
        matchLabels: { app: 'payments-api' },
        matchExpressions: [
          // a second equality on a key keeps its meaning instead of overwriting
          { key: 'app', operator: 'In', values: ['other'] },
          { key: 'env', operator: 'In', values: ['dev', 'prod'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'team', operator: 'Exists' },
          { key: 'tier', operator: 'NotIn', values: ['web'] },
          { key: 'track', operator: 'NotIn', values: ['canary'] },
        ],
      });
      expect(LabelSelector.parse('').toObject()).toEqual({});
      expect(() => LabelSelector.parse('a>1').toObject()).toThrow(
        /"gt" isn't supported in label selectors/,
      );
    });

    it('round-trips through the object form', () => {
      const text = 'a=1,b in (2,3),c notin (4),d,!e';
      expect(
        LabelSelector.fromObject(
          LabelSelector.parse(text).toObject(),
        ).toString(),
      ).toBe('a=1,b in (2,3),c notin (4),d,!e');
    });
  });
});
