import { type GrowableUint32 } from './growable';

/** Rows per code in compressed form: rows of local code i are rows[offsets[i] .. offsets[i+1]). */
export interface Postings {
  /** Global code id → local code index, or -1. */
  readonly localOf: Int32Array;
  readonly offsets: Uint32Array;
  readonly rows: Uint32Array;
  /** Codes present per (normalised) system, sorted, for hierarchy expansion. */
  readonly presentBySystem: ReadonlyMap<string, readonly string[]>;
}

export interface CodeDictionaryView {
  readonly size: number;
  systemOf(codeId: number): string;
  codeOf(codeId: number): string;
}

/** Builds compressed postings from (code, row) pairs with a counting sort. */
export function buildPostings(codes: GrowableUint32, rows: GrowableUint32, dictionary: CodeDictionaryView): Postings {
  const localOf = new Int32Array(dictionary.size).fill(-1);
  const counts: number[] = [];
  const globalOf: number[] = [];
  for (let i = 0; i < codes.length; i++) {
    const code = codes.get(i);
    let local = localOf[code];
    if (local === -1) {
      local = counts.length;
      localOf[code] = local;
      counts.push(0);
      globalOf.push(code);
    }
    counts[local]++;
  }
  const offsets = new Uint32Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) {
    offsets[i + 1] = offsets[i] + counts[i];
  }
  const cursor = offsets.slice(0, counts.length);
  const sorted = new Uint32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    sorted[cursor[localOf[codes.get(i)]]++] = rows.get(i);
  }
  const presentBySystem = new Map<string, string[]>();
  for (const code of globalOf) {
    const system = dictionary.systemOf(code);
    const list = presentBySystem.get(system);
    if (list === undefined) {
      presentBySystem.set(system, [dictionary.codeOf(code)]);
    } else {
      list.push(dictionary.codeOf(code));
    }
  }
  for (const list of presentBySystem.values()) {
    list.sort();
  }
  return { localOf, offsets, rows: sorted, presentBySystem };
}

/** Calls `visit` for every row posted under global code `codeId`. */
export function forEachPostedRow(postings: Postings, codeId: number, visit: (row: number) => void): void {
  const local = codeId < postings.localOf.length ? postings.localOf[codeId] : -1;
  if (local === -1) {
    return;
  }
  const end = postings.offsets[local + 1];
  for (let i = postings.offsets[local]; i < end; i++) {
    visit(postings.rows[i]);
  }
}

export function postingsBytes(postings: Postings): number {
  return postings.localOf.byteLength + postings.offsets.byteLength + postings.rows.byteLength;
}
