// @ts-check
/**
 * Measures what the browser app's first page load costs in JavaScript: the scripts and module preloads index.html
 * names, gzipped as a server would send them. `npm run build` fails when it exceeds the budget.
 */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

/** Issue 12: the first page load ships at most 300 KB of gzipped JavaScript. */
const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

/** The JavaScript files index.html loads at once (module scripts and modulepreload links), as paths under `dir`. */
function firstLoadScripts(dir) {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const urls = new Set();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) {
    urls.add(match[1]);
  }
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) {
    urls.add(match[1]);
  }
  return [...urls].map((url) => path.join(dir, url.replace(/^\//, '')));
}

/** The gzipped size of each first-load script and their sum. */
function measureFirstLoad(dir) {
  const files = firstLoadScripts(dir).map((file) => ({
    file: path.relative(dir, file),
    gzipBytes: zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length,
  }));
  return { files, totalGzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
}

/** Prints the first-load size; false when it is over the budget or index.html loads no script. */
function checkFirstLoad(dir, out = process.stdout, err = process.stderr) {
  const { files, totalGzipBytes } = measureFirstLoad(dir);
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  if (files.length === 0) {
    err.write(`web app: index.html in ${dir} loads no script\n`);
    return false;
  }
  if (totalGzipBytes > FIRST_LOAD_BUDGET_BYTES) {
    err.write(
      `web app: the first page load ships ${kb(totalGzipBytes)} of gzipped JavaScript, over the budget of ` +
        `${kb(FIRST_LOAD_BUDGET_BYTES)}: ${files.map((f) => `${f.file} ${kb(f.gzipBytes)}`).join(', ')}\n`,
    );
    return false;
  }
  out.write(
    `web app: first page load ${kb(totalGzipBytes)} gzipped JavaScript (budget ${kb(FIRST_LOAD_BUDGET_BYTES)})\n`,
  );
  return true;
}

module.exports = { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad, checkFirstLoad };

if (require.main === module) {
  const dir = process.argv[2] ?? path.resolve(__dirname, '..', 'dist', 'apps', 'web');
  process.exitCode = checkFirstLoad(dir) ? 0 : 1;
}
