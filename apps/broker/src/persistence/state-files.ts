import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { ensurePrivateDir, formatMode, type ModeNarrowed, narrowToPrivate } from '@fq/contracts';

const logger = new Logger('StateFiles');

/** Logs a narrowed mode: the operator should know that a state file was open to others until now. */
export function reportNarrowed(change: ModeNarrowed | null): void {
  if (change !== null) {
    logger.warn({
      message: 'narrowed the mode of a state file that others could read',
      path: change.path,
      from: formatMode(change.from),
      to: formatMode(change.to),
    });
  }
}

/**
 * Makes a broker state file private before it is opened with mode 0600: its directory is created 0700 if missing (an
 * existing one is the operator's), an existing file that group or others could read is narrowed to 0600 and logged.
 */
export async function preparePrivateFile(file: string): Promise<void> {
  await ensurePrivateDir(dirname(file));
  reportNarrowed(await narrowToPrivate(file));
}
