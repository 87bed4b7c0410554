// Step log lines and secret masking.
export { MASK, Masker, maskPatterns, maskText } from './mask.js';
export {
  DEFAULT_LOG_LIMIT,
  type Line,
  LineWriter,
  type LineWriterOptions,
  MAX_LINE_LENGTH,
} from './writer.js';
