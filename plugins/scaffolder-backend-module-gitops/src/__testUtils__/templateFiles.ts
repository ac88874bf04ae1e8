import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'fs';
import path from 'path';
import yaml from 'yaml';

/** The repository's templates/ folder: the golden paths these actions serve. */
export const TEMPLATES_DIR = resolvePackagePath(
  '@gitops-suite/backstage-plugin-scaffolder-backend-module-gitops',
  '../../templates',
);

export interface TemplateFile {
  dir: string;
  file: string;
  doc: any;
}

export function loadTemplates(): TemplateFile[] {
  return fs
    .readdirSync(TEMPLATES_DIR)
    .filter(name => fs.existsSync(path.join(TEMPLATES_DIR, name, 'template.yaml')))
    .map(name => {
      const file = path.join(TEMPLATES_DIR, name, 'template.yaml');
      return { dir: path.dirname(file), file, doc: yaml.parse(fs.readFileSync(file, 'utf8')) };
    });
}

/**
 * Actions of the scaffolder backend and the modules the app installs
 * (packages/backend: scaffolder, github, notifications), plus this module's.
 */
export const BUILT_IN_ACTIONS = [
  'fetch:plain',
  'fetch:plain:file',
  'fetch:template',
  'fetch:template:file',
  'catalog:register',
  'catalog:write',
  'catalog:fetch',
  'debug:log',
  'debug:wait',
  'fs:delete',
  'fs:rename',
  'fs:readdir',
  'publish:github',
  'publish:github:pull-request',
  'github:repo:create',
  'github:repo:push',
  'notification:send',
];

/** Every `${{ ... }}` expression in a value, however deep. */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map(m => m[1].trim());
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}
