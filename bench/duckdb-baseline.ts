import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ingestFhir, type IngestSummary } from '@fq/engine';
import { ChunkedTableAppender, FLAT_TABLES, type FlatTableName } from './duckdb-tables';
import { FhirFlattener } from './fhir-flattener';

/** What loading the flat tables cost and produced. */
export interface BaselineLoad {
  ingest: IngestSummary;
  rowsByTable: Record<FlatTableName, number>;
  /** Reading, flattening and appending, in milliseconds. */
  loadMs: number;
  threads: number;
  version: string;
}

// Helpers every SQL file may use: day numbers as the engine counts them, age in completed years.
const SETUP_SQL = [
  `CREATE MACRO day_number(d) AS CAST(d - DATE '1970-01-01' AS INTEGER)`,
  `CREATE MACRO completed_years(birth, on_day) AS
     year(on_day) - year(birth)
     - CASE WHEN month(on_day) * 100 + day(on_day) < month(birth) * 100 + day(birth) THEN 1 ELSE 0 END`,
];

/** The same data as flat DuckDB tables, for timing equivalent SQL; DuckDB uses every core (its default). */
export class DuckDbBaseline {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Creates an in-memory database and loads the FHIR files under `paths` into the flat tables. */
  static async load(
    paths: readonly string[],
    evaluationDate: string,
    onProgress?: (resources: number) => void,
  ): Promise<{ baseline: DuckDbBaseline; load: BaselineLoad }> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const baseline = new DuckDbBaseline(instance, connection);
    for (const statement of SETUP_SQL) {
      await connection.run(statement);
    }
    await connection.run(`SET VARIABLE evaluation_date = DATE '${isoDate(evaluationDate)}'`);
    const started = performance.now();
    const tables = {
      patients: await ChunkedTableAppender.open(connection, FLAT_TABLES.patients),
      conditions: await ChunkedTableAppender.open(connection, FLAT_TABLES.conditions),
      observations: await ChunkedTableAppender.open(connection, FLAT_TABLES.observations),
      medications: await ChunkedTableAppender.open(connection, FLAT_TABLES.medications),
      medicationUses: await ChunkedTableAppender.open(connection, FLAT_TABLES.medicationUses),
      specimens: await ChunkedTableAppender.open(connection, FLAT_TABLES.specimens),
    };
    const flattener = new FhirFlattener(tables);
    const ingest = await ingestFhir(paths, flattener, { onProgress: (p) => onProgress?.(p.resources) });
    for (const table of Object.values(tables)) {
      table.close();
    }
    const loadMs = performance.now() - started;
    const threads = await baseline.count(`SELECT CAST(current_setting('threads') AS BIGINT)`);
    const version = (await baseline.rows('SELECT version()'))[0]?.[0];
    return {
      baseline,
      load: {
        ingest,
        rowsByTable: flattener.rowCounts(),
        loadMs,
        threads,
        version: typeof version === 'string' ? version : 'unknown',
      },
    };
  }

  /** Runs a query that returns one count (its first column of its first row). */
  async count(sql: string): Promise<number> {
    const rows = await this.rows(sql);
    const value = rows[0]?.[0];
    if (typeof value !== 'bigint' && typeof value !== 'number') {
      throw new Error(`expected one count, got ${String(value)} from:\n${sql}`);
    }
    return Number(value);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async rows(sql: string): Promise<unknown[][]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRows();
  }
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new RangeError(`not a YYYY-MM-DD date: ${value}`);
  }
  return value;
}
