import { packageTestConfig } from '../../vitest.shared';

// Core's line coverage is held at 90% or more: `pnpm test` runs it with coverage on.
export default packageTestConfig({ coverageThreshold: 90 });
