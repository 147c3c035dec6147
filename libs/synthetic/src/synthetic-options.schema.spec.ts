import { SyntheticIssueCode } from './errors';
import { parseSyntheticOptions } from './synthetic-options.schema';

function issuesOf(input: unknown): { path: string; code: string }[] {
  const result = parseSyntheticOptions(input);
  if (result.ok) {
    throw new Error('expected the options to be rejected');
  }
  return result.error.issues.map(({ path, code }) => ({ path, code }));
}

describe('parseSyntheticOptions', () => {
  it('accepts minimal options and fills the defaults', () => {
    const result = parseSyntheticOptions({ patients: 10, seed: 42, outDir: '/tmp/x' });
    expect(result).toEqual({
      ok: true,
      value: { patients: 10, seed: 42, outDir: '/tmp/x', gzip: false, progressEvery: 1000 },
    });
  });

  it('accepts a string seed, a site name and a progress callback', () => {
    const onProgress = (): void => undefined;
    const result = parseSyntheticOptions({ patients: 1, seed: 'a', outDir: 'o', site: 'uk-01', onProgress });
    expect(result.ok && result.value.onProgress).toBe(onProgress);
  });

  it('lists every problem at once with its path and code', () => {
    const issues = issuesOf({ patients: 1.5, seed: '', gzip: 'yes', site: 'no spaces', extra: 1 });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'patients', code: SyntheticIssueCode.InvalidType },
        { path: 'seed', code: SyntheticIssueCode.TooSmall },
        { path: 'outDir', code: SyntheticIssueCode.Required },
        { path: 'gzip', code: SyntheticIssueCode.InvalidType },
        { path: 'site', code: SyntheticIssueCode.InvalidFormat },
        { path: '(options)', code: SyntheticIssueCode.Unknown },
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it('bounds the patient count', () => {
    expect(issuesOf({ patients: 0, seed: 1, outDir: 'o' })).toEqual([
      { path: 'patients', code: SyntheticIssueCode.TooSmall },
    ]);
    expect(issuesOf({ patients: 100_000_001, seed: 1, outDir: 'o' })).toEqual([
      { path: 'patients', code: SyntheticIssueCode.TooBig },
    ]);
  });

  it('rejects a progress callback that is not a function and input that is not an object', () => {
    expect(issuesOf({ patients: 1, seed: 1, outDir: 'o', onProgress: 'log' })).toEqual([
      { path: 'onProgress', code: SyntheticIssueCode.Invalid },
    ]);
    expect(issuesOf(null)).toEqual([{ path: '(options)', code: SyntheticIssueCode.InvalidType }]);
  });
});
