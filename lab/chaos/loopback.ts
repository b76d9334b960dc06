import { isIP } from 'node:net';
import { LabError } from '../errors.ts';

/** Refuses anything off this machine (a state file edited by hand, an attach mode later). */
export function assertLoopback(id: string, host: string): void {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const loopback =
    bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
  if (!loopback) {
    throw new LabError(
      'NOT_LOOPBACK',
      `${id} is at ${host}, not on loopback; the lab only acts on processes on this machine`,
    );
  }
}
