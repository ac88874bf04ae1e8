import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Deploy version 1.4.2 of payments-api to dev: commit image.tag of apps/payments-api/dev/values.yaml in the GitOps repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-image',
          action: 'gitops:image:set',
          name: 'Deploy to dev',
          input: {
            service: 'payments-api',
            environment: 'dev',
            tag: '1.4.2',
          },
        },
      ],
    }),
  },
  {
    description:
      'Propose a new image for prod as a pull request, in a repository laid out by environment, setting the repository too',
    example: yaml.stringify({
      steps: [
        {
          id: 'set-image',
          action: 'gitops:image:set',
          name: 'Open a pull request for prod',
          input: {
            service: 'orders-api',
            environment: 'prod',
            tag: 'a1b2c3d',
            repository: 'ghcr.io/acme/orders-api',
            repoUrl: 'https://github.com/acme/gitops.git',
            valuesPathTemplate: 'envs/{environment}/{service}/values.yaml',
            method: 'pull-request',
          },
        },
      ],
    }),
  },
];
