import { mockServices } from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';
import yaml from 'yaml';
import { TEMPLATES_DIR } from './templateFiles';

/**
 * Runs a template's fetch:template step with the scaffolder's own action (the same
 * renderer the backend uses) into `workspacePath`, with `values` as the form would
 * give them. Returns the files it wrote (the action also leaves its fetched copy of
 * the skeleton in `template/` of the workspace, so it renders into `out/`).
 */
export async function renderSkeleton(template: string, values: Record<string, unknown>, workspacePath: string) {
  const templateFile = path.join(TEMPLATES_DIR, template, 'template.yaml');
  const doc = yaml.parse(fs.readFileSync(templateFile, 'utf8'));
  const step = doc.spec.steps.find((s: any) => s.action === 'fetch:template');
  const action = createFetchTemplateAction({
    reader: mockServices.urlReader.mock(),
    integrations: ScmIntegrations.fromConfig(mockServices.rootConfig()),
  });
  await action.handler(
    createMockActionContext({
      workspacePath,
      templateInfo: { baseUrl: pathToFileURL(templateFile).href, entityRef: `template:default/${doc.metadata.name}` },
      input: { ...step.input, values, targetPath: 'out' },
    }),
  );
  const files: Record<string, string> = {};
  const out = path.join(workspacePath, 'out');
  for (const file of fs.readdirSync(out, { recursive: true }) as string[]) {
    const full = path.join(out, file);
    if (fs.statSync(full).isFile()) files[file.split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
  }
  return files;
}
