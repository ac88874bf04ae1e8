#!/usr/bin/env node
// Runs one benchmark (a TypeScript file in bench/) with Backstage's Node transform,
// under the repo's Node 22: `node bench/run.js deployments-read-path`.
const { spawnSync } = require('child_process');
const path = require('path');

const name = process.argv[2];
if (!name) {
  console.error('usage: node bench/run.js <benchmark>');
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  [
    '--require',
    require.resolve('@backstage/cli/config/nodeTransform.cjs'),
    path.join(__dirname, `${name}.ts`),
    ...process.argv.slice(3),
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
