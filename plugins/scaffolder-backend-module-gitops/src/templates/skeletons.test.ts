import { createMockDirectory } from '@backstage/backend-test-utils';
import yaml from 'yaml';
import { renderSkeleton } from '../__testUtils__/renderSkeleton';

const VALUES = {
  name: 'checkout-api',
  description: 'Takes the money: "carefully"',
  owner: 'group:default/team-payments',
  system: 'commerce',
  strategy: 'canary',
  imageRegistry: 'ghcr.io/acme',
};

describe.each([
  ['node-service', 'typescript', 'npm test'],
  ['python-service', 'python', 'pytest'],
])('the %s skeleton', (template, language, testCommand) => {
  const dir = createMockDirectory();
  let files: Record<string, string>;

  beforeAll(async () => {
    files = await renderSkeleton(template, { ...VALUES, language }, dir.path);
  });

  it('renders every value and leaves no template syntax behind', () => {
    for (const [file, text] of Object.entries(files)) {
      expect([file, text]).not.toEqual([file, expect.stringMatching(/\{%|%\}/)]);
      // GitHub expressions survive (raw block); no scaffolder expression does
      const leftovers = [...text.matchAll(/\$\{\{\s*([\w.]+)/g)].map(m => m[1]);
      for (const expression of leftovers) expect(expression).toMatch(/^(github|secrets|vars|env|steps)\./);
    }
    expect(files['catalog-info.yaml']).toBeDefined();
  });

  it('writes YAML that parses', () => {
    const yamlFiles = Object.keys(files).filter(f => /\.ya?ml$/.test(f) && !/\/templates\//.test(f));
    expect(yamlFiles.length).toBeGreaterThan(4);
    for (const file of yamlFiles) {
      for (const doc of yaml.parseAllDocuments(files[file])) expect([file, doc.errors]).toEqual([file, []]);
    }
  });

  it('describes a catalog Component with the annotations of the Deployments tab', () => {
    expect(yaml.parse(files['catalog-info.yaml'])).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'checkout-api',
        description: VALUES.description,
        annotations: {
          'argocd/app-selector': 'app.kubernetes.io/name=checkout-api',
          'backstage.io/kubernetes-id': 'checkout-api',
          'gitops.backstage.io/values-path': 'apps/checkout-api/{environment}/values.yaml',
        },
        tags: [language, 'gitops'],
      },
      spec: { type: 'service', lifecycle: 'experimental', owner: VALUES.owner, system: 'commerce' },
    });
  });

  it('leaves the system out when the form has none', async () => {
    const other = createMockDirectory();
    const withoutSystem = await renderSkeleton(template, { ...VALUES, system: undefined, language }, other.path);
    expect(yaml.parse(withoutSystem['catalog-info.yaml']).spec).not.toHaveProperty('system');
  });

  it('runs CI as: unit tests, build, scan gate, push, keyless signature, scan upload, dev bump', () => {
    const ci = yaml.parse(files['.github/workflows/ci.yaml']);
    expect(ci.env.IMAGE).toBe('ghcr.io/acme/checkout-api');
    expect(ci.env.GITOPS_VALUES_PATH).toBe('apps/checkout-api/dev/values.yaml');
    expect(ci.jobs.test.steps.map((s: any) => s.run).join('\n')).toContain(testCommand);
    expect(ci.jobs.image.needs).toBe('test');
    const runs: string[] = ci.jobs.image.steps.map((s: any) => s.run ?? s.uses);
    const at = (pattern: RegExp) => {
      const index = runs.findIndex(run => pattern.test(run));
      expect([pattern, index]).not.toEqual([pattern, -1]);
      return index;
    };
    const order = [
      at(/docker build .*"\$IMAGE:\$GITHUB_SHA"/),
      at(/trivy image --severity CRITICAL --ignore-unfixed --exit-code 1/),
      at(/docker push "\$IMAGE:\$GITHUB_SHA"/),
      at(/^sigstore\/cosign-installer@v\d+$/),
      at(/^cosign sign --yes "\$IMAGE@\$DIGEST"$/),
      at(/trivy image -f json[\s\S]*\$\{BACKSTAGE_URL\}\/api\/gitops\/v1\/scans[\s\S]*Authorization: Bearer/),
      at(/yq -i '\.image\.tag = strenv\(TAG\)[\s\S]*git push/),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const upload = ci.jobs.image.steps[order[5]];
    expect(upload.env.BACKSTAGE_TOKEN).toBe('${{ secrets.BACKSTAGE_SCANS_TOKEN }}');
    // Signs the digest it pushed, keyless: the job's OIDC token is its identity.
    const push = ci.jobs.image.steps[order[2]];
    expect(push.id).toBe('push');
    expect(push.run).toMatch(/echo "digest=\$\(docker inspect --format '\{\{index \.RepoDigests 0\}\}' "\$IMAGE:\$GITHUB_SHA" \| cut -d@ -f2\)" >> "\$GITHUB_OUTPUT"/);
    const sign = ci.jobs.image.steps[order[4]];
    expect(sign.env.DIGEST).toBe('${{ steps.push.outputs.digest }}');
    for (const step of [ci.jobs.image.steps[order[3]], sign]) expect(step.if).toBe("env.PUBLISH == 'true'");
    expect(ci.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
  });

  it('never writes a secret: CI reads its tokens from GitHub and edits only the image tag', () => {
    const text = files['.github/workflows/ci.yaml'];
    expect(text).not.toMatch(/kind:\s*Secret\b|create secret|kubeseal|SealedSecret|ExternalSecret/);
    const ci = yaml.parse(text);
    const runs: string[] = Object.values(ci.jobs).flatMap((job: any) => job.steps.map((s: any) => s.run ?? ''));
    // The one edit of the GitOps repository: image.tag of dev's values file.
    const edits = runs.flatMap(run => run.match(/yq -i '[^']*'/g) ?? []);
    expect(edits).toEqual([`yq -i '.image.tag = strenv(TAG) | .image.tag style="double"'`]);
    // Tokens come from GitHub's secrets, never from a literal in the workflow.
    const credentials = Object.values(ci.jobs)
      .flatMap((job: any) => job.steps.flatMap((s: any) => Object.entries(s.env ?? {})))
      .filter(([name]) => /TOKEN|PASSWORD|SECRET/.test(name));
    expect(credentials.length).toBeGreaterThan(0);
    for (const [name, value] of credentials) expect([name, value]).toEqual([name, expect.stringMatching(/^\$\{\{ secrets\./)]);
  });

  it('scans with Grype instead when the form chooses it, gating and uploading the same way', async () => {
    const other = createMockDirectory();
    const withGrype = await renderSkeleton(template, { ...VALUES, scanner: 'grype', language }, other.path);
    const ci = yaml.parse(withGrype['.github/workflows/ci.yaml']);
    const runs: string[] = ci.jobs.image.steps.map((s: any) => s.run ?? s.uses);
    expect(runs.join('\n')).not.toMatch(/trivy/);
    const gate = runs.findIndex(run => /^grype "\$IMAGE:\$GITHUB_SHA" --only-fixed --fail-on critical$/.test(run));
    const push = runs.findIndex(run => /docker push/.test(run));
    const upload = runs.findIndex(run => /grype "\$IMAGE:\$GITHUB_SHA" -o json --file scan.json\n\s*curl[\s\S]*--data-binary @scan.json/.test(run));
    expect([gate, push, upload].every(i => i >= 0)).toBe(true);
    expect(gate).toBeLessThan(push);
    expect(push).toBeLessThan(upload);
    // Installed at a pinned version.
    expect(runs[gate - 1]).toMatch(/get\.anchore\.io\/grype \| sudo sh -s -- -b \/usr\/local\/bin v\d+\.\d+\.\d+$/);
    // Trivy stays the default: the rendering above, without a scanner value.
    expect(files['.github/workflows/ci.yaml']).not.toMatch(/grype/i);
  });

  it('builds a multi-stage, pinned, non-root image with a health check', () => {
    const dockerfile = files.Dockerfile;
    const bases = [...dockerfile.matchAll(/^ARG \w+_IMAGE=(\S+)$/gm)].map(m => m[1]);
    expect(bases).toHaveLength(1);
    expect(bases[0]).toMatch(/:\d+\.\d+\.\d+-/);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM \S+ AS build$/m);
    const user = dockerfile.match(/^USER (\d+):(\d+)$/m);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD .*\/healthz/m);
  });
});
