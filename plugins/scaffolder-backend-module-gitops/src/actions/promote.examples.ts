import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Promote what runs in staging to prod, with a reason for the record',
    example: yaml.stringify({
      steps: [
        {
          id: 'promote',
          action: 'gitops:promote',
          name: 'Promote payments-api to prod',
          input: {
            entityRef: 'component:default/payments-api',
            from: 'staging',
            to: 'prod',
            comment: 'Release 1.5.0: new refunds API',
          },
        },
      ],
    }),
  },
];
