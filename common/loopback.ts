// The loopback rule, in the bottom floor (common/): the lab's guards and
// the load generator both refuse traffic off this machine, and the load
// generator may not import the lab. Imports nothing of the project.
import net from 'node:net';
import { CodedError } from './coded-error.ts';

/** A refusal of the loopback rule: BAD_ADDRESS (not host:port) or NOT_LOOPBACK. */
export class LoopbackError extends CodedError {
  declare readonly code: 'BAD_ADDRESS' | 'NOT_LOOPBACK';

  constructor(code: 'BAD_ADDRESS' | 'NOT_LOOPBACK', message: string, hint?: string) {
    super(code, message, hint);
    this.name = 'LoopbackError';
  }
}

/** A `host:port` pair that has passed the loopback guard. */
export interface LoopbackAddress {
  host: string;
  port: number;
}

/**
 * Parses `host:port` (IPv6 in brackets) and refuses anything that is not on
 * loopback. Toxiproxy forwards whatever it is told to: a link listening on
 * another interface would open a store to the network, and an upstream
 * elsewhere would make the lab a relay to machines it does not own.
 * `allowAnyPort` admits port 0 (a listen address the OS completes).
 */
export function assertLoopback(
  address: string,
  what: string,
  allowAnyPort = false,
): LoopbackAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535 || (port === 0 && !allowAnyPort)) {
    throw new LoopbackError(
      'BAD_ADDRESS',
      `${what} "${address}" is not host:port`,
      'e.g. 127.0.0.1:6379',
    );
  }
  if (!isLoopbackHost(host)) {
    throw new LoopbackError(
      'NOT_LOOPBACK',
      `${what} "${address}" is not a loopback address`,
      'the lab only proxies between processes on this machine (127.0.0.0/8, ::1, localhost)',
    );
  }
  return { host, port };
}

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and the name localhost; nothing else. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (!net.isIPv6(host)) return false;
  const lower = host.toLowerCase();
  if (lower.startsWith('::ffff:')) return isLoopbackHost(lower.slice('::ffff:'.length));
  // Every spelling of ::1 (0:0:0:0:0:0:0:1, ::0001, ...).
  return (
    net.isIPv6(lower) && new net.SocketAddress({ address: lower, family: 'ipv6' }).address === '::1'
  );
}

/** Refuses a host off this machine (a state file edited by hand, an attach mode later). */
export function assertLoopbackHost(what: string, host: string): void {
  if (!isLoopbackHost(host.replace(/^\[(.*)\]$/, '$1'))) {
    throw new LoopbackError(
      'NOT_LOOPBACK',
      `${what} is at ${host}, not on loopback; the lab only acts on processes on this machine`,
    );
  }
}

/**
 * Throws unless `url` is plain http on a loopback host: load and benchmark
 * traffic must never reach anyone else's machine.
 */
export function loopbackOrigin(url: string): URL {
  const target = new URL(url);
  if (target.protocol !== 'http:' || !isLoopbackHost(target.hostname.replace(/^\[(.*)\]$/, '$1'))) {
    throw new LoopbackError(
      'NOT_LOOPBACK',
      `load only goes to http on loopback, not ${target.origin}`,
      'use 127.0.0.1, ::1 or localhost',
    );
  }
  return target;
}
