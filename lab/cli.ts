import { parseArgs } from 'node:util';
import { CHAOS_ACTION_NAMES, chaosAction, isChaosAction } from './chaos/index.ts';
import { chaos } from './commands/chaos.ts';
import { NET_USAGE, network } from './commands/network.ts';
import { parseDuration } from './duration.ts';
import { demo } from './commands/demo.ts';
import { down } from './commands/down.ts';
import { setup } from './commands/setup.ts';
import { status } from './commands/status.ts';
import { strategy } from './commands/strategy.ts';
import { up } from './commands/up.ts';
import { run } from './commands/run.ts';
import { report, compare } from './commands/report.ts';
import { RUNS_DIR } from './paths.ts';
import { ReportError } from '../report/errors.ts';
import { LabError } from './errors.ts';
import { STATE_DIR } from './paths.ts';
import { REDIS_PERSISTENCE_MODES, type RedisPersistence } from './services/redis-server.ts';

const USAGE = `usage: lab <command> [options]

  setup [--check] [--require a,b]  find or install the external tools; print versions
  up [--strategy S[:V]] [--nodes N] [--port P] [--redis-persistence none|aof-everysec|aof-always]
                                   start a topology in the background; print endpoints
  status [--json]                  processes, health, strategy, per-node sessions
  strategy NAME[:VARIANT] [--redis-persistence M]
                                   switch live: sticky, redis[:cas|lww], clustered[:replicated|partitioned], cookie, jwt
  kill|stop|pause|resume|start|restart TARGET [--for D]
                                   chaos on a node (node-1), redis or a Hazelcast member (hz-1):
                                   kill SIGKILL, stop SIGTERM, pause SIGSTOP (--for 5s: resume after),
                                   resume SIGCONT, start a dead one, restart (stop, then start)
  drain|disable|enable NODE        the balancer's view: drain keeps pinned clients, disable sends it
                                   nothing, enable brings it back through slow start
${NET_USAGE}
  down                             stop everything lab up started
  run SCENARIO [--rate R] [--duration S] [--warmup S] [--nodes N] [--strategies a,b] [--out DIR]
                                   every strategy under the same load and chaos timeline; writes
                                   runs/<time>-<scenario>/ (summary.json, report.html, report.md)
                                   SCENARIO: quick, compare, concurrency, revocation, failover,
                                   store-outage, or a path to a .json file (docs/scenarios.md)
  report RUN_DIR                   re-render a run's report.html and report.md from its raw data
  compare RUN_A RUN_B              two runs side by side, differences marked
  demo                             a short scripted journey through a fresh topology`;

const print = (line: string) => process.stdout.write(line + '\n');

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value))
    throw new LabError('BAD_OPTION', `--${name} must be a number, got "${value}"`);
  return Number(value);
}

function redisPersistence(value: string | undefined): RedisPersistence | undefined {
  if (value === undefined) return undefined;
  if (!(REDIS_PERSISTENCE_MODES as readonly string[]).includes(value)) {
    throw new LabError(
      'BAD_OPTION',
      `--redis-persistence must be one of ${REDIS_PERSISTENCE_MODES.join(', ')}, got "${value}"`,
    );
  }
  return value as RedisPersistence;
}

/** A number option such as --rate 12.5 or --duration 30 (seconds); the scenario schema checks its range. */
function decimal(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new LabError('BAD_OPTION', `--${name} must be a number, got "${value}"`);
  }
  return Number(value);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `lab net` has options of its own (--ms, --rate...), parsed by its command.
  if (command === 'net') return network(STATE_DIR, rest, print);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      strategy: { type: 'string' },
      nodes: { type: 'string' },
      port: { type: 'string' },
      json: { type: 'boolean' },
      check: { type: 'boolean' },
      require: { type: 'string' },
      'redis-persistence': { type: 'string' },
      for: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      strategies: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  switch (command) {
    case 'setup':
      return setup(
        {
          install: !values.check,
          require: values.require ? values.require.split(',').filter(Boolean) : [],
        },
        print,
      );
    case 'up':
      return up(
        {
          stateDir: STATE_DIR,
          strategy: values.strategy ?? 'sticky',
          nodes: integer(values.nodes, 3, 'nodes'),
          port: integer(values.port, 8080, 'port'),
          redisPersistence: redisPersistence(values['redis-persistence']),
        },
        print,
      );
    case 'status':
      return status(STATE_DIR, values.json ?? false, print);
    case 'strategy': {
      const [name] = positionals;
      if (!name) {
        throw new LabError(
          'BAD_USAGE',
          'lab strategy needs a name',
          'e.g. redis, clustered:partitioned',
        );
      }
      return strategy(STATE_DIR, name, redisPersistence(values['redis-persistence']), print);
    }
    case 'down':
      return down(STATE_DIR, print);
    case 'run': {
      const [scenario, ...extra] = positionals;
      if (!scenario || extra.length > 0) {
        throw new LabError('BAD_USAGE', 'lab run needs one scenario', 'e.g. lab run quick');
      }
      return run(
        {
          scenario,
          runsDir: values.out ?? RUNS_DIR,
          overrides: {
            rate: decimal(values.rate, 'rate'),
            durationS: decimal(values.duration, 'duration'),
            warmupS: decimal(values.warmup, 'warmup'),
            nodes: values.nodes === undefined ? undefined : integer(values.nodes, 3, 'nodes'),
            strategies: values.strategies?.split(',').map((name) => name.trim()),
          },
        },
        print,
      );
    }
    case 'report': {
      const [runDir, ...extra] = positionals;
      if (!runDir || extra.length > 0) {
        throw new LabError(
          'BAD_USAGE',
          'lab report needs one run folder',
          'e.g. lab report runs/<time>-quick',
        );
      }
      return report(runDir, print);
    }
    case 'compare': {
      const [a, b, ...extra] = positionals;
      if (!a || !b || extra.length > 0) {
        throw new LabError(
          'BAD_USAGE',
          'lab compare needs two run folders',
          'e.g. lab compare runs/A runs/B',
        );
      }
      return compare(a, b, print);
    }
    case 'demo':
      return demo(print);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return;
    default:
      if (isChaosAction(command)) {
        const [target] = positionals;
        if (!target) {
          throw new LabError(
            'BAD_USAGE',
            `lab ${command} needs a target`,
            'e.g. node-1, redis, hz-1',
          );
        }
        if (values.for !== undefined && !chaosAction(command).params.includes('forMs')) {
          throw new LabError(
            'BAD_OPTION',
            `--for does not apply to ${command}`,
            'e.g. lab pause node-1 --for 5s',
          );
        }
        const forMs = values.for === undefined ? undefined : parseDuration(values.for, 'for');
        return chaos(STATE_DIR, command, target, { forMs }, print);
      }
      throw new LabError(
        'BAD_USAGE',
        `unknown command "${command}"`,
        `run \`lab help\`; chaos actions: ${CHAOS_ACTION_NAMES.join(', ')}`,
      );
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // The lab's own errors and the report floor's (`lab report`, `lab compare`): one line each.
  if (error instanceof LabError || error instanceof ReportError) {
    process.stderr.write(`lab: ${error.toLine()}\n`);
    process.exitCode = 1;
  } else if (
    error instanceof TypeError &&
    'code' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`lab: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(
      `lab: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
