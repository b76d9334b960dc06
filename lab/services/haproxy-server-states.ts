// HAProxy's own view of its servers, read through the runtime API's
// `show servers state <backend>` (HAProxy management guide, section 9.3;
// format version 1, the one HAProxy 1.6 to 3.x print): a version line, a
// `# field field ...` header naming the columns, then one line per server.
// Columns are found by their header names, so a version that adds fields
// still reads; one that drops or renames the ones used here is refused with
// HAPROXY_BAD_ANSWER rather than read wrong.
import { LabError } from '../errors.ts';
import { haproxyRuntime } from './haproxy-runtime.ts';

/** A server's state in the lab balancer's words (balancer/upstream.ts), so both feed the same figures. */
export type HaproxyNodeState = 'up' | 'down' | 'draining' | 'disabled';

export interface HaproxyServerState {
  /** The server's name in the backend: the node id (`node-2`). */
  id: string;
  state: HaproxyNodeState;
  /** `srv_op_state`: 0 stopped, 1 starting (slow start), 2 running, 3 stopping. */
  opState: number;
  /** `srv_admin_state`: a mask of the maintenance and drain flags. */
  adminState: number;
}

const FORMAT_VERSION = '1';
const USED = ['srv_name', 'srv_op_state', 'srv_admin_state'] as const;
/** FMAINT, IMAINT, CMAINT, RMAINT, HMAINT: no traffic at all (HAProxy's MAINT). */
const MAINT_MASK = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
/** FDRAIN, IDRAIN: no new sessions, persistent ones still served (HAProxy's DRAIN). */
const DRAIN_MASK = 0x08 | 0x10;

/**
 * The state as the lab balancer would name it: maintenance first (HAProxy
 * stops checking a server in maintenance), then health, then drain, the
 * lab balancer's own order. Starting (slow start) is up; stopping (a soft
 * stop, still serving persistent sessions) is draining.
 */
export function labState(opState: number, adminState: number): HaproxyNodeState {
  if ((adminState & MAINT_MASK) !== 0) return 'disabled';
  if (opState === 0) return 'down';
  if ((adminState & DRAIN_MASK) !== 0 || opState === 3) return 'draining';
  return 'up';
}

/** Parses the answer to `show servers state <backend>`; throws HAPROXY_BAD_ANSWER on anything else. */
export function parseServersState(answer: string, backend: string): HaproxyServerState[] {
  const bad = (why: string) =>
    new LabError(
      'HAPROXY_BAD_ANSWER',
      `HAProxy's answer to "show servers state ${backend}" is not a server state table: ${why} (answer begins "${answer.slice(0, 80)}")`,
      'is the stats socket an HAProxy 1.6 or later? the lab reads format version 1',
    );
  const lines = answer
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const [version, header, ...rows] = lines;
  if (version !== FORMAT_VERSION) {
    throw bad(`the first line is "${version ?? ''}", not the format version ${FORMAT_VERSION}`);
  }
  if (!header?.startsWith('#')) throw bad('no "# field ..." header line');
  const names = header.slice(1).trim().split(/\s+/);
  const column = Object.fromEntries(USED.map((name) => [name, names.indexOf(name)])) as Record<
    (typeof USED)[number],
    number
  >;
  const missing = USED.filter((name) => column[name] < 0);
  if (missing.length > 0) throw bad(`the header has no ${missing.join(', ')}`);
  return rows.map((row, index) => {
    const fields = row.split(/\s+/);
    if (fields.length < names.length) {
      throw bad(`server line ${index + 1} has ${fields.length} fields, the header ${names.length}`);
    }
    const id = fields[column.srv_name]!;
    const opState = integer(fields[column.srv_op_state]!);
    const adminState = integer(fields[column.srv_admin_state]!);
    if (opState === undefined || opState > 3) {
      throw bad(`server ${id} has srv_op_state "${fields[column.srv_op_state]!}" (0 to 3)`);
    }
    if (adminState === undefined) {
      throw bad(`server ${id} has srv_admin_state "${fields[column.srv_admin_state]!}"`);
    }
    return { id, state: labState(opState, adminState), opState, adminState };
  });
}

function integer(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** HAProxy's state of every server of `backend`, read now through the runtime API at `socket`. */
export async function readServerStates(
  socket: string,
  backend = 'nodes',
): Promise<HaproxyServerState[]> {
  return parseServersState(await haproxyRuntime(socket, `show servers state ${backend}`), backend);
}
