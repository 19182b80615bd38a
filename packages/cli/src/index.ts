/**
 * `@service-caller/cli`: the `service-caller` command. `run(argv)` runs it in-process and
 * resolves with the exit code; the command functions are exported for tools that want one.
 */
import { isConfigError, isInvalidRequestError } from '@service-caller/caller';
import { CommanderError } from 'commander';
import { errorLine } from './error-line.js';
import { ExitCode } from './exit-codes.js';
import { type CliIo, processIo } from './io.js';
import { buildProgram } from './program.js';
import { UsageError } from './usage-error.js';

export type { ConfigFlags } from './cli-config.js';
export { type AdminFlags, adminCommand, DEFAULT_ADMIN_PORT } from './commands/admin.js';
export { type CallFlags, callCommand } from './commands/call.js';
export { type ConfigCommandFlags, type ConfigJson, configCommand } from './commands/config.js';
export {
  type InstanceJson,
  type InstancesFlags,
  type InstancesJson,
  instancesCommand,
} from './commands/instances.js';
export { ExitCode, type ExitCodeValue } from './exit-codes.js';
export type { CliIo, OutputStream } from './io.js';
export { UsageError } from './usage-error.js';

const QUIET_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Runs `service-caller` with `argv` (the arguments after the program name) and resolves with
 * the exit code: 0 ok, 1 a call failed or nothing was found, 2 bad usage or config. Never
 * rejects and never calls `process.exit`; every failure is one line on `io.stderr`.
 *
 * @param io Where output goes and which environment and directory apply. @default the process's
 * @example
 * ```ts
 * const code = await run(['call', 'user-service', '/users/7', '--config', './config']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      io.stderr.write(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already written its message (or the help) through configureOutput.
      return QUIET_EXITS.has(error.code) ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError || isConfigError(error) || isInvalidRequestError(error)) {
      io.stderr.write(`service-caller: ${error instanceof UsageError ? error.message : errorLine(error)}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`service-caller: error: ${errorLine(error)}\n`);
    return ExitCode.failed;
  }
}
