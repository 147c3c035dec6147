/** Stable codes of the problems ingestion reports per file, line or Bundle entry; none of them stops ingestion. */
export type IngestIssueCode =
  | 'ENGINE_INPUT_UNREADABLE'
  | 'ENGINE_INPUT_FORMAT_UNSUPPORTED'
  | 'ENGINE_INPUT_GZIP_INVALID'
  | 'ENGINE_INPUT_BZIP2_INVALID'
  | 'ENGINE_INPUT_JSON_INVALID'
  | 'ENGINE_INPUT_NOT_A_RESOURCE'
  | 'ENGINE_INPUT_LINE_TOO_LONG'
  | 'ENGINE_INPUT_BUNDLE_TOO_LARGE'
  | 'ENGINE_INPUT_BUNDLE_TYPE_UNSUPPORTED'
  | 'ENGINE_INPUT_BUNDLE_ENTRY_INVALID'
  | 'ENGINE_INPUT_BUNDLE_DELETE_NOT_APPLIED';

/**
 * One bad input: `line` is 1-based (NDJSON, or where a JSON syntax error sits in a Bundle file), `entry` the 0-based
 * index in `Bundle.entry`. Messages never quote resource content, since samples end up in logs.
 */
export interface IngestIssue {
  file: string;
  line?: number;
  entry?: number;
  code: IngestIssueCode;
  message: string;
}

/** Counts every issue but keeps only the first `maxSamples`, so a broken export cannot exhaust memory. */
export class IngestIssueLog {
  count = 0;
  readonly samples: IngestIssue[] = [];
  readonly byCode: Partial<Record<IngestIssueCode, number>> = {};

  constructor(private readonly maxSamples: number) {}

  add(issue: IngestIssue): void {
    this.count++;
    this.byCode[issue.code] = (this.byCode[issue.code] ?? 0) + 1;
    if (this.samples.length < this.maxSamples) {
      this.samples.push(issue);
    }
  }
}

/** A short reason for a failed `JSON.parse`, without V8's excerpt of the input (it may hold patient data). */
export function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // V8 appends `, "<excerpt>" is not valid JSON` or `, ..."<excerpt>..." is not valid JSON`.
  const excerpt = /(?:^|, )(?:\.\.\.)?"/.exec(message);
  if (excerpt === null) {
    return message;
  }
  return excerpt.index === 0 ? 'not valid JSON' : `${message.slice(0, excerpt.index)}: not valid JSON`;
}

/** The 1-based line of a `JSON.parse` error in `text`, when V8 names a position. */
export function jsonErrorLine(text: string, error: unknown): number | undefined {
  const position = /at position (\d+)/.exec(describeJsonError(error));
  if (position === null) {
    return undefined;
  }
  const offset = Number(position[1]);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
  }
  return line;
}

/** The `code` of a Node.js system or library error (`ENOENT`, `Z_DATA_ERROR`, …), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code: unknown = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** A file-system error as a short phrase: the errno name says enough and never leaks more than the path. */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && Object.hasOwn(FS_ERRORS, code)) {
    return FS_ERRORS[code];
  }
  return error instanceof Error ? error.message : String(error);
}
