/** How an app writes its log: JSON lines (the production default, for log pipelines) or text for a person. */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Nest's log levels, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Nest's own start-up lines (modules initialised, every route mapped, application started): about twenty lines that
 * tell a person at a terminal nothing. The text format leaves them out below `warn`; JSON lines keep them.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

const STACK_LINE = /\n\s+at /;

export interface TextLoggerOptions {
  /** The levels written; every level by default. */
  logLevels?: readonly LogLevel[];
  /** Where a finished line goes; stdout, and stderr for `error` and `fatal`, by default. */
  write?: (line: string, level: LogLevel) => void;
}

/**
 * A Nest logger (it has the methods of Nest's `LoggerService`) that writes one human-readable line per entry:
 * `level Context: message key=value …`, without timestamps or process ids, for a terminal such as the demo's.
 */
export class TextLogger {
  private levels: ReadonlySet<LogLevel>;
  private readonly write: (line: string, level: LogLevel) => void;

  constructor(options: TextLoggerOptions = {}) {
    this.levels = new Set(options.logLevels ?? LOG_LEVELS);
    this.write =
      options.write ??
      ((line, level) => (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.print('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.print('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.print('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.print('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.print('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.print('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  private print(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level)) {
      return;
    }
    // Nest's Logger appends the context as the last parameter; an error's stack comes before it.
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? String(params.pop()) : null;
    if (context !== null && FRAMEWORK_CONTEXTS.has(context) && LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf('warn')) {
      return;
    }
    const stacks = params.filter((param): param is string => typeof param === 'string' && STACK_LINE.test(param));
    const extras = params.filter((param) => param !== undefined && !stacks.includes(param as string));
    const text = [describeLogMessage(message), ...extras.map(describeLogMessage)].join(' ');
    const line = `${level.padEnd(5)} ${context === null ? '' : `${context}: `}${text}`;
    this.write([line, ...stacks].join('\n'), level);
  }
}

/** A log message as text: a string as it is; an object's `message` first, its other fields as `key=value`. */
export function describeLogMessage(message: unknown): string {
  if (typeof message === 'string') {
    return message;
  }
  if (message instanceof Error) {
    return `${message.name}: ${message.message}`;
  }
  if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
    const { message: text, ...fields } = message as Record<string, unknown>;
    const details = Object.entries(fields).map(([key, value]) => `${key}=${describeValue(value)}`);
    return [typeof text === 'string' ? text : text === undefined ? null : describeValue(text), ...details]
      .filter((part) => part !== null)
      .join(' ');
  }
  return describeValue(message);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  }
  if (value instanceof Error) {
    return JSON.stringify(`${value.name}: ${value.message}`);
  }
  return JSON.stringify(value) ?? String(value);
}
