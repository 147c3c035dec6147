import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { err, ok, type Result } from '@fq/result';

/** The built browser app: its page and every other file it may ask for, by URL path. */
export interface WebAppFiles {
  readonly dir: string;
  /** index.html, read once: it is small and served for every client route. */
  readonly indexHtml: Buffer;
  /** URL path (`/assets/index-3f2a.js`, `/favicon.svg`) → absolute file path; index.html is not among them. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Reads the build in `dir` once: only files that exist at start-up are ever served, so no request path reaches the
 * file system and none can climb out of the folder.
 */
export function loadWebAppFiles(dir: string): Result<WebAppFiles, string> {
  let indexHtml: Buffer;
  try {
    indexHtml = readFileSync(join(dir, 'index.html'));
  } catch {
    return err(`no web app in ${dir} (index.html is missing): run npm run build`);
  }
  const files = new Map<string, string>();
  for (const file of listFiles(dir)) {
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    if (urlPath !== '/index.html') {
      files.set(urlPath, file);
    }
  }
  return ok({ dir, indexHtml, files });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}
