import { z } from 'zod';

/** A Nest JSON log line as the broker and the site agent write it. */
const NestLogLine = z.looseObject({
  level: z.string(),
  message: z.unknown(),
  context: z.string().optional(),
});

const LogObject = z.record(z.string(), z.unknown());

const NATS_LOG_LINE = /^\[\d+\] \S+ \S+ \[(INF|WRN|ERR|FTL|DBG|TRC)\] (.*)$/;

/**
 * Turns one output line of a child process into one readable terminal line, or null for noise the demo hides
 * (nats-server's informational start-up banner).
 */
export function formatLogLine(line: string): string | null {
  const nats = NATS_LOG_LINE.exec(line);
  if (nats !== null) {
    return nats[1] === 'INF' ? null : `${nats[1].toLowerCase()} ${nats[2]}`;
  }
  if (!line.startsWith('{')) {
    return line;
  }
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return line;
  }
  const parsed = NestLogLine.safeParse(json);
  if (!parsed.success) {
    return line;
  }
  const { level, message, context } = parsed.data;
  return `${level.padEnd(5)} ${context === undefined ? '' : `${context}: `}${describeMessage(message)}`;
}

// Nest puts structured log objects under `message`; their own `message` reads first, the rest as compact JSON.
function describeMessage(message: unknown): string {
  if (typeof message === 'string') {
    return message;
  }
  const record = LogObject.safeParse(message);
  if (record.success) {
    const { message: text, ...rest } = record.data;
    const details = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return typeof text === 'string' ? `${text}${details}` : JSON.stringify(message);
  }
  return JSON.stringify(message);
}

/** Prefixes a line with a fixed-width process label, e.g. `[broker  ] …`. */
export function prefixLine(label: string, width: number, line: string): string {
  return `[${label.padEnd(width)}] ${line}`;
}
