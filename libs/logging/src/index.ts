export {
  describeLogMessage,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  TextLogger,
  type TextLoggerOptions,
} from './text.logger';
