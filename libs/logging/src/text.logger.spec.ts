import { type LogLevel, TextLogger } from './text.logger';

function capture(logLevels?: LogLevel[]): { logger: TextLogger; lines: string[] } {
  const lines: string[] = [];
  const logger = new TextLogger({ logLevels, write: (line, level) => lines.push(`${level}|${line}`) });
  return { logger, lines };
}

describe('TextLogger', () => {
  it('writes a structured entry as one line: level, context, message, then its fields', () => {
    const { logger, lines } = capture();
    logger.log(
      { message: 'site agent ready', siteId: 'uk-nord', approval: 'auto', limits: { rate: 999 } },
      'SiteAgent',
    );
    expect(lines).toEqual(['log|log   SiteAgent: site agent ready siteId=uk-nord approval=auto limits={"rate":999}']);
  });

  it('quotes field values with spaces and writes plain messages as they are', () => {
    const { logger, lines } = capture();
    logger.warn({ message: 'reload failed', error: 'no such file: /data/a b' }, 'SiteData');
    logger.log('starting broker');
    expect(lines).toEqual([
      'warn|warn  SiteData: reload failed error="no such file: /data/a b"',
      'log|log   starting broker',
    ]);
  });

  it("leaves out Nest's start-up lines but keeps its warnings", () => {
    const { logger, lines } = capture();
    logger.log('Mapped {/api/v1/queries, POST} route', 'RouterExplorer');
    logger.log('QueriesModule dependencies initialized', 'InstanceLoader');
    logger.warn('something odd', 'NestApplication');
    expect(lines).toEqual(['warn|warn  NestApplication: something odd']);
  });

  it('prints an error with its stack on the following lines', () => {
    const { logger, lines } = capture();
    logger.error('request failed', 'Error: boom\n    at handler (file.ts:1:1)', 'ProblemDetails');
    expect(lines).toEqual(['error|error ProblemDetails: request failed\nError: boom\n    at handler (file.ts:1:1)']);
  });

  it('writes only the configured levels', () => {
    const { logger, lines } = capture(['error', 'warn', 'log']);
    logger.debug('per-query line', 'Queries');
    logger.log('kept', 'Queries');
    logger.setLogLevels(['error']);
    logger.log('dropped now', 'Queries');
    expect(lines).toEqual(['log|log   Queries: kept']);
  });
});
