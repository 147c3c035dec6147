#!/usr/bin/env node
import { runCli } from './cli/site-agent.cli';

runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: keep the stack for the operator's bug report.
    process.stderr.write(
      `site-agent: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
