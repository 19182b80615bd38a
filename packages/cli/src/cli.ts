#!/usr/bin/env node
/** The `service-caller` bin: runs the command line and exits with its code. */
import { run } from './index.js';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // run() never rejects; this is the last guard against a bug printing a stack and exit 0.
    process.stderr.write(`service-caller: internal error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
