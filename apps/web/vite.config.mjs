// @ts-check
// Builds the browser app into dist/apps/web: hashed assets under assets/, one index.html, no inline script or style
// (the broker serves the page with a strict CSP), and the @fq/* path aliases resolved as tsconfig.json maps them.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: join(here, 'public'),
  logLevel: 'warn',
  resolve: {
    alias: Object.fromEntries(
      Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, join(root, target, 'index.ts')]),
    ),
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(root, 'dist', 'apps', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    // Every browser the app supports knows modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
    // Inlined assets would become data: URLs in CSS or JS; keep every asset a file under 'self'.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
