import fc from 'fast-check';
import { LineSplitter } from './line-splitter';

interface Collected {
  lines: Array<[number, string]>;
  tooLong: Array<[number, number]>;
}

function split(chunks: readonly Buffer[], maxLineBytes = 1024): Collected {
  const splitter = new LineSplitter(maxLineBytes);
  const collected: Collected = { lines: [], tooLong: [] };
  const onLine = (buffer: Buffer, start: number, end: number, line: number): void => {
    collected.lines.push([line, buffer.toString('latin1', start, end)]);
  };
  const onTooLong = (line: number, bytes: number): void => {
    collected.tooLong.push([line, bytes]);
  };
  for (const chunk of chunks) {
    splitter.push(chunk, onLine, onTooLong);
  }
  splitter.end(onLine, onTooLong);
  return collected;
}

function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'latin1');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    chunks.push(bytes.subarray(i, i + size));
  }
  return chunks;
}

describe('LineSplitter', () => {
  it('numbers lines from 1 and hands out a final line without newline', () => {
    expect(split([Buffer.from('a\n\nbc\nd')]).lines).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'bc'],
      [4, 'd'],
    ]);
  });

  it('joins a line split over several chunks and keeps a carriage return for the caller', () => {
    expect(split(chunked('abc\r\ndefgh\r\n', 2)).lines).toEqual([
      [1, 'abc\r'],
      [2, 'defgh\r'],
    ]);
  });

  it('reports a line longer than the limit with its size and keeps the following lines', () => {
    const result = split(chunked(`ok\n${'x'.repeat(50)}\nnext\n`, 7), 10);
    expect(result.lines).toEqual([
      [1, 'ok'],
      [3, 'next'],
    ]);
    expect(result.tooLong).toEqual([[2, 50]]);
  });

  it('reports an over-long line inside a single chunk and an over-long last line', () => {
    const result = split([Buffer.from(`${'y'.repeat(20)}\nshort\n${'z'.repeat(30)}`)], 10);
    expect(result.lines).toEqual([[2, 'short']]);
    expect(result.tooLong).toEqual([
      [1, 20],
      [3, 30],
    ]);
  });

  it('accepts a line of exactly the limit', () => {
    expect(split(chunked('abcde\n', 2), 5).lines).toEqual([[1, 'abcde']]);
  });

  it('yields the same lines whatever the chunk size', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' ') }),
        fc.integer({ min: 1, max: 16 }),
        (text, size) => {
          const expected = text.split('\n');
          if (expected.at(-1) === '') {
            expected.pop();
          }
          const result = split(chunked(text, size), 1024);
          expect(result.lines.map(([, line]) => line)).toEqual(expected);
          expect(result.lines.map(([n]) => n)).toEqual(expected.map((_, i) => i + 1));
        },
      ),
    );
  });
});
