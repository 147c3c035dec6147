import {
  DATE,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBDateValue,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  VARCHAR,
} from '@duckdb/node-api';

export type ColumnType = 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'DATE';
export type CellValue = number | string | null;

/** One flat table of the DuckDB baseline. */
export interface FlatTableSpec {
  readonly name: string;
  readonly columns: ReadonlyArray<readonly [name: string, type: ColumnType]>;
}

/**
 * The flat tables the SQL in `queries/*.sql` reads. Ids are dense integers (strings interned while loading);
 * times are inclusive day ranges as day numbers since 1970-01-01, NULL when the resource has no readable time.
 */
export const FLAT_TABLES = {
  patients: {
    name: 'patients',
    columns: [
      ['patient', 'INTEGER'],
      ['gender', 'VARCHAR'],
      ['birth_start', 'DATE'],
      ['birth_end', 'DATE'],
    ],
  },
  conditions: {
    name: 'conditions',
    columns: [
      ['condition', 'INTEGER'],
      ['patient', 'INTEGER'],
      ['system', 'VARCHAR'],
      ['code', 'VARCHAR'],
      ['recorded_start', 'INTEGER'],
      ['recorded_end', 'INTEGER'],
    ],
  },
  observations: {
    name: 'observations',
    columns: [
      ['patient', 'INTEGER'],
      ['system', 'VARCHAR'],
      ['code', 'VARCHAR'],
      ['value', 'DOUBLE'],
      ['unit', 'VARCHAR'],
      ['effective_start', 'INTEGER'],
      ['effective_end', 'INTEGER'],
    ],
  },
  medications: {
    name: 'medications',
    columns: [
      ['medication', 'INTEGER'],
      ['system', 'VARCHAR'],
      ['code', 'VARCHAR'],
    ],
  },
  medicationUses: {
    name: 'medication_uses',
    columns: [
      ['patient', 'INTEGER'],
      ['kind', 'VARCHAR'],
      ['medication', 'INTEGER'],
      ['inline_system', 'VARCHAR'],
      ['inline_code', 'VARCHAR'],
      ['use_start', 'INTEGER'],
      ['use_end', 'INTEGER'],
    ],
  },
  specimens: {
    name: 'specimens',
    columns: [
      ['patient', 'INTEGER'],
      ['system', 'VARCHAR'],
      ['code', 'VARCHAR'],
      ['collected_start', 'INTEGER'],
      ['collected_end', 'INTEGER'],
      ['diagnosis_condition', 'INTEGER'],
    ],
  },
} as const satisfies Record<string, FlatTableSpec>;

export type FlatTableName = keyof typeof FLAT_TABLES;

const DUCKDB_TYPES: Record<ColumnType, DuckDBType> = { INTEGER, DOUBLE, VARCHAR, DATE };

// DuckDB's standard vector size: one data chunk per flush.
const CHUNK_ROWS = 2048;

/** `CREATE TABLE` for a flat table. */
export function createTableSql(spec: FlatTableSpec): string {
  return `CREATE TABLE ${spec.name} (${spec.columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;
}

/** Buffers rows column-wise and hands them to a DuckDB appender one full data chunk at a time. */
export class ChunkedTableAppender {
  private readonly types: DuckDBType[];
  private readonly isDate: boolean[];
  private columns: DuckDBValue[][];
  private pending = 0;
  rows = 0;

  constructor(
    readonly spec: FlatTableSpec,
    private readonly appender: DuckDBAppender,
  ) {
    this.types = spec.columns.map(([, type]) => DUCKDB_TYPES[type]);
    this.isDate = spec.columns.map(([, type]) => type === 'DATE');
    this.columns = spec.columns.map(() => []);
  }

  static async open(connection: DuckDBConnection, spec: FlatTableSpec): Promise<ChunkedTableAppender> {
    await connection.run(createTableSql(spec));
    return new ChunkedTableAppender(spec, await connection.createAppender(spec.name));
  }

  /** Appends one row; DATE cells are day numbers since 1970-01-01. */
  append(...cells: CellValue[]): void {
    if (cells.length !== this.columns.length) {
      throw new Error(`${this.spec.name}: ${cells.length} cells for ${this.columns.length} columns`);
    }
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      this.columns[i].push(cell !== null && this.isDate[i] ? dateCell(cell) : cell);
    }
    this.rows++;
    if (++this.pending === CHUNK_ROWS) {
      this.flushChunk();
    }
  }

  /** Writes what is buffered and closes the appender. */
  close(): void {
    this.flushChunk();
    this.appender.flushSync();
    this.appender.closeSync();
  }

  private flushChunk(): void {
    if (this.pending === 0) {
      return;
    }
    const chunk = DuckDBDataChunk.create(this.types, this.pending);
    chunk.rowCount = this.pending;
    this.columns.forEach((values, i) => chunk.setColumnValues(i, values));
    this.appender.appendDataChunk(chunk);
    this.columns = this.spec.columns.map(() => []);
    this.pending = 0;
  }
}

function dateCell(days: CellValue): DuckDBValue {
  if (typeof days !== 'number') {
    throw new Error(`a DATE cell takes a day number, got ${typeof days}`);
  }
  return new DuckDBDateValue(days);
}
