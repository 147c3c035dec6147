import fc from 'fast-check';
import { formatIssue, formatIssuePath, type IssuePathSegment } from './issue-path';

/** Reads a rendered path back into its segments; throws on anything `formatIssuePath` does not write. */
function parseIssuePath(text: string): (string | number)[] {
  if (!text.startsWith('$')) {
    throw new Error(`no root in ${text}`);
  }
  const segments: (string | number)[] = [];
  let at = 1;
  while (at < text.length) {
    const rest = text.slice(at);
    const name = /^\.([A-Za-z_$][A-Za-z0-9_$]*)/.exec(rest);
    const index = /^\[(0|[1-9][0-9]*)\]/.exec(rest);
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/su.exec(rest);
    const match = name ?? index ?? quoted;
    if (match === null) {
      throw new Error(`unreadable at ${at} in ${text}`);
    }
    segments.push(index === null ? (quoted === null ? match[1] : (JSON.parse(match[1]) as string)) : Number(match[1]));
    at += match[0].length;
  }
  return segments;
}

const segment: fc.Arbitrary<string | number> = fc.oneof(
  fc.nat(),
  fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]*$/),
  fc.nat().map(String),
  fc.string(),
  fc.string({ unit: 'binary' }),
);
const path = fc.array(segment, { maxLength: 8 });

describe('formatIssuePath', () => {
  it('renders the root as $', () => {
    expect(formatIssuePath([])).toBe('$');
  });

  it('renders names with a dot and array indices in brackets', () => {
    expect(formatIssuePath(['inclusionCriteria', 0, 1])).toBe('$.inclusionCriteria[0][1]');
    expect(formatIssuePath(['cohortDefinition', 'inclusionCriteria', 2, 0, 'termCodes'])).toBe(
      '$.cohortDefinition.inclusionCriteria[2][0].termCodes',
    );
    expect(formatIssuePath([3, 'entries', 0, 'key'])).toBe('$[3].entries[0].key');
  });

  it('quotes a key that is not a plain name, so "0" differs from index 0', () => {
    expect(formatIssuePath(['0'])).toBe('$["0"]');
    expect(formatIssuePath([''])).toBe('$[""]');
    expect(formatIssuePath(['data-source', 'a b'])).toBe('$["data-source"]["a b"]');
    expect(formatIssuePath(['say "hi"\n'])).toBe('$["say \\"hi\\"\\n"]');
  });

  it('renders a symbol by its description', () => {
    expect(formatIssuePath([Symbol('tag') as IssuePathSegment])).toBe('$["Symbol(tag)"]');
  });

  it('renders distinct paths distinctly, on one line, so each can be read back', () => {
    fc.assert(
      fc.property(path, (segments) => {
        const text = formatIssuePath(segments);
        expect(text).not.toMatch(/[\n\r]/);
        expect(parseIssuePath(text)).toEqual(segments);
      }),
      { numRuns: 500 },
    );
  });

  it('renders a prefixed path as the prefix followed by the rest', () => {
    fc.assert(
      fc.property(path, path, (prefix, rest) => {
        expect(formatIssuePath([...prefix, ...rest])).toBe(formatIssuePath(prefix) + formatIssuePath(rest).slice(1));
      }),
    );
  });
});

describe('formatIssue', () => {
  it('puts the path before the message', () => {
    expect(formatIssue({ path: ['patients', 0], message: 'expected a number' })).toBe(
      '$.patients[0]: expected a number',
    );
    expect(formatIssue({ path: [], message: 'expected an object' })).toBe('$: expected an object');
  });
});
