import fs from 'fs';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createMockDirectory } from '@backstage/backend-test-utils';
import yaml from 'yaml';
import { createSetImageAction } from './setImage';
import { examples } from './setImage.examples';

const VALUES = `# payments-api in dev
image:
  repository: ghcr.io/example/payments-api
  # bumped by CI
  tag: "1.4.0"
replicas: 1
`;

describe('gitops:image:set', () => {
  const workspace = createMockDirectory();
  beforeEach(() => workspace.setContent({ 'values.yaml': VALUES }));

  it('sets the tag and keeps comments and the rest of the file', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspace.path,
      input: { valuesPath: 'values.yaml', tag: '1.5.0' },
    });
    await createSetImageAction().handler(ctx);
    const content = workspace.content()?.['values.yaml'] as string;
    expect(content).toBe(VALUES.replace('"1.4.0"', '"1.5.0"'));
    expect(ctx.output).toHaveBeenCalledWith('previousTag', '1.4.0');
  });

  it('changes nothing in a dry run', async () => {
    const ctx = {
      ...createMockActionContext({
        workspacePath: workspace.path,
        input: { valuesPath: 'values.yaml', tag: '1.5.0' },
      }),
      isDryRun: true,
    };
    await createSetImageAction().handler(ctx);
    expect(workspace.content()?.['values.yaml']).toBe(VALUES);
  });

  it.each([
    [{ valuesPath: 'values.yaml', tag: '1.5.0\nmalicious: true' }, /is not a valid image tag/],
    [{ valuesPath: 'missing.yaml', tag: '1.5.0' }, /valuesPath 'missing.yaml' does not exist/],
    [{ valuesPath: '../outside.yaml', tag: '1.5.0' }, /outside/i],
  ])('refuses %j and changes nothing', async (input, message) => {
    const ctx = createMockActionContext({ workspacePath: workspace.path, input });
    await expect(createSetImageAction().handler(ctx)).rejects.toThrow(message);
    expect(workspace.content()?.['values.yaml']).toBe(VALUES);
  });

  it('runs its documented example', async () => {
    workspace.setContent({ 'apps/payments-api/dev/values.yaml': VALUES });
    const step = yaml.parse(examples[0].example).steps[0];
    const ctx = createMockActionContext({ workspacePath: workspace.path, input: step.input });
    await createSetImageAction().handler(ctx);
    expect(
      fs.readFileSync(workspace.resolve('apps/payments-api/dev/values.yaml'), 'utf8'),
    ).toContain('tag: "1.4.2"');
  });
});
