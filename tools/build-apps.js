#!/usr/bin/env node
// @ts-check
/**
 * Builds the apps into dist/ (Nest apps with `nest build`, the browser app with Vite), skipping each app whose sources
 * are unchanged since its last build:
 * `node tools/build-apps.js [--force] [app …]` (every app by default). Plain JavaScript, because it runs before
 * anything is compiled.
 */
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { checkFirstLoad } = require('./web-bundle-size');

const ROOT = path.resolve(__dirname, '..');
const APPS = ['site-agent', 'broker', 'demo', 'researcher-cli', 'web'];
const NAMES = {
  'site-agent': 'the site agent',
  broker: 'the broker',
  demo: 'the demo',
  'researcher-cli': 'the researcher CLI',
  web: 'the web app',
};
/** The browser app is built by Vite from these inputs besides its sources and the libs. */
const WEB_INPUTS = ['apps/web/index.html', 'apps/web/vite.config.mjs', 'apps/web/tsconfig.json'];
/** Files outside apps/ and libs/ that change what tsc emits. */
const SHARED_INPUTS = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

/** Every file under `dir` that the app build compiles or copies (specs and fixtures are excluded by tsconfig.app). */
function sourceFiles(dir) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === '__fixtures__' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    }
    return /\.(ts|tsx|css|svg|json)$/.test(entry.name) && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** A hash of everything `nest build <app>` reads: its sources, every lib's sources and the build configuration. */
function fingerprint(root, app) {
  const libs = fs.existsSync(path.join(root, 'libs')) ? fs.readdirSync(path.join(root, 'libs')) : [];
  const files = [
    ...SHARED_INPUTS.map((file) => path.join(root, file)),
    ...(app === 'web'
      ? WEB_INPUTS.map((file) => path.join(root, file))
      : [path.join(root, 'apps', app, 'tsconfig.app.json')]),
    ...sourceFiles(path.join(root, 'apps', app, 'src')),
    ...(app === 'web' ? sourceFiles(path.join(root, 'apps', 'web', 'public')) : []),
    ...libs.flatMap((lib) => sourceFiles(path.join(root, 'libs', lib, 'src'))),
  ]
    .filter((file) => fs.existsSync(file))
    .map((file) => path.relative(root, file))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash
      .update(`${file}\0`)
      .update(fs.readFileSync(path.join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

function entryPoint(root, app) {
  return app === 'web'
    ? path.join(root, 'dist', 'apps', 'web', 'index.html')
    : path.join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

function stampFile(root, app) {
  return path.join(root, 'dist', 'apps', app, '.build-fingerprint.json');
}

/** True when dist/ holds a build of exactly these sources, and nothing rebuilt the app behind this script's back. */
function upToDate(root, app, print = fingerprint(root, app)) {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile(root, app), 'utf8'));
    return stamp.fingerprint === print && stamp.entryMtimeMs === fs.statSync(entryPoint(root, app)).mtimeMs;
  } catch {
    return false;
  }
}

function build(root, app, print) {
  const started = Date.now();
  process.stdout.write(`building ${NAMES[app]} (${app})...\n`);
  fs.rmSync(stampFile(root, app), { force: true });
  const result =
    app === 'web'
      ? spawnSync(
          process.execPath,
          [
            path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js'),
            'build',
            '--config',
            'apps/web/vite.config.mjs',
          ],
          { cwd: root, stdio: 'inherit' },
        )
      : spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build', app], {
          cwd: root,
          stdio: 'inherit',
        });
  if (result.status !== 0) {
    process.stderr.write(`building ${app} failed\n`);
    return false;
  }
  // The first page load's JavaScript stays within its budget, or the build fails.
  if (app === 'web' && !checkFirstLoad(path.join(root, 'dist', 'apps', 'web'))) {
    return false;
  }
  const stamp = { fingerprint: print, entryMtimeMs: fs.statSync(entryPoint(root, app)).mtimeMs };
  fs.writeFileSync(stampFile(root, app), `${JSON.stringify(stamp)}\n`);
  process.stdout.write(`built ${app} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return true;
}

function main(args) {
  const force = args.includes('--force');
  const apps = args.filter((arg) => arg !== '--force');
  const unknown = apps.filter((app) => !APPS.includes(app));
  if (unknown.length > 0) {
    process.stderr.write(`unknown app ${unknown.join(', ')}; the apps are ${APPS.join(', ')}\n`);
    return 2;
  }
  const chosen = apps.length > 0 ? apps : APPS;
  const fresh = [];
  for (const app of chosen) {
    const print = fingerprint(ROOT, app);
    if (!force && upToDate(ROOT, app, print)) {
      fresh.push(app);
    } else if (!build(ROOT, app, print)) {
      return 1;
    }
  }
  if (fresh.length > 0) {
    process.stdout.write(`up to date in dist/: ${fresh.join(', ')}\n`);
  }
  return 0;
}

module.exports = { fingerprint, upToDate, APPS };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
