#!/usr/bin/env node
/*
 * A minimal npm registry for the adopter test: serves the suite's packed tarballs
 * (`yarn pack` of each published package) under their real names, the way the npm
 * registry would after a release, so the README's `yarn add` and `npx` lines run
 * unchanged. The adopter app and npm route only the @gitops-suite scope here
 * (npmScopes / @gitops-suite:registry); every other package comes from the usual
 * registry.
 *
 * usage: registry.js <dir of .tgz files> <port>
 */
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const [dir, port] = process.argv.slice(2);
if (!dir || !port) {
  console.error('usage: registry.js <dir of .tgz files> <port>');
  process.exit(2);
}

function readPackages(base) {
  const packages = new Map();
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.tgz'))) {
    const tarball = fs.readFileSync(path.join(dir, file));
    const manifest = JSON.parse(
      execFileSync('tar', ['xzf', path.join(dir, file), '-O', 'package/package.json'], { encoding: 'utf8' }),
    );
    const published = fs.statSync(path.join(dir, file)).mtime.toISOString();
    packages.set(manifest.name, {
      file,
      tarball,
      packument: {
        name: manifest.name,
        'dist-tags': { latest: manifest.version },
        time: { created: published, modified: published, [manifest.version]: published },
        versions: {
          [manifest.version]: {
            ...manifest,
            _id: `${manifest.name}@${manifest.version}`,
            dist: {
              tarball: `${base}/-/${file}`,
              shasum: crypto.createHash('sha1').update(tarball).digest('hex'),
              integrity: `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`,
            },
          },
        },
      },
    });
  }
  return packages;
}

const packages = readPackages(`http://localhost:${port}`);
const byFile = new Map([...packages.values()].map(p => [p.file, p]));

http
  .createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (url.startsWith('/-/')) {
      const pkg = byFile.get(url.slice(3));
      if (pkg) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(pkg.tarball);
      }
    } else {
      const pkg = packages.get(url.slice(1));
      if (pkg) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(pkg.packument));
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'Not found' }));
  })
  .listen(Number(port), '127.0.0.1', () => {
    console.log(`registry ready on :${port} serving ${[...packages.keys()].join(', ')}`);
  });
