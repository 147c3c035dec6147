#!/usr/bin/env node
import { processIo } from './cli/cli-io';
import { runResearcherCli } from './cli/researcher.cli';

void runResearcherCli(process.argv.slice(2), processIo()).then((exitCode) => {
  process.exitCode = exitCode;
});
