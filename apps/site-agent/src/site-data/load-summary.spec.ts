import type { IngestSummary, ResourceTally } from '@fq/engine';
import { EMPTY_SUMMARY } from '../queries/__fixtures__/site-world';
import { describeLoad, formatLoadReport, loadLogFields, loadWarnings, unusableInputReason } from './load-summary';

const tally = (overrides: Partial<ResourceTally>): ResourceTally => {
  const base = { indexed: 0, typeNotMapped: 0, codeNotMapped: 0, noPatient: 0, replaced: 0, ...overrides };
  return { read: base.indexed + base.typeNotMapped + base.codeNotMapped + base.noPatient + base.replaced, ...base };
};

function summaryOf(byType: Record<string, ResourceTally>, overrides: Partial<IngestSummary> = {}): IngestSummary {
  const total = (key: keyof ResourceTally): number => Object.values(byType).reduce((sum, t) => sum + t[key], 0);
  return {
    ...EMPTY_SUMMARY,
    resources: total('read'),
    indexed: total('indexed'),
    typeNotMapped: total('typeNotMapped'),
    codeNotMapped: total('codeNotMapped'),
    noPatient: total('noPatient'),
    replaced: total('replaced'),
    byType,
    ...overrides,
  };
}

describe('load summary', () => {
  it('warns when more than 10 % of the mapped resources link to no patient, and only then', () => {
    const many = summaryOf({ Patient: tally({ indexed: 10 }), Condition: tally({ indexed: 78, noPatient: 12 }) });
    expect(loadWarnings(many)).toEqual([
      expect.stringMatching(
        /^12 % of the resources the mapping reads \(12 of 100\) link to no patient .*\(Condition 12\)/,
      ),
    ]);
    const few = summaryOf({ Patient: tally({ indexed: 10 }), Condition: tally({ indexed: 80, noPatient: 10 }) });
    expect(loadWarnings(few)).toEqual([]);
    // Types the mapping does not read are no part of the share.
    const unmapped = summaryOf({
      Patient: tally({ indexed: 10 }),
      Basic: tally({ typeNotMapped: 500 }),
      Condition: tally({ noPatient: 1, indexed: 9 }),
    });
    expect(loadWarnings(unmapped)).toEqual([]);
  });

  it('lists the files it did not read, and says how many more there were', () => {
    const summary = summaryOf({}, { skippedFiles: 3, unsupportedFiles: ['a.zip', 'b.xz'] });
    expect(loadWarnings(summary)).toEqual([
      '3 files are no FHIR input (.ndjson, .jsonl, .json, optionally .gz or .bz2) and were not read: a.zip, b.xz and 1 more',
    ]);
  });

  it('formats every type with its reasons, and the same numbers for the log', () => {
    const summary = summaryOf(
      { Observation: tally({ indexed: 5, codeNotMapped: 2, replaced: 1 }), Device: tally({ typeNotMapped: 3 }) },
      { errors: 2, errorsByCode: { ENGINE_INPUT_JSON_INVALID: 2 } },
    );
    const lines = formatLoadReport(describeLoad(summary));
    expect(lines[0]).toBe(
      '11 resources read: 5 indexed, 6 not used (3 type not in the mapping, 2 no code the mapping reads, ' +
        '1 replaced by a later version (same id)); 2 invalid lines, entries or files',
    );
    expect(lines[2]).toMatch(/^ {2}Observation +8 +5 +0 +2 +0 +1$/);
    expect(lines[3]).toMatch(/^ {2}Device +3 +0 +3 +0 +0 +0$/);
    expect(lines[4]).toBe('  invalid: 2 ENGINE_INPUT_JSON_INVALID');
    expect(loadLogFields(summary)).toMatchObject({
      resources: 11,
      indexed: 5,
      notUsed: { typeNotMapped: 3, codeNotMapped: 2, noPatient: 0, replaced: 1 },
      invalid: 2,
      byType: { Observation: { read: 8, indexed: 5, replaced: 1 }, Device: { read: 3, typeNotMapped: 3 } },
    });
  });

  it('calls input unusable when there is no input file, or no file gave a resource', () => {
    expect(unusableInputReason({ ...EMPTY_SUMMARY, files: 0 }, ['/data'])).toMatch(
      /^no FHIR input files .* in \/data$/,
    );
    const broken = {
      ...EMPTY_SUMMARY,
      errors: 1,
      errorSamples: [{ file: 'a.ndjson.bz2', code: 'ENGINE_INPUT_BZIP2_INVALID' as const, message: 'corrupt' }],
    };
    expect(unusableInputReason(broken, ['/data'])).toMatch(/^none of the 1 input files gave a resource/);
    expect(unusableInputReason(EMPTY_SUMMARY, ['/data'])).toBeNull();
  });
});
