import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs/promises';
import { setYamlValue } from '@internal/backstage-plugin-gitops-common';
import { examples } from './setImage.examples';

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * `gitops:image:set`: sets `image.tag` (and optionally `image.repository`) in a Helm
 * values file of the workspace, keeping its comments and layout (yaml Document API),
 * the edit CI and promotions make to a GitOps environment repository.
 */
export function createSetImageAction() {
  return createTemplateAction({
    id: 'gitops:image:set',
    description:
      'Sets the image tag (and optionally repository) in a Helm values file of the workspace, preserving comments.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        valuesPath: z =>
          z.string().describe('Path of the values file, relative to the workspace'),
        tag: z => z.string().describe('The image tag to deploy, e.g. 1.4.2 or a commit SHA'),
        repository: z =>
          z.string().optional().describe('The image repository, e.g. ghcr.io/org/service'),
      },
      output: {
        previousTag: z =>
          z.string().optional().describe('The tag the file held before, if any'),
      },
    },
    async handler(ctx) {
      const { valuesPath, tag, repository } = ctx.input;
      if (!TAG_PATTERN.test(tag)) {
        throw new InputError(
          `tag '${tag}' is not a valid image tag (letters, digits, '_', '.', '-'; at most 128)`,
        );
      }
      const file = resolveSafeChildPath(ctx.workspacePath, valuesPath);
      const text = await fs.readFile(file, 'utf8').catch(() => {
        throw new InputError(`valuesPath '${valuesPath}' does not exist in the workspace`);
      });
      let edit;
      try {
        edit = setYamlValue(text, ['image', 'tag'], tag);
        if (repository) {
          edit = { ...setYamlValue(edit.text, ['image', 'repository'], repository), previous: edit.previous };
        }
      } catch (error) {
        throw new InputError(`valuesPath '${valuesPath}': ${(error as Error).message}`);
      }
      const previousTag = edit.previous;
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would set image.tag of ${valuesPath} to ${tag}`);
      } else {
        await ctx.checkpoint({
          key: `gitops-image-set-${valuesPath}-${tag}`,
          fn: () => fs.writeFile(file, edit.text),
        });
        ctx.logger.info(`Set image.tag of ${valuesPath} to ${tag}`);
      }
      ctx.output('previousTag', previousTag === undefined ? undefined : String(previousTag));
    },
  });
}
