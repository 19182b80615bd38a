// The root README's first example as it stands (issue #18), below this header unchanged but for
// the lint comment on its unused `greeting`. Its top-level `await using` runs on Node 24, and on
// Node 22 once tsc has lowered it (target ES2022); Node 22's own type stripping keeps `using`,
// which its V8 cannot parse:
// @pack-check fails stripped on node22: SyntaxError
import { AuthInterceptor, LoggingInterceptor, ServiceManager } from '@service-caller/caller';

await using manager = await ServiceManager.create({
  configDir: './config', // application.yaml (+ application-{profile}.yaml)
  interceptors: [new LoggingInterceptor(), new AuthInterceptor({ token: process.env.TOKEN! })],
});

// biome-ignore lint/correctness/noUnusedVariables: the README's code as it stands
const greeting = await manager.get('greeter', '/hello'); // body parsed by content type
await using res = await manager.rawGet('greeter', '/hello'); // raw response, disposed at scope end
console.log(res.status, await res.json());
