/** One step of an issue's path, as zod reports it: a property name, an array index or (rarely) a symbol. */
export type IssuePathSegment = PropertyKey;

/** What `formatIssue` needs of an issue; a zod issue has both fields. */
export interface PathedIssue {
  readonly path: readonly IssuePathSegment[];
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders an issue path as a JSONPath rooted at `$`: a name as `.name`, an array index as `[0]`, any other key
 * JSON-quoted in brackets, e.g. `$`, `$.inclusionCriteria[0][1].termCodes`, `$.entries["not-a-name"]`.
 */
export function formatIssuePath(path: readonly IssuePathSegment[]): string {
  let out = '$';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (typeof segment === 'string' && IDENTIFIER.test(segment)) {
      out += `.${segment}`;
    } else {
      out += `[${JSON.stringify(String(segment))}]`;
    }
  }
  return out;
}

/** Renders an issue as one line, its path first: `$.inclusionCriteria[0]: expected an array`. */
export function formatIssue(issue: PathedIssue): string {
  return `${formatIssuePath(issue.path)}: ${issue.message}`;
}
