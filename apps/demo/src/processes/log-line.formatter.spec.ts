import { formatLogLine, prefixLine } from './log-line.formatter';

describe('formatLogLine', () => {
  it('shows a Nest JSON line as level, context and message with its details', () => {
    const line = JSON.stringify({
      level: 'log',
      pid: 1,
      timestamp: 1,
      context: 'Bootstrap',
      message: { message: 'site agent ready', siteId: 'uk-nord' },
    });
    expect(formatLogLine(line)).toBe('log   Bootstrap: site agent ready {"siteId":"uk-nord"}');
  });

  it('keeps plain text lines and JSON that is no log line as they are', () => {
    expect(formatLogLine('READY broker http://127.0.0.1:3000')).toBe('READY broker http://127.0.0.1:3000');
    expect(formatLogLine('{"not":"a log line"}')).toBe('{"not":"a log line"}');
    expect(formatLogLine('{broken')).toBe('{broken');
  });

  it('hides nats-server information lines and keeps its warnings and errors', () => {
    expect(formatLogLine('[12] 2026/01/01 10:00:00.000000 [INF] Server is ready')).toBeNull();
    expect(formatLogLine('[12] 2026/01/01 10:00:00.000000 [WRN] slow consumer')).toBe('wrn slow consumer');
  });
});

describe('prefixLine', () => {
  it('pads the label so output of several processes lines up', () => {
    expect(prefixLine('nats', 8, 'x')).toBe('[nats    ] x');
  });
});
