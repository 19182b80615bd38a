import type {
  AttemptOutcome,
  LoadBalancer,
  Logger,
  Pick,
  PickContext,
  ServiceInstance,
} from '../../src/index.js';
import { roundRobin } from '../../src/index.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps what it is told. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, fields?: Record<string, unknown>) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** One pick and how its attempt ended, as the balancer saw it. */
export interface PickRecord {
  instance: ServiceInstance;
  outcomes: AttemptOutcome[];
}

/**
 * A round-robin balancer whose picks carry a `done` that records every outcome, like a
 * load-aware balancer would consume them.
 */
export function recordingBalancer(options: { doneThrows?: boolean } = {}): LoadBalancer & {
  picks: PickRecord[];
  contexts: PickContext[];
} {
  const inner = roundRobin();
  const picks: PickRecord[] = [];
  const contexts: PickContext[] = [];
  return {
    name: 'recording',
    picks,
    contexts,
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      contexts.push(context);
      const { instance } = inner.pick(instances, context);
      const record: PickRecord = { instance, outcomes: [] };
      picks.push(record);
      return {
        instance,
        done(outcome) {
          record.outcomes.push(outcome);
          if (options.doneThrows) throw new Error('balancer bug');
        },
      };
    },
  };
}
