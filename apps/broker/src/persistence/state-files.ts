import { Logger } from '@nestjs/common';
import { describeNarrowedMode, type ModeNarrowed, preparePrivateFile } from '@fq/private-files';

const logger = new Logger('StateFiles');

/** Logs a narrowed mode: the operator should know that a state file was open to others until now. */
export function reportNarrowed(change: ModeNarrowed | null): void {
  if (change !== null) {
    logger.warn(describeNarrowedMode(change));
  }
}

/** Makes a broker state file private before it is opened with mode 0600 (`preparePrivateFile`), logging a narrowing. */
export async function prepareStateFile(file: string): Promise<void> {
  reportNarrowed(await preparePrivateFile(file));
}
