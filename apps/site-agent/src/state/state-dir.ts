import { Logger } from '@nestjs/common';
import {
  describeNarrowedMode,
  ensurePrivateDir,
  type ModeNarrowed,
  narrowPrivateTree,
  preparePrivateFile,
} from '@fq/private-files';

const logger = new Logger('StateFiles');

/** Resolves once the state directory is private; `SiteAgentModule` provides it at start. */
export const STATE_DIR_PREPARED = Symbol('STATE_DIR_PREPARED');

/** Logs a narrowed mode: the operator should know that state was open to others until now. */
function reportNarrowed(change: ModeNarrowed | null): void {
  if (change !== null) {
    logger.warn(describeNarrowedMode(change));
  }
}

/**
 * Makes the state directory private at start: created 0700 if missing, and it and everything in it (site secret,
 * processed queries, approvals, audit log, whatever a later version keeps there) narrowed to 0700 / 0600, each change
 * logged. Files are created 0600 by their writers; this catches what an older version or an operator left open.
 */
export async function prepareStateDir(stateDir: string): Promise<void> {
  await ensurePrivateDir(stateDir);
  for (const change of await narrowPrivateTree(stateDir)) {
    reportNarrowed(change);
  }
}

/**
 * Makes a state file that may live outside the state directory (the audit log) private before it is opened 0600
 * (`preparePrivateFile` of `@fq/contracts`), logging a narrowing.
 */
export async function prepareStateFile(file: string): Promise<void> {
  reportNarrowed(await preparePrivateFile(file));
}
