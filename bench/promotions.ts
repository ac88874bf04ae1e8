/**
 * 50 concurrent promotions over 10 services to one GitOps repository, written by 5
 * writers (as 5 backend replicas would, each with its own clone): every promotion must
 * land exactly once, the history must stay linear, and we report p50/p95 time to commit.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { git, GitopsRepositoryWriter, setValueEdit } from '../plugins/gitops-node/src';
import { percentile } from './lib/percentile';

const SERVICES = 10;
const PROMOTIONS = 50;
const REPLICAS = 5;


async function seed(root: string) {
  const remote = path.join(root, 'gitops.git');
  const work = path.join(root, 'seed');
  await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  await git(root, ['clone', '--quiet', remote, work]);
  for (let s = 0; s < SERVICES; s++) {
    const dir = path.join(work, `apps/svc-${s}/staging`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'values.yaml'), `# svc-${s} in staging\nimage:\n  repository: ghcr.io/example/svc-${s}\n  tag: "1.0.0" # promoted\n`);
  }
  await git(work, ['add', '.']);
  await git(work, ['commit', '--quiet', '-m', 'seed'], { author: { name: 'seed', email: 'seed@example.com' } });
  await git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
  return remote;
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-promotions-'));
  const remote = await seed(root);
  const writers = Array.from(
    { length: REPLICAS },
    (_, r) => new GitopsRepositoryWriter({ workDir: path.join(root, `replica-${r}`), author: { name: 'bench', email: 'bench@example.com' } }),
  );
  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: PROMOTIONS }, async (_, i) => {
      const begin = Date.now();
      await writers[i % REPLICAS].write({
        repoURL: `file://${remote}`,
        branch: 'main',
        edit: setValueEdit({ file: `apps/svc-${i % SERVICES}/staging/values.yaml`, key: 'image.tag', value: `1.${i + 1}.0` }),
        trailer: { key: 'Promotion-Id', value: `bench-${i}` },
        message: `Promote svc-${i % SERVICES} 1.${i + 1}.0`,
      });
      return Date.now() - begin;
    }),
  );
  const times = results.flatMap(r => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap(r => (r.status === 'rejected' ? [String(r.reason)] : []));
  const log = (await git(root, ['--git-dir', remote, 'log', '--format=%B%x00', 'main'])).split('\0');
  const trailers = log.flatMap(entry => entry.match(/Promotion-Id: bench-\d+/g) ?? []);
  const output = {
    benchmark: 'promotions',
    date: new Date().toISOString(),
    node: process.version,
    promotions: PROMOTIONS,
    services: SERVICES,
    writers: REPLICAS,
    committed: times.length,
    failures,
    commitsWithTrailer: trailers.length,
    distinctPromotionsInHistory: new Set(trailers).size,
    mergeCommits: Number(await git(root, ['--git-dir', remote, 'rev-list', '--merges', '--count', 'main'])),
    timeToCommitMs: { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times) },
    wallMs: Date.now() - started,
  };
  fs.writeFileSync(path.join(__dirname, 'results/promotions.json'), `${JSON.stringify(output, null, 2)}\n`);
  console.log(JSON.stringify(output, null, 2));
  fs.rmSync(root, { recursive: true, force: true });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
