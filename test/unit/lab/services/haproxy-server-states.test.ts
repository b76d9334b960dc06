import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../../../lab/errors.ts';
import {
  labState,
  parseServersState,
  readServerStates,
} from '../../../../lab/services/haproxy-server-states.ts';

// HAProxy 2.6.12's answer to `show servers state nodes`, as printed on this
// machine: node-1 running, node-2 drained while its checks fail.
const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';
const ANSWER = [
  '1',
  HEADER,
  '3 nodes 1 node-1 127.0.0.1 2 0 1 1 0 17 2 3 6 0 0 0 - 18412 - 0 0 - - 0',
  '3 nodes 2 node-2 127.0.0.1 0 8 1 1 0 8 2 0 6 0 0 0 - 18413 - 0 0 - - 0',
  '',
].join('\n');

function badAnswer(answer: string, why: RegExp) {
  assert.throws(
    () => parseServersState(answer, 'nodes'),
    (error: unknown) =>
      error instanceof LabError && error.code === 'HAPROXY_BAD_ANSWER' && why.test(error.message),
  );
}

describe("HAProxy's server states (show servers state)", () => {
  it('reads each server by the header names, in the lab balancer words', () => {
    assert.deepEqual(parseServersState(ANSWER, 'nodes'), [
      { id: 'node-1', state: 'up', opState: 2, adminState: 0 },
      // Health first, like the lab balancer: a drained node whose checks fail is down.
      { id: 'node-2', state: 'down', opState: 0, adminState: 8 },
    ]);
  });

  it('finds the columns by name, whatever their order', () => {
    const reordered = ['1', '# srv_admin_state srv_name srv_op_state', '1 node-3 2', ''].join('\n');
    assert.deepEqual(parseServersState(reordered, 'nodes'), [
      { id: 'node-3', state: 'disabled', opState: 2, adminState: 1 },
    ]);
  });

  it('maps maintenance, health, drain and slow start as the lab balancer does', () => {
    assert.equal(labState(2, 0), 'up');
    assert.equal(labState(1, 0), 'up', 'starting (slow start) serves');
    assert.equal(labState(0, 0), 'down');
    assert.equal(labState(2, 0x08), 'draining', 'forced drain');
    assert.equal(labState(3, 0), 'draining', 'soft stop');
    assert.equal(
      labState(0, 0x01),
      'disabled',
      'maintenance hides health (HAProxy stops checking)',
    );
    assert.equal(labState(2, 0x20), 'disabled', 'maintenance after a failed resolution');
  });

  it('says an empty backend is no servers, not an error', () => {
    assert.deepEqual(parseServersState(`1\n${HEADER}\n`, 'nodes'), []);
  });

  it('refuses what is not a state table, with a clear error, without throwing anything else', () => {
    badAnswer("Can't find backend.\n\n", /first line is "Can't find backend\."/);
    badAnswer(
      'Unknown command, but maybe one of the following ones is a better match:\n',
      /first line/,
    );
    badAnswer('', /first line is ""/);
    badAnswer('2\n# srv_name srv_op_state srv_admin_state\n', /format version 1/);
    badAnswer('1\nnode-1 2 0\n', /no "# field \.\.\." header/);
    badAnswer('1\n# srv_name srv_op_state\nnode-1 2\n', /header has no srv_admin_state/);
    badAnswer(
      `1\n${HEADER}\n3 nodes 1 node-1 127.0.0.1 2`,
      /server line 1 has 6 fields, the header 25/,
    );
    badAnswer('1\n# srv_name srv_op_state srv_admin_state\nnode-1 7 0\n', /srv_op_state "7"/);
    badAnswer('1\n# srv_name srv_op_state srv_admin_state\nnode-1 2 x\n', /srv_admin_state "x"/);
  });

  describe('through a socket', () => {
    let dir: string;
    let server: Server | undefined;

    beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'lab-hap-states-'))));
    afterEach(async () => {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      server = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    /** A socket answering every command with `answer`: HAProxy's side of a broken exchange. */
    async function answering(answer: string): Promise<string> {
      const socket = path.join(dir, 'stats.sock');
      // resume(): the command is read (and dropped), so the peer's end is seen and the socket closes.
      server = createServer((client) => client.resume().end(answer));
      await new Promise((resolve) => server!.listen(socket, () => resolve(undefined)));
      return socket;
    }

    it('reads the states over the runtime API', async () => {
      const socket = await answering(ANSWER);
      const states = await readServerStates(socket);
      assert.deepEqual(
        states.map(({ id, state }) => [id, state]),
        [
          ['node-1', 'up'],
          ['node-2', 'down'],
        ],
      );
    });

    it('rejects a garbled answer with HAPROXY_BAD_ANSWER', async () => {
      const socket = await answering('\u0000\u0001 garbage');
      await assert.rejects(readServerStates(socket), { code: 'HAPROXY_BAD_ANSWER' });
    });

    it('rejects a socket nobody listens on with HAPROXY_RUNTIME, naming the socket', async () => {
      const socket = path.join(dir, 'gone.sock');
      await assert.rejects(readServerStates(socket), (error: unknown) => {
        assert.ok(error instanceof LabError);
        assert.equal(error.code, 'HAPROXY_RUNTIME');
        assert.ok(error.message.includes(socket), error.message);
        return true;
      });
    });
  });
});
