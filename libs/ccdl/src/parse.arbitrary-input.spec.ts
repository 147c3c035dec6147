import fc from 'fast-check';
import { allPaths, queryArb, replaceAt } from './__fixtures__/arbitraries';
import { expectValid } from './__fixtures__/parse-expectations';
import { parseStructuredQuery } from './parse';

describe('parseStructuredQuery', () => {
  describe('arbitrary input', () => {
    const expectWellFormedResult = (input: unknown): void => {
      const result = parseStructuredQuery(input);
      if (!result.ok) {
        expect(result.error.issues.length).toBeGreaterThan(0);
        for (const issue of result.error.issues) {
          expect(issue.path).toMatch(/^\$/);
          expect(issue.code).toMatch(/^CCDL_[A-Z_]+$/);
          expect(issue.message.length).toBeGreaterThan(0);
        }
      }
    };

    it('never throws on arbitrary JSON', () => {
      fc.assert(fc.property(fc.jsonValue(), (input) => expectWellFormedResult(input)));
    });

    it('never throws on arbitrary JavaScript values', () => {
      fc.assert(fc.property(fc.anything(), (input) => expectWellFormedResult(input)));
    });

    it('never throws when one node of a valid query is replaced by arbitrary JSON', () => {
      fc.assert(
        fc.property(queryArb, fc.nat(), fc.jsonValue(), (query, pick, replacement) => {
          const paths = allPaths(query);
          expectWellFormedResult(replaceAt(query, paths[pick % paths.length], replacement));
        }),
      );
    });

    it('accepts every generated valid query', () => {
      fc.assert(fc.property(queryArb, (query) => expectValid(query)));
    });
  });
});
