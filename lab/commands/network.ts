import { parseArgs } from 'node:util';
import { parseDuration } from '../duration.ts';
import { LabError } from '../errors.ts';
import { recordEvent } from '../topology/events.ts';
import { clearFaults } from '../network/clear.ts';
import { restartIfDead } from '../network/ensure-links.ts';
import { makeFault, parseFaultKind, type FaultOptions } from '../network/faults/index.ts';
import { linksInUse } from '../network/links.ts';
import { targetLinks } from '../network/target-links.ts';
import { runFault } from '../network/run-fault.ts';
import { ToxiproxyClient, type ToxicView } from '../network/toxiproxy-client.ts';
import { processState } from '../process/supervisor.ts';
import { requireState, writeState, type LabState } from '../topology/state.ts';

export const NET_USAGE = `  net FAULT TARGET [--ms N] [--jitter N] [--rate N] [--for D]
                                   a network fault on node → store links for D (default 10 s; or 500ms, 1m),
                                   then removed (Ctrl-C too): latency --ms [--jitter], bandwidth --rate (KB/s),
                                   timeout [--ms] (0: black hole), reset_peer [--ms], down;
                                   TARGET: a link ('node-1->redis', quoted), a node (node-1), a store (redis, hz-2)
  net status                       links, where they lead, up or down, active faults
  net clear                        remove every fault, bring every link up (and a dead toxiproxy back)`;

const DEFAULT_SECONDS = 10;

type Print = (line: string) => void;

/** `lab net ...`: parses its own options, so cli.ts only hands it the arguments. */
export async function network(stateDir: string, argv: string[], print: Print): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ms: { type: 'string' },
      jitter: { type: 'string' },
      rate: { type: 'string' },
      for: { type: 'string' },
    },
  });
  const [action, target, ...extra] = positionals;
  if (!action)
    throw new LabError('BAD_USAGE', 'lab net needs an action', 'status, clear or a fault');
  if (action === 'status' || action === 'clear') {
    if (target !== undefined) throw new LabError('BAD_USAGE', `lab net ${action} takes no target`);
    const state = await requireState(stateDir);
    return action === 'status' ? status(state, print) : clear(stateDir, state, print);
  }
  const kind = parseFaultKind(action);
  if (!target || extra.length > 0) {
    throw new LabError(
      'BAD_USAGE',
      `lab net ${kind} needs one target`,
      'e.g. redis, node-1 or node-1->redis',
    );
  }
  const options: FaultOptions = {
    ms: whole('ms', values.ms),
    jitter: whole('jitter', values.jitter),
    rate: whole('rate', values.rate),
  };
  const fault = makeFault(kind, options);
  const durationMs = parseFor(values.for);
  const state = await requireState(stateDir);
  const client = toxiproxyClient(state);
  await assertRunning(state);
  const links = targetLinks(state, target);
  const shown = `${fault.label} on ${links.map((link) => link.name).join(', ')}`;

  // Ctrl-C, a closed terminal or `kill` end the fault early; it is removed either way.
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, interrupt);
  try {
    const outcome = await runFault(
      stateDir,
      client,
      { fault, target, links, durationMs },
      {
        signal: controller.signal,
        onStarted: () => print(`net ${shown} for ${durationMs / 1000} s`),
      },
    );
    const after = `${(outcome.tookMs / 1000).toFixed(1)} s`;
    if (outcome.endedBy === 'interrupt') {
      print(`net ${fault.kind} interrupted after ${after}; removed from every link`);
      process.exitCode = 130;
    } else {
      print(`net ${fault.kind} ended after ${after}; removed from every link`);
    }
  } finally {
    for (const signal of signals) process.off(signal, interrupt);
  }
}

async function status(state: LabState, print: Print): Promise<void> {
  const client = toxiproxyClient(state);
  await assertRunning(state);
  const entry = state.services!.toxiproxy!;
  const proxies = await client.proxies();
  const inUse = new Set(linksInUse(state).map((link) => link.name));
  print(`toxiproxy ${entry.address} (pid ${entry.pid}), ${entry.links.length} links`);
  for (const link of entry.links) {
    const proxy = proxies[link.name];
    const fields = [
      link.name.padEnd(16),
      `${link.listen} -> ${link.upstream}`,
      !proxy ? 'MISSING' : proxy.enabled ? 'up' : 'DOWN',
      inUse.has(link.name) ? 'in use' : 'unused',
      proxy && proxy.toxics.length > 0
        ? `faults: ${proxy.toxics.map(describeToxic).join(', ')}`
        : '',
    ];
    print(fields.filter(Boolean).join('  '));
  }
}

async function clear(stateDir: string, state: LabState, print: Print): Promise<void> {
  const entry = toxiproxyEntry(state);
  // A dead server leaves every node behind a link cut off: start it, with its links.
  const restarted = await restartIfDead(entry, true);
  if (restarted) await writeState(stateDir, state);
  const outcome = await clearFaults(new ToxiproxyClient(entry.address));
  await recordEvent(stateDir, {
    type: 'chaos',
    action: 'network',
    fault: 'clear',
    target: 'all',
    removedToxics: outcome.removedToxics,
    reenabled: outcome.reenabled,
    restarted,
  });
  print(
    `net clear: removed ${outcome.removedToxics.length} toxic(s), brought ${outcome.reenabled.length} link(s) up` +
      (restarted ? `; toxiproxy-server was dead and runs again (pid ${entry.pid})` : ''),
  );
}

function toxiproxyEntry(
  state: LabState,
): NonNullable<NonNullable<LabState['services']>['toxiproxy']> {
  const entry = state.services?.toxiproxy;
  if (!entry) {
    throw new LabError(
      'NO_LINKS',
      'this topology has no network links: its nodes reach their stores directly',
      'links come with a strategy that uses a store (redis, jwt, clustered:replicated) when toxiproxy-server is installed (`npx lab setup`)',
    );
  }
  return entry;
}

function toxiproxyClient(state: LabState): ToxiproxyClient {
  return new ToxiproxyClient(toxiproxyEntry(state).address);
}

async function assertRunning(state: LabState): Promise<void> {
  const entry = toxiproxyEntry(state);
  if ((await processState(entry.pid)) === 'dead') {
    throw new LabError(
      'TOXIPROXY_DOWN',
      `toxiproxy-server (pid ${entry.pid}) is not running: nodes behind its links cannot reach their stores`,
      '`lab net clear` starts it again with its links',
    );
  }
}

function describeToxic(toxic: ToxicView): string {
  const attributes = Object.entries(toxic.attributes)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  return `${toxic.name} (${toxic.type} ${toxic.stream}${attributes ? ` ${attributes}` : ''})`;
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) {
    throw new LabError('BAD_OPTION', `--${name} must be a whole number, got "${value}"`);
  }
  return Number(value);
}

/** `--for`: seconds as the bare number (`10`, `2.5`), or with a unit as `lab pause` takes it (`500ms`, `5s`, `1m`). */
function parseFor(value: string | undefined): number {
  return value === undefined ? DEFAULT_SECONDS * 1000 : parseDuration(value, 'for');
}
