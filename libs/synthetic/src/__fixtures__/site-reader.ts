import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A parsed resource as tests see it: plain JSON with the two elements every resource has. */
export interface ParsedResource {
  resourceType: string;
  id: string;
  [element: string]: unknown;
}

function isParsedResource(value: unknown): value is ParsedResource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string' &&
    typeof (value as { id?: unknown }).id === 'string'
  );
}

/** Parses NDJSON text; fails the test on a line that is not a resource. */
export function parseNdjson(text: string): ParsedResource[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, i) => {
      const value: unknown = JSON.parse(line);
      if (!isParsedResource(value)) {
        throw new Error(`line ${i + 1} is not a resource with resourceType and id`);
      }
      return value;
    });
}

/** Every NDJSON file of a generated site (gzip-compressed ones decompressed), keyed by file name. */
export function readSiteFiles(dir: string): Map<string, ParsedResource[]> {
  const files = new Map<string, ParsedResource[]>();
  for (const name of readdirSync(dir).sort()) {
    const raw = readFileSync(path.join(dir, name));
    const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    files.set(name, parseNdjson(text));
  }
  return files;
}

/** The reference string of an element such as `subject`, or undefined. */
export function referenceOf(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const ref = (value as { reference?: unknown }).reference;
    return typeof ref === 'string' ? ref : undefined;
  }
  return undefined;
}

/** Every `reference` string anywhere inside a resource. */
export function allReferences(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((item) => allReferences(item, into));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') {
        into.push(child);
      } else {
        allReferences(child, into);
      }
    }
  }
  return into;
}
