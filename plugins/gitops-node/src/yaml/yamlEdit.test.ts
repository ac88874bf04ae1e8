import { setYamlValue } from './yamlEdit';

const VALUES = `# payments-api in staging
image:
  repository: ghcr.io/example/payments-api
  # bumped by promotions
  tag: "1.4.2" # the deployed version
resources:
  requests: {cpu: 50m, memory: 64Mi}
steps:
  - pause: {duration: 10s}
`;

describe('setYamlValue', () => {
  it('changes only the value, keeping quotes, comments and flow maps byte for byte', () => {
    const edit = setYamlValue(VALUES, ['image', 'tag'], '1.5.0');
    expect(edit).toEqual({ text: VALUES.replace('"1.4.2"', '"1.5.0"'), changed: true, previous: '1.4.2' });
  });

  it('keeps single quotes and plain style, quoting a plain value that would not stay a string', () => {
    expect(setYamlValue("tag: '1.4'\n", ['tag'], "1.5").text).toBe("tag: '1.5'\n");
    expect(setYamlValue('tag: v1\n', ['tag'], 'v2').text).toBe('tag: v2\n');
    expect(setYamlValue('tag: v1\n', ['tag'], '1.10').text).toBe('tag: "1.10"\n');
  });

  it('reports an unchanged value', () => {
    expect(setYamlValue(VALUES, ['image', 'tag'], '1.4.2')).toMatchObject({ changed: false, text: VALUES });
  });

  it('adds a missing key', () => {
    const edit = setYamlValue('# c\nimage:\n  repository: r\n', ['image', 'tag'], '1.0.0');
    expect(edit.text).toBe('# c\nimage:\n  repository: r\n  tag: 1.0.0\n');
  });

  it.each([
    ['image: [a]\n', /image is not a mapping/],
    ['image:\n  tag: {a: b}\n', /image.tag is not a scalar/],
    ['image: "unterminated\n', /not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => setYamlValue(text, ['image', 'tag'], '1.0.0')).toThrow(message);
  });
});
