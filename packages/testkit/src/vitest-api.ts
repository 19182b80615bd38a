import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteApi } from './portable/suite-api.js';

/** vitest's own functions, for the suites' vitest entry points. */
export const vitestApi: SuiteApi = { describe, it, expect, beforeAll, afterAll, afterEach };
