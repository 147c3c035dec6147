const NATS_LOG_LINE = /^\[\d+\] \S+ \S+ \[(INF|WRN|ERR|FTL|DBG|TRC)\] (.*)$/;

/**
 * Turns one output line of a child process into one terminal line, or null for noise the demo hides (nats-server's
 * informational start-up banner). The broker and the site agents already write text (`*_LOG_FORMAT=text`).
 */
export function formatLogLine(line: string): string | null {
  const nats = NATS_LOG_LINE.exec(line);
  if (nats !== null) {
    return nats[1] === 'INF' ? null : `${nats[1].toLowerCase()} ${nats[2]}`;
  }
  return line;
}

/** Prefixes a line with a fixed-width process label, e.g. `[broker  ] …`. */
export function prefixLine(label: string, width: number, line: string): string {
  return `[${label.padEnd(width)}] ${line}`;
}
