import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { err, ok, type Result } from '@fq/result';

/** A secret string that prints as `***` in JSON, template strings and `util.inspect`, so a log line cannot leak it. */
export class SecretText {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one place that needs it (signing, the NATS login). */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '***';
  }

  toString(): string {
    return '***';
  }

  [inspect.custom](): string {
    return 'SecretText(***)';
  }
}

/**
 * Reads a secret (a key seed) from a file that only its owner may read (mode 0600 or stricter), as ssh does with
 * private keys; the message of a failure never contains the file's content.
 */
export function readSecretFile(path: string): Result<SecretText, string> {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      return err(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it`);
    }
    return ok(new SecretText(readFileSync(path, 'utf8').trim()));
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unreadable';
    return err(`cannot read ${path} (${code})`);
  }
}

/**
 * A secret given either as a file (read as `readSecretFile` does) or as a value (trimmed); the file wins when both are
 * given, and the value is null when neither is.
 */
export function readSecret(file: string | null, value: string | null): Result<SecretText | null, string> {
  if (file !== null) {
    return readSecretFile(file);
  }
  return ok(value === null ? null : new SecretText(value.trim()));
}
