import { err, ok, type Result } from './result';

function halve(n: number): Result<number, { code: string; message: string }> {
  return n % 2 === 0 ? ok(n / 2) : err({ code: 'ODD', message: `${n} is odd` });
}

describe('ok', () => {
  it('wraps the value under `value`', () => {
    expect(ok(3)).toStrictEqual({ ok: true, value: 3 });
  });
});

describe('err', () => {
  it('wraps the failure under `error`, whatever its shape', () => {
    expect(err(['first problem', 'second problem'])).toStrictEqual({
      ok: false,
      error: ['first problem', 'second problem'],
    });
    const failure = new Error('broken');
    expect(err(failure).error).toBe(failure);
  });
});

describe('Result', () => {
  it('narrows on `ok` to the value or the error', () => {
    const results = [halve(4), halve(3)];
    expect(results.map((r) => (r.ok ? `value ${r.value}` : `error ${r.error.code}`))).toEqual(['value 2', 'error ODD']);
  });
});
