// Per list of rows that an index keeps (a postings list or a birth-day order, keyed by its rows' buffer, which it
// owns): the patient of every listed row, in list order. Built on first use; 4 bytes per row.
const postedPatients = new WeakMap<ArrayBufferLike, Int32Array>();

/** Makes the patients of `rows`, a list that owns its whole buffer, readable alongside its slices. */
export function registerRows(rows: Uint32Array, patient: Int32Array): void {
  if (postedPatients.has(rows.buffer) || rows.byteOffset !== 0 || rows.byteLength !== rows.buffer.byteLength) {
    return;
  }
  const patients = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    patients[i] = patient[rows[i]];
  }
  postedPatients.set(rows.buffer, patients);
}

/** The patients alongside `rows` when they are a slice of registered postings; null for any other rows. */
export function patientsAlongside(rows: Uint32Array): Int32Array | null {
  const all = postedPatients.get(rows.buffer);
  return all === undefined ? null : inStepWith(rows, all);
}

/** The part of `all`, an array in step with the whole list that `rows` is a slice of, that is in step with `rows`. */
function inStepWith<T extends Int32Array | Float64Array>(rows: Uint32Array, all: T): T {
  const first = rows.byteOffset / Uint32Array.BYTES_PER_ELEMENT;
  return all.subarray(first, first + rows.length) as T;
}

// Per column of an index and list of rows it keeps (keyed like `postedPatients`): the column's values in list order.
// Built on first use by a filter on the column; 4 or 8 bytes per listed row.
const listedColumns = new WeakMap<Int32Array | Float64Array, WeakMap<ArrayBufferLike, Int32Array | Float64Array>>();

/** `column`'s values alongside `rows`, a slice of a registered list of its table's rows. */
export function columnAlongside<T extends Int32Array | Float64Array>(rows: Uint32Array, column: T): T {
  const patients = postedPatients.get(rows.buffer);
  if (patients === undefined) {
    throw new Error('columnAlongside needs a slice of registered rows');
  }
  let byList = listedColumns.get(column);
  if (byList === undefined) {
    byList = new WeakMap();
    listedColumns.set(column, byList);
  }
  let all = byList.get(rows.buffer) as T | undefined;
  if (all === undefined) {
    // Registered lists own their whole buffer, so it holds every listed row from position 0.
    const listed = new Uint32Array(rows.buffer, 0, patients.length);
    const built = (
      column instanceof Float64Array ? new Float64Array(listed.length) : new Int32Array(listed.length)
    ) as T;
    for (let i = 0; i < listed.length; i++) {
      built[i] = column[listed[i]];
    }
    byList.set(rows.buffer, built);
    all = built;
  }
  return inStepWith(rows, all);
}
