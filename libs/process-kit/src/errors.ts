/** A program the kit was asked to run is not there: nats-server not installed, an app not built. */
export class ProgramNotFoundError extends Error {
  override readonly name = 'ProgramNotFoundError';
  readonly code = 'PROCESS_PROGRAM_NOT_FOUND';
}

/** A started process exited, or printed nothing that said it was ready, before its deadline. */
export class ProcessNotReadyError extends Error {
  override readonly name = 'ProcessNotReadyError';
  readonly code = 'PROCESS_NOT_READY';
}
