// THE table of `lab` commands: each with its arguments, its own options and
// what it runs. cli.ts looks a command up here; the usage text is generated
// from it, with the chaos actions, strategies and built-in scenarios listed
// from their own registries.
import { CHAOS_ACTION_NAMES, chaosAction } from '../chaos/index.ts';
import { LabError } from '../errors.ts';
import { RUNS_DIR, STATE_DIR } from '../paths.ts';
import { REDIS_PERSISTENCE_MODES, type RedisPersistence } from '../services/redis-server.ts';
import { ALL_STRATEGIES } from '../strategy/choice.ts';
import {
  BALANCER_CHOICES,
  LOAD_GENERATORS,
  type BalancerChoice,
  type LoadGeneratorName,
} from '../run/scenario-schema.ts';
import { ENGINE_NAMES, type EngineName } from '../engine/engine.ts';
import { chaos } from './chaos.ts';
import type { CommandSpec, OptionSpec, ParsedArgs } from './cli-options.ts';
import { demo } from './demo.ts';
import { down } from './down.ts';
import { NET_USAGE, network } from './network.ts';
import { compare, report } from './report.ts';
import { run } from './run.ts';
import { setup } from './setup.ts';
import { status } from './status.ts';
import { strategy } from './strategy.ts';
import { up } from './up.ts';

const persistence: OptionSpec = {
  name: 'redis-persistence',
  type: 'choice',
  choices: REDIS_PERSISTENCE_MODES,
  help: 'how a redis-server started now persists its data (default none)',
};

const engine: OptionSpec = {
  name: 'engine',
  type: 'choice',
  choices: ENGINE_NAMES,
  help: 'process: local processes (default); docker: the containers of docker-compose.yml',
};

const nodes: OptionSpec = { name: 'nodes', type: 'count', value: 'N', help: 'nodes (default 3)' };

const liveOptions: OptionSpec[] = [
  { name: 'live', type: 'flag', help: 'serve a live page on loopback (its address is printed)' },
  {
    name: 'live-port',
    type: 'count',
    value: 'P',
    help: 'the live page on this port (default: a free one); implies --live',
  },
];

/** The live page's port when --live or --live-port is given (0: a free one), else undefined. */
function livePort(args: ParsedArgs): number | undefined {
  const port = count(args, 'live-port');
  if (port !== undefined && port > 65535) {
    throw new LabError('BAD_OPTION', `--live-port must be from 1 to 65535, got ${port}`);
  }
  return port ?? (args.values.live === true ? 0 : undefined);
}

const text = (args: ParsedArgs, name: string) => args.values[name] as string | undefined;
const count = (args: ParsedArgs, name: string) => args.values[name] as number | undefined;
const ms = (args: ParsedArgs, name: string) => args.values[name] as number | undefined;

/** `redis`, `redis[:cas|lww]`: each strategy with its variants, from the profiles. */
function strategiesText(): string {
  const byName = new Map<string, string[]>();
  for (const label of ALL_STRATEGIES) {
    const [name = label, variant] = label.split(':');
    byName.set(name, [...(byName.get(name) ?? []), ...(variant ? [variant] : [])]);
  }
  return [...byName]
    .map(([name, variants]) => (variants.length > 0 ? `${name}[:${variants.join('|')}]` : name))
    .join(', ');
}

function chaosCommand(name: string): CommandSpec {
  const action = chaosAction(name);
  const isNode = action.targets.length === 1 && action.targets[0] === 'node';
  return {
    name,
    args: isNode ? 'NODE' : 'TARGET',
    summary: action.summary,
    options: action.params.includes('forMs')
      ? [{ name: 'for', type: 'duration', value: 'D', help: 'resume after D (5s, 500ms)' }]
      : [],
    run: (args, print) => {
      const [target] = args.positionals;
      if (!target) {
        throw new LabError('BAD_USAGE', `lab ${name} needs a target`, 'e.g. node-1, redis, hz-1');
      }
      return chaos(STATE_DIR, name, target, { forMs: ms(args, 'for') }, print);
    },
  };
}

/** What the chaos commands' arguments name, below the commands in the usage. */
export const TARGET_NOTES = [
  'TARGET: a node (node-1), redis, or a Hazelcast member (hz-1); NODE: a node.',
  'D: a duration: 10 (seconds), 2.5, 500ms, 1m.',
];

