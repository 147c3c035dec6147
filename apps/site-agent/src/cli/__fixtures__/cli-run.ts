import { PassThrough } from 'node:stream';
import { runCli } from '../site-agent.cli';

/** Output streams for a site CLI command, and the text each has received so far. */
export interface CapturedIo {
  io: { out: PassThrough; err: PassThrough & NodeJS.WriteStream };
  text: { out: string; err: string };
}

/** Streams that keep what a command writes, for the spec to read afterwards. */
export function captureIo(): CapturedIo {
  const out = new PassThrough();
  const err = new PassThrough() as PassThrough & NodeJS.WriteStream;
  const text = { out: '', err: '' };
  out.on('data', (chunk: Buffer) => (text.out += chunk.toString()));
  err.on('data', (chunk: Buffer) => (text.err += chunk.toString()));
  return { io: { out, err }, text };
}

/** Runs `site-agent <args>` as the binary does, with captured output: its exit code, stdout and stderr. */
export async function runSiteAgentCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, text } = captureIo();
  const code = await runCli(args, io);
  return { code, out: text.out, err: text.err };
}
