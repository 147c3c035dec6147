import { createHash } from 'node:crypto';

interface Coded {
  system: string;
  code: string;
}

/**
 * The id of the entry for a term code in a context: a name-based UUID (SHA-256 of context and term code, version 8
 * layout), so the built-in catalog and an import give the same id to the same criterion on every run.
 */
export function entryIdOf(context: Coded, termCode: Coded): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([context.system, context.code, termCode.system, termCode.code]))
    .digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The key a term code is looked up by: system and code, nothing else. */
export function termCodeKey(termCode: Coded): string {
  return `${termCode.system}|${termCode.code}`;
}
