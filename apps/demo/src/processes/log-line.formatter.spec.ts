import { formatLogLine, prefixLine } from './log-line.formatter';

describe('formatLogLine', () => {
  it('keeps the text lines of the broker and the site agents as they are', () => {
    expect(formatLogLine('READY broker http://127.0.0.1:3000')).toBe('READY broker http://127.0.0.1:3000');
    expect(formatLogLine('log   SiteAgent: site agent ready siteId=uk-nord')).toBe(
      'log   SiteAgent: site agent ready siteId=uk-nord',
    );
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
