#!/usr/bin/env node
import { runBrokerCli } from './cli/broker.cli';

runBrokerCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }, process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not bad input: keep the stack for the operator's bug report.
    process.stderr.write(
      `broker: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
