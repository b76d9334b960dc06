import { LabError } from '../../errors.ts';
import type { LinkControl, ToxicSpec } from '../toxiproxy-client.ts';

export const FAULT_KINDS = ['latency', 'bandwidth', 'timeout', 'reset_peer', 'down'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a user may pass to a fault; each kind takes its own subset. */
export interface FaultOptions {
  /** Milliseconds: latency added, or how long until a timeout / reset closes. */
  ms?: number | undefined;
  /** Latency jitter in ms (±). */
  jitter?: number | undefined;
  /** Bandwidth in KB/s. */
  rate?: number | undefined;
}

/** One kind of network fault, applied to and removed from one link (a Toxiproxy proxy). */
export interface NetworkFault {
  readonly kind: FaultKind;
  /** For output: `latency 300±50 ms`. */
  readonly label: string;
  /** Its settings, for the event log. */
  readonly params: Record<string, number>;
  /** True when it ends the connections on the link (down, reset, black hole) rather than slowing them. */
  readonly breaksConnections: boolean;
  /** Fails with FAULT_ACTIVE if the link already has this kind of fault. */
  apply(client: LinkControl, link: string): Promise<void>;
  /** Idempotent: removing what is gone (e.g. after `lab net clear`) is fine. */
  remove(client: LinkControl, link: string): Promise<void>;
}

/** Every toxic the lab adds is named `lab-...`, so they are told apart from anyone else's. */
export const TOXIC_PREFIX = 'lab-';

/**
 * A fault made of Toxiproxy toxics. Adding is all or nothing: if one toxic of
 * the set is refused, the ones already added are removed again.
 */
export class ToxicFault implements NetworkFault {
  readonly kind: FaultKind;
  readonly label: string;
  readonly params: Record<string, number>;
  readonly breaksConnections: boolean;
  readonly #toxics: ToxicSpec[];

  constructor(options: {
    kind: FaultKind;
    label: string;
    params: Record<string, number>;
    breaksConnections: boolean;
    toxics: ToxicSpec[];
  }) {
    this.kind = options.kind;
    this.label = options.label;
    this.params = options.params;
    this.breaksConnections = options.breaksConnections;
    this.#toxics = options.toxics;
  }

  async apply(client: LinkControl, link: string): Promise<void> {
    const added: string[] = [];
    try {
      for (const toxic of this.#toxics) {
        await client.addToxic(link, toxic);
        added.push(toxic.name);
      }
    } catch (error) {
      await Promise.allSettled(added.map((name) => client.removeToxic(link, name)));
      if (error instanceof LabError && error.code === 'TOXIPROXY_CONFLICT') {
        throw faultActive(link, this.kind);
      }
      throw error;
    }
  }

  async remove(client: LinkControl, link: string): Promise<void> {
    await Promise.all(this.#toxics.map((toxic) => client.removeToxic(link, toxic.name)));
  }
}

export function faultActive(link: string, kind: FaultKind): LabError {
  return new LabError(
    'FAULT_ACTIVE',
    `${link} already has a ${kind} fault`,
    'wait for the other `lab net` to end, or run `lab net clear`',
  );
}

/**
 * Checks an option is a whole number in range, and that a fault is not given
 * options it does not take (a silently ignored --rate would mislead).
 */
export function checkOptions(
  kind: FaultKind,
  options: FaultOptions,
  allowed: readonly (keyof FaultOptions)[],
): void {
  for (const [name, value] of Object.entries(options) as [keyof FaultOptions, unknown][]) {
    if (value === undefined) continue;
    if (!allowed.includes(name)) {
      const takes =
        allowed.length > 0
          ? `it takes ${allowed.map((a) => `--${a}`).join(', ')}`
          : 'it takes no options';
      throw new LabError('BAD_OPTION', `${kind} has no --${name}`, takes);
    }
  }
}

/** `value` as a whole number from `min` to `max`, or `fallback` when absent. */
export function whole(
  name: string,
  value: number | undefined,
  range: { min: number; max: number; fallback?: number },
): number {
  const chosen = value ?? range.fallback;
  if (chosen === undefined) {
    throw new LabError(
      'BAD_OPTION',
      `--${name} is required`,
      `a whole number from ${range.min} to ${range.max}`,
    );
  }
  if (!Number.isInteger(chosen) || chosen < range.min || chosen > range.max) {
    throw new LabError(
      'BAD_OPTION',
      `--${name} must be a whole number from ${range.min} to ${range.max}, got ${chosen}`,
    );
  }
  return chosen;
}
