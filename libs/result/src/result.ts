/** The success of an operation that can fail for a reason its caller must handle. */
export type Ok<T> = { ok: true; value: T };

/** The failure of such an operation: a value, not an exception (HOUSE-STYLE §5). */
export type Err<E> = { ok: false; error: E };

/** What an operation that can fail for a known reason returns: its value, or why it has none under `error`. */
export type Result<T, E> = Ok<T> | Err<E>;

/** Wraps a success value. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Wraps a failure; `error` may be an error object, an issue or a list of problems. */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
