import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Publish the generated service as a local bare repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'gitops:publish:local',
          name: 'Publish the service repository',
          input: {
            repoName: 'payments-api',
            sourcePath: 'service',
            gitCommitMessage: 'Create payments-api from the node-service golden path',
          },
        },
      ],
    }),
  },
];
