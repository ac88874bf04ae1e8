#!/usr/bin/env node
/*
 * prepack: the published sandbox carries the example data it serves (the GitOps
 * repository seed, the findings scenario, the example services' source histories) and
 * the catalog entities of those services, copied from the monorepo's examples/.
 * postpack removes the copy (`--clean`).
 */
const fs = require('fs');
const path = require('path');

const target = path.resolve(__dirname, '../examples');
fs.rmSync(target, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);
const source = path.resolve(__dirname, '../../../examples');
for (const entry of ['gitops-repo', 'helm-charts', 'sandbox', 'services.yaml']) {
  fs.cpSync(path.join(source, entry), path.join(target, entry), { recursive: true });
}