/** Every command, in the order the usage lists them; `scenarios`: the built-in ones. */
export function labCommands(scenarios: readonly string[]): CommandSpec[] {
  return [
    {
      name: 'setup',
      args: '',
      summary: 'find or install the external tools; print versions',
      options: [
        { name: 'check', type: 'flag', help: 'only look, install nothing' },
        { name: 'require', type: 'list', value: 'a,b', help: 'fail unless these tools are found' },
      ],
      run: (args, print) =>
        setup(
          {
            install: args.values.check !== true,
            require: (args.values.require as string[] | undefined) ?? [],
          },
          print,
        ),
    },
    {
      name: 'up',
      args: '',
      summary: 'start a topology in the background; print endpoints',
      options: [
        { name: 'strategy', type: 'text', value: 'S[:V]', help: 'start on this strategy' },
        nodes,
        {
          name: 'port',
          type: 'count',
          value: 'P',
          help: 'balancer port; admin on P+1 (default 8080)',
        },
        persistence,
        engine,
        ...liveOptions,
      ],
      run: (args, print) =>
        up(
          {
            stateDir: STATE_DIR,
            strategy: text(args, 'strategy') ?? 'sticky',
            nodes: count(args, 'nodes') ?? 3,
            port: count(args, 'port') ?? 8080,
            redisPersistence: text(args, 'redis-persistence') as RedisPersistence | undefined,
            livePort: livePort(args),
            engine: text(args, 'engine') as EngineName | undefined,
          },
          print,
        ),
    },
    {
      name: 'status',
      args: '',
      summary: 'processes, health, strategy, per-node sessions',
      options: [{ name: 'json', type: 'flag', help: 'the same as JSON' }],
      run: (args, print) => status(STATE_DIR, args.values.json === true, print),
    },
    {
      name: 'strategy',
      args: 'NAME[:VARIANT]',
      summary: `switch live: ${strategiesText()}`,
      options: [persistence],
      run: (args, print) => {
        const [name] = args.positionals;
        if (!name) {
          throw new LabError(
            'BAD_USAGE',
            'lab strategy needs a name',
            'e.g. redis, clustered:partitioned',
          );
        }
        const mode = text(args, 'redis-persistence') as RedisPersistence | undefined;
        return strategy(STATE_DIR, name, mode, print);
      },
    },
    ...CHAOS_ACTION_NAMES.map(chaosCommand),
    {
      name: 'net',
      args: 'FAULT TARGET | status | clear',
      summary: 'a network fault on node → store links; their status; clear every fault',
      usage: NET_USAGE,
      // Checked here so an unknown option gets net's usage; `network` reads the values.
      options: [
        { name: 'ms', type: 'text', value: 'N', help: 'latency or timeout in ms' },
        { name: 'jitter', type: 'text', value: 'N', help: 'latency: ± ms' },
        { name: 'rate', type: 'text', value: 'N', help: 'bandwidth: KB/s' },
        { name: 'for', type: 'text', value: 'D', help: 'how long the fault holds (default 10 s)' },
      ],
      run: (args, print) => network(STATE_DIR, args.argv, print),
    },
    {
      name: 'down',
      args: '',
      summary: 'stop everything lab up started',
      options: [],
      run: (_args, print) => down(STATE_DIR, print),
    },
    {
      name: 'run',
      args: 'SCENARIO',
      summary:
        'every strategy under the same load and chaos timeline; writes\n' +
        'runs/<time>-<scenario>/ (summary.json, report.html, report.md)\n' +
        `SCENARIO: ${scenarios.join(', ')},\n` +
        'or a path to a .json file (docs/scenarios.md)',
      options: [
        { name: 'rate', type: 'number', value: 'R', help: 'journeys started per second' },
        {
          name: 'duration',
          type: 'duration',
          value: 'D',
          help: 'measured load per strategy (30, 10s, 2m)',
        },
        {
          name: 'warmup',
          type: 'duration',
          value: 'D',
          allowZero: true,
          help: 'load before the measurement (0 for none; 3, 500ms)',
        },
        nodes,
        { name: 'strategies', type: 'list', value: 'a,b', help: `of ${ALL_STRATEGIES.join(', ')}` },
        {
          name: 'balancer',
          type: 'choice',
          value: 'B',
          choices: BALANCER_CHOICES,
          help: 'lab (default), haproxy, or both: each strategy through each',
        },
        {
          name: 'generator',
          type: 'choice',
          value: 'G',
          choices: LOAD_GENERATORS,
          help: "loadgen (the lab's own, default) or k6 (found on PATH or in tools/bin)",
        },
        {
          name: 'out',
          type: 'text',
          value: 'DIR',
          help: 'where the run folder goes (default runs/)',
        },
        engine,
        ...liveOptions,
      ],
      run: (args, print) => {
        const [scenario, ...extra] = args.positionals;
        if (!scenario || extra.length > 0) {
          throw new LabError('BAD_USAGE', 'lab run needs one scenario', 'e.g. lab run quick');
        }
        const seconds = (name: string) => {
          const value = ms(args, name);
          return value === undefined ? undefined : value / 1000;
        };
        return run(
          {
            scenario,
            runsDir: text(args, 'out') ?? RUNS_DIR,
            livePort: livePort(args),
            overrides: {
              rate: args.values.rate as number | undefined,
              durationS: seconds('duration'),
              warmupS: seconds('warmup'),
              nodes: count(args, 'nodes'),
              strategies: args.values.strategies as string[] | undefined,
              balancer: args.values.balancer as BalancerChoice | undefined,
              generator: args.values.generator as LoadGeneratorName | undefined,
              engine: text(args, 'engine') as EngineName | undefined,
            },
          },
          print,
        );
      },
    },
    {
      name: 'report',
      args: 'RUN_DIR',
      summary: "re-render a run's report.html and report.md from its raw data",
      options: [],
      run: (args, print) => {
        const [runDir, ...extra] = args.positionals;
        if (!runDir || extra.length > 0) {
          throw new LabError(
            'BAD_USAGE',
            'lab report needs one run folder',
            'e.g. lab report runs/<time>-quick',
          );
        }
        return report(runDir, print);
      },
    },
    {
      name: 'compare',
      args: 'RUN_A RUN_B',
      summary: 'two runs side by side, differences marked',
      options: [],
      run: (args, print) => {
        const [a, b, ...extra] = args.positionals;
        if (!a || !b || extra.length > 0) {
          throw new LabError(
            'BAD_USAGE',
            'lab compare needs two run folders',
            'e.g. lab compare runs/A runs/B',
          );
        }
        return compare(a, b, print);
      },
    },
    {
      name: 'demo',
      args: '',
      summary: 'a short scripted journey through a fresh topology',
      options: [],
      run: (_args, print) => demo(print),
    },
  ];
}
