export { type MaskByKeyOptions, maskByKey } from './mask-by-key.js';
export { maskQueryValues, maskUserInfo, SECRET_MASK } from './mask-text.js';
export {
  isSecretName,
  SECRET_NAME_FRAGMENTS,
  type SecretNamesOptions,
  type SecretNameTest,
  secretNames,
} from './secret-names.js';
