export { readSecret, readSecretFile, SecretText } from './secret-file';
export {
  describeNarrowedMode,
  ensurePrivateDir,
  ensurePrivateFile,
  formatMode,
  type ModeNarrowed,
  narrowPrivateTree,
  narrowToPrivate,
  preparePrivateFile,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
} from './private-file';
