// What a scenario file may say, checked once when it is read. Every field
// has a default a 2-core machine can carry, so a scenario only states what
// makes it different; `lab run` writes the resolved result as scenario.json.
import { z } from 'zod';
import { ENGINE_NAMES } from '../engine/engine.ts';
import { CHAOS_ACTION_NAMES } from '../chaos/index.ts';
import { parseDuration } from '../duration.ts';
import { FAULT_KINDS } from '../network/faults/index.ts';
import { REDIS_PERSISTENCE_MODES } from '../services/redis-server.ts';
import { ALL_STRATEGIES, choiceLabel, parseStrategyChoice } from '../strategy/choice.ts';

// Read by the benches from here; the list is built from the strategy profiles.
export { ALL_STRATEGIES };

/** Which program makes the load: the lab's own generator, or k6 running the scripts in k6/. */
export const LOAD_GENERATORS = ['loadgen', 'k6'] as const;
export type LoadGeneratorName = (typeof LOAD_GENERATORS)[number];

/** A time in the scenario: seconds as a number, or text such as `10s`, `500ms`, `1m`. */
const Duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(String(value), 'at');
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `must be a duration such as 10 (seconds), "2.5s", "500ms" or "1m", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
});

const StrategyName = z.string().transform((text, ctx) => {
  try {
    return choiceLabel(parseStrategyChoice(text));
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `unknown strategy ${JSON.stringify(text)}; use one of ${ALL_STRATEGIES.join(', ')}`,
    });
    return z.NEVER;
  }
});

const TARGET = /^(node-\d{1,2}|redis|hz-\d{1,2}|[a-z0-9-]+->[a-z0-9-]+)$/;
const LINK = /->/;
const NODE = /^node-\d+$/;
/** Actions on the balancer's view of a node rather than on a process. */
const BALANCER_ACTIONS = new Set(['drain', 'disable', 'enable']);

const ChaosStep = z
  .strictObject({
    /** When, counted from the start of the measured load (after warm-up). */
    at: Duration,
    /** A chaos action (`kill`, `pause`, ...) or `network` for a Toxiproxy fault. */
    action: z.enum(['network', ...CHAOS_ACTION_NAMES]),
    /** `node-2`, `redis`, `hz-1`, or for `network` also a link `node-1->redis`. */
    target: z
      .string()
      .regex(TARGET, 'must name node-N, redis, hz-N or a link such as node-1->redis'),
    /** pause: resume after this long; network: how long the fault holds. */
    for: Duration.optional(),
    /** network only: latency, bandwidth, timeout, reset_peer or down. */
    fault: z.enum(FAULT_KINDS).optional(),
    ms: z.int().min(0).max(60_000).optional(),
    jitter: z.int().min(0).max(60_000).optional(),
    rate: z.int().min(1).max(1_000_000).optional(),
  })
  .superRefine((step, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (step.for !== undefined && step.action !== 'pause' && step.action !== 'network') {
      issue('for', `${step.action} takes no duration; only pause and network do`);
    }
    if (LINK.test(step.target) && step.action !== 'network') {
      issue(
        'target',
        `a link (${step.target}) only takes action "network"; name a node or a store`,
      );
    }
    if (BALANCER_ACTIONS.has(step.action) && !NODE.test(step.target)) {
      issue('target', `${step.action} acts on the balancer's view of a node: name node-N`);
    }
    if (step.action === 'network') {
      if (!step.fault)
        ctx.addIssue({ code: 'custom', path: ['fault'], message: 'network needs a fault' });
      if (step.for === undefined)
        ctx.addIssue({ code: 'custom', path: ['for'], message: 'network needs a duration' });
    } else if (step.fault || step.ms !== undefined || step.rate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fault'],
        message: 'fault, ms, jitter and rate only go with action "network"',
      });
    }
  });

/** The balancers a run can put in front of the nodes. */
export const BALANCER_CHOICES = ['lab', 'haproxy', 'both'] as const;

/** k6's ramping-arrival-rate, stepped: each step a fresh generator at a higher rate. */
const CapacitySchema = z
  .strictObject({
    /** Arrivals per second of the first step. */
    startRate: z.number().min(1).max(10_000).default(100),
    /** Each step's rate is the last one's times this... */
    growth: z.number().min(1.05).max(10).default(1.5),
    /** ...or, when set, plus this many arrivals per second instead. */
    increment: z.number().min(1).max(10_000).optional(),
    stepS: z.number().min(1).max(600).default(10),
    maxSteps: z.int().min(1).max(50).default(8),
    /** A broken step is run again this many times before the search stops (a spike is not a limit). */
    retries: z.int().min(0).max(3).default(1),
    /** The confirmation at the last good rate; 0 skips it. */
    confirmS: z.number().min(0).max(600).default(10),
    /** The service level: p99 of every request (failed ones included), ms... */
    p99Ms: z.number().min(1).max(60_000).default(500),
    /** ...the share of failed requests... */
    failedRate: z.number().min(0).max(1).default(0.01),
    /** ...and the share of the offered rate that must be achieved. */
    achievedShare: z.number().min(0.1).max(1).default(0.95),
  })
  .superRefine((capacity, ctx) => {
    const last = capacity.increment
      ? capacity.startRate + capacity.increment * (capacity.maxSteps - 1)
      : capacity.startRate * capacity.growth ** (capacity.maxSteps - 1);
    if (last > 10_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSteps'],
        message: `the last step would offer ${Math.round(last)} arrivals/s, above the generator's 10000: fewer steps or a smaller growth`,
      });
    }
  });

