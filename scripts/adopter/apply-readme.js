#!/usr/bin/env node
/*
 * Applies the README's install steps to an app fresh from @backstage/create-app: the
 * blocks marked `<!-- adopter-test: NAME -->` in README.md are what runs or is
 * inserted, so the README and the adopter test cannot drift apart.
 *
 * usage: apply-readme.js <app dir> <default|legacy> <registry url>
 */
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const REPO_ROOT = path.resolve(__dirname, '../..');
const [appDir, variant, registryUrl] = process.argv.slice(2);
if (!appDir || !['default', 'legacy'].includes(variant) || !registryUrl) {
  console.error('usage: apply-readme.js <app dir> <default|legacy> <registry url>');
  process.exit(2);
}

/** The marked blocks of README.md, by name: the fenced block after each marker, dedented. */
function readmeBlocks() {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = {};
  const marker = /<!-- adopter-test: ([a-z-]+) -->\n( *)```[a-z]*\n([\s\S]*?)\n *```/g;
  for (const [, name, indent, body] of readme.matchAll(marker)) {
    blocks[name] = body
      .split('\n')
      .map(line => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n');
  }
  return blocks;
}

function edit(file, change) {
  const target = path.join(appDir, file);
  const before = fs.readFileSync(target, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`${file}: the README's lines found no place to go`);
  fs.writeFileSync(target, after);
}

/**
 * Puts the snippet's import lines after the file's last import, and the rest where
 * `position(source)` says (an index into the source with the imports added).
 */
function insertTsx(source, snippet, position) {
  const lines = snippet.split('\n');
  const imports = lines.filter(l => l.startsWith('import ')).join('\n');
  const code = lines.filter(l => !l.startsWith('import ') && l.trim()).join('\n');
  const lastImport = [...source.matchAll(/^import [\s\S]*?;$/gm)].pop();
  const end = lastImport.index + lastImport[0].length;
  const withImports = `${source.slice(0, end)}\n${imports}${source.slice(end)}`;
  const at = position(withImports);
  if (at < 0) throw new Error('no place for the snippet');
  return `${withImports.slice(0, at)}${code}\n${withImports.slice(at)}`;
}

/** Just before the closing tag `close` that follows `after`. */
function before(close, after) {
  return text => {
    const start = text.indexOf(after);
    return start < 0 ? -1 : text.indexOf(close, start);
  };
}

const blocks = readmeBlocks();
for (const name of ['shell', 'backend', 'legacy-entity-page', 'legacy-overview-card', 'legacy-app-routes', 'config-sandbox']) {
  if (!blocks[name]) throw new Error(`README.md has no block marked adopter-test: ${name}`);
}

// The registry routes: the suite's scope to the test registry (what its release would
// be on npm). create-app's Yarn config holds new releases back three days
// (npmMinimalAgeGate) unless preapproved, as the README says.
edit('.yarnrc.yml', text => {
  const doc = YAML.parseDocument(text);
  doc.setIn(['npmScopes', 'gitops-suite', 'npmRegistryServer'], registryUrl);
  doc.setIn(['unsafeHttpWhitelist'], ['localhost']);
  const approved = doc.getIn(['npmPreapprovedPackages']);
  approved.add('@gitops-suite/*');
  return doc.toString();
});

// Pins this machine's registry needs (it lacks some platform packages; the repo root
// pins the same), and the signals backend of this release: resolved without
// create-app's yarn.lock seed (its download fails here), a newer one than
// backend-defaults supports is picked ("addWebSocketHandler is not a function").
edit('package.json', text => {
  const pkg = JSON.parse(text);
  const ours = require(path.join(REPO_ROOT, 'package.json')).resolutions;
  const pins = ['@swc/core', '@yarnpkg/core', 'rollup', 'unrs-resolver'];
  pkg.resolutions = {
    ...pkg.resolutions,
    ...Object.fromEntries(pins.map(name => [name, ours[name]])),
    '@backstage/plugin-signals-backend': '0.3.19',
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
});

// The release's versions. create-app seeds yarn.lock with the lock of its Backstage
// release (yarn.lock seed); its download fails on this network, and without it Yarn
// picks the newest of every range, packages released after 1.55 among them (a
// plugin-catalog-react 4 beside the release's 3.2), so the app would not be an app "on
// that release". This repository's yarn.lock is a lock of the same release (1.55,
// backstage.json): it serves as the seed.
const appLock = path.join(appDir, 'yarn.lock');
if (fs.statSync(appLock).size < 1024) {
  fs.copyFileSync(path.join(REPO_ROOT, 'yarn.lock'), appLock);
  console.log('seeded yarn.lock with the Backstage 1.55 lock of this repository');
}

// 1. the packages
for (const command of blocks.shell.split('\n').filter(l => l.trim())) {
  console.log(`$ ${command}`);
  execSync(command, { cwd: appDir, stdio: 'inherit' });
}

// 2. the backend
edit('packages/backend/src/index.ts', text =>
  text.replace('backend.start();', `${blocks.backend.trim()}\n\nbackend.start();`),
);

// 3. the legacy frontend system's entity page and routes
if (variant === 'legacy') {
  edit('packages/app/src/components/catalog/EntityPage.tsx', text =>
    insertTsx(text, blocks['legacy-entity-page'], before('  </EntityLayout>', 'const serviceEntityPage')),
  );
  edit('packages/app/src/components/catalog/EntityPage.tsx', text =>
    insertTsx(text, blocks['legacy-overview-card'], before('  </Grid>\n);', 'const overviewContent')),
  );
  edit('packages/app/src/App.tsx', text =>
    insertTsx(text, blocks['legacy-app-routes'], before('  </FlatRoutes>', '<FlatRoutes>')),
  );
}

// 4. configuration: the README's sandbox config as the app's local config
fs.writeFileSync(path.join(appDir, 'app-config.local.yaml'), `${blocks['config-sandbox'].trim()}\n`);

// One copy of each core package: the suite's dependency ranges fit the release's.
const CORE = [
  '@backstage/core-plugin-api',
  '@backstage/frontend-plugin-api',
  '@backstage/backend-plugin-api',
  '@backstage/plugin-catalog-react',
  '@backstage/plugin-catalog-node',
  '@backstage/core-components',
  '@backstage/catalog-model',
];
const duplicated = CORE.filter(name => {
  const versions = new Set(
    execSync(`yarn why ${name} --json`, { cwd: appDir, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .flatMap(line => Object.values(JSON.parse(line).children ?? {}))
      .map(child => child.descriptor ?? '')
      .map(descriptor => /@npm:([^\s]+)$/.exec(descriptor)?.[1])
      .filter(Boolean),
  );
  if (versions.size > 1) console.error(`${name} is installed twice: ${[...versions].join(', ')}`);
  return versions.size > 1;
});
if (duplicated.length) process.exit(1);
console.log(`applied the README's install steps to ${appDir} (${variant})`);
