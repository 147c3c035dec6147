import { readFile } from 'node:fs/promises';
import type { CliIo } from './cli-io';
import { readAll } from './cli-io';
import { CliError, ExitCode } from './exit-codes';

/** Reads a CCDL query (or CRTDL document) from a JSON file, or from stdin for `-`. */
export async function readQueryFile(file: string, io: Pick<CliIo, 'stdin'>): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(ExitCode.Usage, `cannot read ${file}: ${String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(
      ExitCode.Invalid,
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The query with its title set: the CCDL top-level `display` (of the cohort definition in a CRTDL document), which
 * the broker's history shows. It travels to the sites with the query, as every CCDL `display` does.
 */
export function withTitle(body: unknown, title: string): unknown {
  const trimmed = title.trim();
  if (trimmed === '') {
    throw new CliError(ExitCode.Usage, '--title must not be blank');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    // The broker names what is wrong with it.
    return body;
  }
  if ('cohortDefinition' in body && typeof body.cohortDefinition === 'object' && body.cohortDefinition !== null) {
    return { ...body, cohortDefinition: { ...body.cohortDefinition, display: trimmed } };
  }
  return { ...body, display: trimmed };
}
