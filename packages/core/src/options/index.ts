export { describeKind, describeValue, type OptionWording } from './describe-value.js';
export { type OptionReader, type OptionReaderOptions, optionReader } from './option-reader.js';
