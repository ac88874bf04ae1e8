import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Register payments-api in dev, staging and prod of the GitOps repository, with canary rollouts',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'gitops:service:register',
          name: 'Add the service to the GitOps repository',
          input: {
            service: 'payments-api',
            repoUrl: 'https://github.com/acme/gitops.git',
            imageRepository: 'ghcr.io/acme/payments-api',
            strategy: 'canary',
          },
        },
      ],
    }),
  },
  {
    description: 'Register a blue-green service in two environments of a custom layout',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'gitops:service:register',
          name: 'Add the service to the GitOps repository',
          input: {
            service: 'orders-api',
            imageRepository: 'registry.acme.internal/team/orders-api',
            environments: ['dev', 'prod'],
            replicas: { dev: 1, prod: 3 },
            strategy: 'blueGreen',
            valuesPathTemplate: 'envs/{environment}/{service}/values.yaml',
            applicationPathTemplate: 'applications/{environment}/{service}.yaml',
          },
        },
      ],
    }),
  },
  {
    description:
      'Register payments-api through a pull request: push to gitops/register-payments-api and open it on GitHub',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'gitops:service:register',
          name: 'Propose the service to the GitOps repository',
          input: {
            service: 'payments-api',
            repoUrl: 'https://github.com/acme/gitops.git',
            imageRepository: 'ghcr.io/acme/payments-api',
            method: 'pull-request',
          },
        },
      ],
    }),
  },
  {
    description:
      'Register inventory-api as elements of the list generator of the ApplicationSet in argocd/services.yaml, with its values files, in one commit',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'gitops:service:register',
          name: 'Add the service to the ApplicationSet',
          input: {
            service: 'inventory-api',
            imageRepository: 'ghcr.io/acme/inventory-api',
            applicationSet: { file: 'argocd/services.yaml' },
          },
        },
      ],
    }),
  },
];
