import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { z } from 'zod';

const nameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'must be a lowercase DNS label (a-z, 0-9, -)',
  );

const regexSchema = z.string().refine(
  value => {
    try {
      RegExp(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const relativePathSchema = z
  .string()
  .refine(v => !v.split('/').includes('..') && !v.startsWith('/'), {
    message: 'must be a relative path inside the repository',
  });

const gatesSchema = z.object({
  maxCritical: z.number().int().min(0).optional(),
  maxHigh: z.number().int().min(0).optional(),
  onlyFixable: z.boolean().default(true),
  maxPolicyFailures: z.number().int().min(0).optional(),
  maxExposedSecrets: z.number().int().min(0).optional(),
  requireVerifiedImages: z.boolean().optional(),
  onlyEnforcedPolicies: z.boolean().default(true),
  requireSourceHealthy: z.boolean().default(true),
  requireSourceHooksPassed: z.boolean().optional(),
  soakMinutes: z.number().min(0).optional(),
  freezeWindows: z
    .array(
      z.object({
        start: z.string().datetime({ offset: true }),
        end: z.string().datetime({ offset: true }),
        reason: z.string().optional(),
      }),
    )
    .default([]),
});

const promotionSchema = z.object({
  gates: gatesSchema.default({}),
  approvals: z
    .object({
      required: z.number().int().min(0),
      groups: z.array(z.string()).default([]),
      allowSelfApproval: z.boolean().default(false),
    })
    .default({ required: 0 }),
  write: z
    .object({
      // Absent: derived from the target's Argo CD application (see resolveTarget.ts).
      strategy: z
        .enum(['helm-value', 'kustomize-image', 'chart-version', 'git-revision', 'environment-branch'])
        .optional(),
      valuesFile: relativePathSchema.optional(),
      applicationFile: relativePathSchema.optional(),
      applicationSetFile: relativePathSchema.optional(),
      manifestRepoURL: z.string().min(1).optional(),
      manifestBranch: z.string().regex(/^[A-Za-z0-9._\/-]+$/).default('main'),
      key: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/).default('image.tag'),
      kustomizationFile: relativePathSchema.optional(),
      method: z.enum(['commit', 'pull-request']).default('commit'),
    })
    .default({}),
  verifyTimeoutMinutes: z.number().min(1).default(30),
  // Three days: a pull request opened on a Friday still gets its Monday review.
  pullRequestTimeoutMinutes: z.number().min(1).default(4320),
  autoRollback: z.boolean().default(false),
  rollback: z
    .object({
      skipGates: z.array(z.enum(['soak-time', 'vulnerabilities', 'policies', 'exposed-secrets', 'verified-images'])).default(['soak-time', 'vulnerabilities']),
    })
    .default({}),
  mode: z.enum(['manual', 'automatic']).default('manual'),
});

const environmentSchema = z.object({
  name: nameSchema,
  title: z.string().optional(),
  promotesFrom: z.string().optional(),
  match: z
    .object({
      labels: z.record(z.string()).optional(),
      namePattern: regexSchema.optional(),
      destination: z
        .object({
          cluster: z.string().optional(),
          namespacePattern: regexSchema.optional(),
        })
        .optional(),
    })
    .refine(m => m.labels || m.namePattern || m.destination, {
      message: 'needs at least one of labels, namePattern or destination',
    }),
  promotion: promotionSchema.default({}),
  rolloutControl: z.enum(['argocd', 'kubernetes']).default('argocd'),
  kubernetesCluster: z.string().optional(),
});

const instanceSchema = z
  .object({
    name: nameSchema,
    url: z.string().url(),
    frontendUrl: z.string().url().optional(),
    token: z.string().min(1).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    skipTLSVerify: z.boolean().optional(),
  })
  .refine(i => i.token || (i.username && i.password), {
    message: 'needs a token, or a username and password',
  });

const gitopsSchema = z.object({
  environments: z.array(environmentSchema).min(1),
  git: z
    .object({
      authorName: z.string().default('Backstage GitOps'),
      authorEmail: z.string().email().default('gitops@backstage.local'),
      workDir: z.string().optional(),
      rewriteUrls: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })).default([]),
      sourceCloneRetentionDays: z.number().min(1).default(14),
      maxSourceClones: z.number().int().min(1).default(200),
    })
    .default({}),
  argocd: z.object({
    refreshIntervalSeconds: z.number().int().min(1).default(30),
    stream: z.boolean().default(true),
    resyncIntervalSeconds: z.number().int().min(10).default(600),
    requestTimeoutMs: z.number().int().min(100).default(10_000),
    instances: z.array(instanceSchema),
  }),
  kubernetes: z
    .object({ requestTimeoutMs: z.number().int().min(100).default(10_000) })
    .default({}),
  previews: z
    .object({
      match: z
        .object({ labels: z.record(z.string()).default({ 'gitops.backstage.io/preview': 'true' }) })
        .default({}),
    })
    .default({}),
  lineStops: z
    .object({ allowRollbacks: z.boolean().default(true) })
    .default({}),
  scans: z
    .object({
      supersededRetentionDays: z.number().min(1).default(30),
      maxAgeDays: z.number().min(1).default(365),
    })
    .default({}),
  tasks: z
    .object({
      promotionEngineIntervalSeconds: z.number().min(1).default(2),
      promotionEngineConcurrency: z.number().int().min(1).max(32).default(4),
      continuousDeploymentIntervalSeconds: z.number().min(1).default(15),
    })
    .default({}),
});

/** The validated `gitops` configuration. */
export type GitopsConfig = z.infer<typeof gitopsSchema>;
export type EnvironmentConfig = GitopsConfig['environments'][number];
export type ArgoCdInstanceConfig = GitopsConfig['argocd']['instances'][number];
export type PromotionConfig = EnvironmentConfig['promotion'];

/**
 * Reads and validates the `gitops` config key once at start-up, failing with a
 * message that names the offending key, e.g. `gitops.environments[1].match`.
 */
export function readGitopsConfig(config: Config): GitopsConfig {
  const raw = config.getOptional('gitops') ?? {
    environments: [],
    argocd: { instances: [] },
  };
  const parsed = gitopsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      issue => `${formatPath(['gitops', ...issue.path])}: ${issue.message}`,
    );
    throw new InputError(`Invalid gitops configuration: ${problems.join('; ')}`);
  }
  checkReferences(parsed.data);
  return parsed.data;
}

function checkReferences(config: GitopsConfig) {
  const names = config.environments.map(e => e.name);
  config.environments.forEach((env, index) => {
    if (names.indexOf(env.name) !== index) {
      throw new InputError(
        `Invalid gitops configuration: gitops.environments[${index}].name: duplicate environment '${env.name}'`,
      );
    }
    if (env.promotesFrom && !names.includes(env.promotesFrom)) {
      throw new InputError(
        `Invalid gitops configuration: gitops.environments[${index}].promotesFrom: unknown environment '${env.promotesFrom}'`,
      );
    }
  });
  const instances = config.argocd.instances.map(i => i.name);
  instances.forEach((name, index) => {
    if (instances.indexOf(name) !== index) {
      throw new InputError(
        `Invalid gitops configuration: gitops.argocd.instances[${index}].name: duplicate instance '${name}'`,
      );
    }
  });
}

function formatPath(path: (string | number)[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${part}`,
    )
    .join('');
}
