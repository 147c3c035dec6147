import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseStructuredQueryJson, type StructuredQuery } from '@fq/ccdl';

/** One benchmark query: the CCDL the engine evaluates and the SQL that DuckDB answers the same question with. */
export interface BenchQuery {
  /** File name without extension, e.g. `01-diagnose-e11-90`. */
  name: string;
  description: string;
  query: StructuredQuery;
  sql: string;
}

/** Reads every `NAME.json` in `directory` with its `NAME.sql`, sorted by name; a broken pair is a bug and throws. */
export async function loadQuerySuite(directory: string): Promise<BenchQuery[]> {
  const names = (await fs.readdir(directory))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
  const suite: BenchQuery[] = [];
  for (const name of names) {
    const parsed = parseStructuredQueryJson(await fs.readFile(path.join(directory, `${name}.json`), 'utf8'));
    if (!parsed.ok) {
      throw new Error(`${name}.json is not a valid CCDL query: ${parsed.error.message}`, { cause: parsed.error });
    }
    const sql = await fs.readFile(path.join(directory, `${name}.sql`), 'utf8');
    suite.push({ name, description: parsed.value.display ?? name, query: parsed.value, sql });
  }
  if (suite.length === 0) {
    throw new Error(`no queries in ${directory}`);
  }
  return suite;
}
