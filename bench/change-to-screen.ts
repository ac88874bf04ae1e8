/**
 * Change to screen: how long after the sandbox's Argo CD reports a finished sync the
 * Deployments tab in Chromium shows it, over 20 changes, side by side in one run for
 * the streamed inventory (default config) and today's design (`stream: false`,
 * `refreshIntervalSeconds: 30`: the inventory polled every 30 s).
 *
 * Each mode starts its own sandbox and backend (the built app served on :7007, so
 * `yarn backstage-cli repo build --all` first, as CI does) through Playwright
 * (bench/change-to-screen/). The clock starts when the sandbox's Argo CD API first
 * answers the app Synced with the new image (polled every 20 ms) and stops when the tab
 * shows the new tag. Ports 7007, 7080 and 7081 must be free.
 *
 * `node bench/run.js change-to-screen [--changes 20] [--modes stream,polling]`
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { percentile } from './lib/percentile';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const changes = Number(arg('changes', '20'));
const modes = arg('modes', 'stream,polling').split(',');

function withoutNodeEnv(): NodeJS.ProcessEnv {
  const { NODE_ENV: _nodeEnv, ...env } = process.env;
  return env;
}

function run(mode: string): number[] {
  const resultFile = path.join(os.tmpdir(), `change-to-screen-${mode}-${process.pid}.json`);
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'bench/change-to-screen/playwright.config.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      // bench/run.js sets NODE_ENV=test for itself; the backend must run as `yarn start` does
      // (a development run, where guest sign-in is allowed).
      env: { ...withoutNodeEnv(), CI: 'true', BENCH_INVENTORY_MODE: mode, BENCH_CHANGES: String(changes), BENCH_RESULT_FILE: resultFile },
    },
  );
  if (result.status !== 0) throw new Error(`change-to-screen (${mode}) failed`);
  const samples = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as number[];
  fs.rmSync(resultFile);
  return samples;
}

const resultsFile = path.join(__dirname, 'results', 'change-to-screen.json');
// A run of some modes keeps the figures of the others from the last run.
const figures: Record<string, unknown> = fs.existsSync(resultsFile)
  ? Object.fromEntries(
      Object.entries(JSON.parse(fs.readFileSync(resultsFile, 'utf8'))).filter(([key]) => ['stream', 'polling'].includes(key)),
    )
  : {};
for (const mode of modes) {
  const samples = run(mode);
  figures[mode] = {
    date: new Date().toISOString(),
    changes: samples.length,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    maxMs: Math.max(...samples),
    samplesMs: samples,
  };
}
const out = {
  benchmark: 'change-to-screen',
  date: new Date().toISOString(),
  machine: `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  method: 'sandbox Argo CD reports Synced with the new image -> the Deployments tab in Chromium shows the new tag',
  modes: { stream: 'default config (watch stream + signals)', polling: 'stream: false, refreshIntervalSeconds: 30 (today: the inventory polled every 30 s)' },
  ...figures,
};
fs.writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
