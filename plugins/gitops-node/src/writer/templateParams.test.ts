import { parameterReference, renderTemplate } from './templateParams';

describe('renderTemplate', () => {
  const element = { cluster: 'staging', app: { name: 'payments' }, values: { suffix: 'eu' }, replicas: 3 };

  it.each([
    ['{{.cluster}}-payments', 'staging-payments'],
    ['{{ .cluster }}-{{.app.name}}', 'staging-payments'],
    ['{{- .cluster -}} - x', 'staging- x'],
    ['a {{- .cluster }}', 'astaging'],
    ['r{{.replicas}}', 'r3'],
    ['{{.missing}}', '<no value>'],
    ['plain', 'plain'],
  ])('renders Go template %s', (template, rendered) => {
    expect(renderTemplate(template, 'go', element, 'metadata.name')).toBe(rendered);
  });

  it('gives no name where Go would fail (a key of a missing map, a map)', () => {
    expect(renderTemplate('{{.nope.name}}', 'go', element, 'metadata.name')).toBeUndefined();
    expect(renderTemplate('{{.app}}', 'go', element, 'metadata.name')).toBeUndefined();
  });

  it.each([
    ['{{cluster}}-payments', 'staging-payments'],
    ['{{ cluster }}-{{values.suffix}}', 'staging-eu'],
    // Unknown tags and non-string values stay as written, as fasttemplate leaves them.
    ['{{missing}}-{{replicas}}', '{{missing}}-{{replicas}}'],
    ['{{}}x', '{{}}x'],
  ])('renders fasttemplate %s', (template, rendered) => {
    expect(renderTemplate(template, 'fasttemplate', element, 'metadata.name')).toBe(rendered);
  });

  it.each([
    ['go', '{{ .cluster | upper }}'],
    ['go', '{{ printf "%s" .cluster }}'],
    ['go', '{{ if .cluster }}x{{ end }}'],
    ['go', '{{ .cluster '],
    ['fasttemplate', '{{ cluster | upper }}'],
    ['fasttemplate', '{{.cluster}}'],
  ] as const)('refuses what it cannot evaluate (%s %s)', (syntax, template) => {
    expect(() => renderTemplate(template, syntax, element, 'metadata.name')).toThrow(
      `the ApplicationSet's template metadata.name '${template}' can't be evaluated`,
    );
  });
});

describe('parameterReference', () => {
  it('finds the one parameter a field consists of', () => {
    expect(parameterReference('{{.imageTag}}', 'go', 'x')).toEqual(['imageTag']);
    expect(parameterReference('{{ .version.chart }}', 'go', 'x')).toEqual(['version', 'chart']);
    expect(parameterReference('{{ imageTag }}', 'fasttemplate', 'x')).toEqual(['imageTag']);
    expect(parameterReference('{{values.imageTag}}', 'fasttemplate', 'x')).toEqual(['values', 'imageTag']);
  });

  it('tells a literal (undefined) from a field that is more than one reference', () => {
    expect(parameterReference('1.4.2', 'go', 'x')).toBeUndefined();
    expect(() => parameterReference('v{{.imageTag}}', 'go', 'spec.source.targetRevision')).toThrow(
      "the ApplicationSet's template sets spec.source.targetRevision to 'v{{.imageTag}}'; only a field that is exactly one parameter reference can be edited",
    );
    expect(() => parameterReference('{{.a}}{{.b}}', 'go', 'x')).toThrow(/exactly one parameter reference/);
  });
});
