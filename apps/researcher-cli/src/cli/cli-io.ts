/** A stream the CLI writes to: process.stdout / process.stderr, or a test's capture. */
export type CliOutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  stdout: CliOutputStream;
  stderr: CliOutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The environment: FQ_BROKER_URL, XDG_CONFIG_HOME, HOME. */
  env: Readonly<Record<string, string | undefined>>;
  /** The current time (token expiry, countdowns). */
  now: () => Date;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    now: () => new Date(),
  };
}

/** Reads a whole stream as UTF-8 text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}
