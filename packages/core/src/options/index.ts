export {
  describeKind,
  describeValue,
  type OptionWording,
  type QuoteStyle,
  type ValueWording,
} from './describe-value.js';
export { type OptionReader, type OptionReaderOptions, optionReader } from './option-reader.js';