export const ScenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -'),
    description: z.string().max(500).default(''),
    topology: z
      .strictObject({
        nodes: z.int().min(1).max(8).default(3),
        redisPersistence: z.enum(REDIS_PERSISTENCE_MODES).default('none'),
        /** Local processes (default), or the containers of docker-compose.yml (docs/containers.md). */
        engine: z.enum(ENGINE_NAMES).default('process'),
      })
      .prefault({}),
    strategies: z
      .array(StrategyName)
      .min(1)
      .default([...ALL_STRATEGIES]),
    load: z
      .strictObject({
        /**
         * `loadgen`: the lab's own generator; `k6`: the k6 scripts in k6/, run
         * by a k6 found on PATH or in tools/bin (docs/k6.md).
         */
        generator: z.enum(LOAD_GENERATORS).default('loadgen'),
        model: z.enum(['open', 'closed']).default('open'),
        journey: z.enum(['shop', 'concurrency', 'request']).default('shop'),
        /** open: journeys started per second. */
        rate: z.number().min(0.1).max(500).default(20),
        /**
         * closed: users; open: most journeys in flight. Left out in the open
         * model, the generator sizes it from the rate and the journey's
         * expected length (Little's law), so its own cap does not drop
         * journeys the system could carry; the summary says which it was.
         */
        vus: z.int().min(1).max(10_000).optional(),
        durationS: z.number().min(1).max(3600).default(20),
        warmupS: z.number().min(0).max(600).default(3),
        steps: z.int().min(1).max(1000).default(10),
        thinkMs: z.int().min(0).max(60_000).default(100),
        parallelWrites: z.int().min(1).max(50).default(5),
        /**
         * How long the generator waits for an answer. Left out: longer than
         * the balancer's upstream timeout, so a node that hangs shows as the
         * balancer's 504 and as a slow request, not as the generator's own
         * impatience.
         */
        timeoutMs: z.int().min(100).max(120_000).optional(),
        /** Generator processes sharing the load (rate and vus split, figures merged). */
        processes: z.int().min(1).max(16).default(1),
        seed: z
          .int()
          .min(0)
          .max(2 ** 31)
          .default(42),
      })
      .prefault({}),
    chaos: z.array(ChaosStep).default([]),
    /** A strategy fails a threshold when its figure is above the limit. */
    thresholds: z
      .strictObject({
        errorRate: z.number().min(0).max(1).optional(),
        p99Ms: z.number().min(0).optional(),
        sessionsLost: z.int().min(0).optional(),
        staleReads: z.int().min(0).optional(),
        lostUpdates: z.int().min(0).optional(),
        dropped: z.int().min(0).optional(),
      })
      .default({}),
    probes: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** How long the revocation probe keeps trying a logged-out credential. */
        revocationBoundS: z.number().min(0.5).max(600).default(3),
      })
      .prefault({}),
    /**
     * Raise an open arrival rate in steps until a service level breaks
     * (lab/run/capacity-controller.ts); replaces the single load phase.
     */
    capacity: CapacitySchema.optional(),
    /** Which balancer the load goes through; `both` runs every strategy through each. */
    balancer: z.enum(BALANCER_CHOICES).default('lab'),
    /** Strategy settings the nodes get: a short access-token life makes the revocation window measurable. */
    jwt: z.strictObject({ accessTtlSeconds: z.int().min(1).max(86_400).optional() }).default({}),
  })
  .superRefine((scenario, ctx) => {
    if (scenario.capacity && scenario.chaos.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['chaos'],
        message:
          'a capacity search runs no chaos (a kill would end it at the wrong rate): drop chaos or capacity',
      });
    }
    if (scenario.capacity && scenario.load.model !== 'open') {
      ctx.addIssue({
        code: 'custom',
        path: ['load', 'model'],
        message: 'a capacity search raises an open arrival rate: set load.model to "open"',
      });
    }
    if (scenario.load.model === 'closed' && scenario.load.vus === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['load', 'vus'],
        message: 'the closed model needs "vus": the number of users looping their journeys',
      });
    }
    const endMs = scenario.load.durationS * 1000;
    scenario.chaos.forEach((step, index) => {
      const issue = (field: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: ['chaos', index, field], message });
      // One Hazelcast member runs beside each node, so hz-N exists when node-N does.
      const numbered = /^(node|hz)-(\d+)$/.exec(step.target);
      if (numbered && Number(numbered[2]) > scenario.topology.nodes) {
        issue(
          'target',
          `${step.target} does not exist: the topology has ${scenario.topology.nodes} nodes${numbered[1] === 'hz' ? ' (and as many Hazelcast members)' : ''}`,
        );
      }
      if (step.at >= endMs) {
        issue(
          'at',
          `at ${step.at / 1000} s is not before the end of the load (${scenario.load.durationS} s)`,
        );
      } else if (step.for !== undefined && step.at + step.for > endMs) {
        issue(
          'for',
          `${step.action} from ${step.at / 1000} s for ${step.for / 1000} s outlasts the load (${scenario.load.durationS} s): shorten it`,
        );
      }
      // A pause with no end leaves the process hung through the rest of the load and the probes.
      const resumed = scenario.chaos.some(
        (other) =>
          (other.action === 'resume' || other.action === 'kill' || other.action === 'restart') &&
          other.target === step.target &&
          other.at > step.at,
      );
      if (step.action === 'pause' && step.for === undefined && !resumed) {
        issue(
          'for',
          `pause ${step.target} needs "for" (e.g. "5s") or a later resume of ${step.target}`,
        );
      }
    });
  });

/** A scenario with every default filled in; durations in `chaos` are milliseconds. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type ChaosStep = Scenario['chaos'][number];
export type CapacitySettings = NonNullable<Scenario['capacity']>;
export type BalancerChoice = (typeof BALANCER_CHOICES)[number];
