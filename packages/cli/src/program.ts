import { LOAD_BALANCER_TYPES } from '@service-caller/caller';
import { Command, InvalidArgumentError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { type AdminFlags, adminCommand } from './commands/admin.js';
import { type CallFlags, callCommand } from './commands/call.js';
import { type ConfigCommandFlags, configCommand } from './commands/config.js';
import { type InstancesFlags, instancesCommand } from './commands/instances.js';
import type { ExitCodeValue } from './exit-codes.js';
import { mergeConfigFlags } from './global-flags.js';
import type { CliIo } from './io.js';
import { parseMethod, parseWholeNumber } from './request-flags.js';

const CONFIG_HELP =
  'folder with application.yaml (default: ./config if it exists, else the current directory)';
const PROFILE_HELP = 'merge application-<profile>.yaml too (default: $APP_PROFILE, else none)';

/** Turns a parser that throws into one whose errors commander reports as a bad flag value. */
function flagParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withConfigFlags(command: Command): Command {
  return command.option('--config <dir>', CONFIG_HELP).option('--profile <name>', PROFILE_HELP);
}

/** A command's own flags with the `--config` / `--profile` given before the command merged in. */
function flagsOf<T extends object>(command: Command): T {
  const program = command.parent;
  return (program === null ? command.opts() : mergeConfigFlags(program.opts(), command.opts())) as T;
}

/**
 * The `service-caller` command line: `instances`, `call`, `config` and `admin`. Output goes to `io`;
 * commander never exits the process (`exitOverride`), it throws, and `run` maps that to an exit
 * code. `setExitCode` receives the code a command's action returns.
 */
export function buildProgram(io: CliIo, setExitCode: (code: ExitCodeValue) => void): Command {
  const program = new Command('service-caller')
    .description(
      'Look at discovery, call a service by name and show the effective config, from the YAML files a service uses.',
    )
    .version(packageJson.version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) =>
        write(
          `service-caller: ${text
            .replace(/^error: /, '')
            .replace(/\s*\n\s*/g, ' ')
            .trim()} (see service-caller --help)\n`,
        ),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 a call failed (or no instance found), 2 bad usage or config.',
    )
    // Options before the command belong to the program, options after it to the command: so
    // `--config` works in both places, and a command's `--json` is never taken for the program's.
    .enablePositionalOptions();
  // Every command takes these, so they are also accepted (and listed by --help) before the command.
  withConfigFlags(program);

  withConfigFlags(
    program
      .command('instances')
      .description('list the instances discovery sees for a service (host, port, weight, healthy, metadata)')
      .argument('<service>', 'service name'),
  )
    .option('--json', 'print JSON instead of a table')
    .action(async (service: string, _flags: InstancesFlags, command: Command) => {
      setExitCode(await instancesCommand(service, flagsOf<InstancesFlags>(command), io));
    });

  withConfigFlags(
    program
      .command('call')
      .description('call a service through discovery, the load balancer and the interceptors')
      .argument('<service>', 'service name')
      .argument('<path>', "path and query, e.g. '/users/7?full=true'"),
  )
    .addOption(
      new Option('-X, --method <method>', 'HTTP method (default: POST with a body, else GET)').argParser(
        flagParser(parseMethod),
      ),
    )
    .addOption(
      new Option('-H, --header <header>', "request header 'name: value' (repeatable)")
        .argParser(collect)
        .default([]),
    )
    .addOption(new Option('-d, --data <body>', 'request body, sent as it is'))
    .addOption(
      new Option('--json <body>', 'JSON request body, sent with content-type: application/json').conflicts(
        'data',
      ),
    )
    .addOption(
      new Option('--lb <type>', "load balancer instead of the config's lb-type").choices(LOAD_BALANCER_TYPES),
    )
    .addOption(
      new Option('-n, --count <n>', 'make n calls and print a per-instance summary').argParser(
        flagParser((text) => parseWholeNumber(text, '-n', 1, 1_000_000)),
      ),
    )
    .addOption(
      new Option('--timeout <ms>', 'total time limit of each call, in milliseconds').argParser(
        flagParser((text) => parseWholeNumber(text, '--timeout', 1, 2_147_483_647)),
      ),
    )
    .option('-v, --verbose', 'log each request and response on stderr')
    .action(async (service: string, path: string, _flags: CallFlags, command: Command) => {
      setExitCode(await callCommand(service, path, flagsOf<CallFlags>(command), io));
    });

  withConfigFlags(
    program
      .command('config')
      .description('print the effective merged config, defaults filled in, secrets as ***'),
  )
    .option('--json', 'print JSON instead of YAML')
    .action(async (_flags: ConfigCommandFlags, command: Command) => {
      setExitCode(await configCommand(flagsOf<ConfigCommandFlags>(command), io));
    });

  withConfigFlags(
    program
      .command('admin')
      .description('serve the admin page (services, instances, health, config) on 127.0.0.1 until Ctrl-C')
      .argument('[services...]', "services to show (default: the static registry's)"),
  )
    .option('--host <addr>', 'address to listen on (default: 127.0.0.1; others need --allow-remote)')
    .addOption(
      new Option('--port <n>', 'port, 0 for any free one (default: 9901)').argParser(
        flagParser((text) => parseWholeNumber(text, '--port', 0, 65535)),
      ),
    )
    .option('--allow-remote', 'allow a non-loopback --host (the page has no authentication)')
    .addOption(
      new Option('--refresh <s>', 'seconds between page refreshes (default: 5)').argParser(
        flagParser((text) => parseWholeNumber(text, '--refresh', 1, 3600)),
      ),
    )
    .action(async (services: string[], flags: AdminFlags) => {
      setExitCode(await adminCommand(services, flags, io));
    });

  return program;
}
