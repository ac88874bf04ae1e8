import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Deploy version 1.4.2 to dev by setting the tag in its values file',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-image',
          action: 'gitops:image:set',
          name: 'Set the dev image tag',
          input: {
            valuesPath: 'apps/payments-api/dev/values.yaml',
            tag: '1.4.2',
          },
        },
      ],
    }),
  },
];
