import assert from 'node:assert/strict';
import { LabError } from '../../../lab/errors.ts';
import { assertLoopback, isLoopbackHost } from '../../../lab/loopback.ts';
import { ToxiproxyClient } from '../../../lab/network/toxiproxy-client.ts';

const refusedAs = (code: string) => (error: unknown) =>
  error instanceof LabError && error.code === code;

describe('network loopback guard', () => {
  it('accepts loopback addresses in every spelling', () => {
    assert.deepEqual(assertLoopback('127.0.0.1:6379', 'x'), { host: '127.0.0.1', port: 6379 });
    assert.deepEqual(assertLoopback('127.8.9.10:1', 'x'), { host: '127.8.9.10', port: 1 });
    assert.deepEqual(assertLoopback('localhost:5701', 'x'), { host: 'localhost', port: 5701 });
    assert.deepEqual(assertLoopback('[::1]:80', 'x'), { host: '::1', port: 80 });
    assert.deepEqual(assertLoopback('[0:0:0:0:0:0:0:1]:80', 'x').port, 80);
    assert.equal(isLoopbackHost('::ffff:127.0.0.1'), true);
  });

  it('refuses any other host, the wildcard included', () => {
    for (const address of [
      '0.0.0.0:6379',
      '10.0.0.5:6379',
      '192.168.1.1:6379',
      '[::]:6379',
      '[::2]:6379',
      '[fe80::1]:6379',
      'example.com:6379',
      '127.0.0.1.evil.example:6379',
      'redis:6379',
    ]) {
      assert.throws(() => assertLoopback(address, 'upstream'), refusedAs('NOT_LOOPBACK'), address);
    }
  });

  it('refuses what is not host:port, and port 0 unless it is a listen address', () => {
    for (const address of ['127.0.0.1', '127.0.0.1:', ':6379', '127.0.0.1:70000', '127.0.0.1:x']) {
      assert.throws(() => assertLoopback(address, 'upstream'), refusedAs('BAD_ADDRESS'), address);
    }
    assert.throws(() => assertLoopback('127.0.0.1:0', 'upstream'), refusedAs('BAD_ADDRESS'));
    assert.equal(assertLoopback('127.0.0.1:0', 'listen', true).port, 0);
  });

  it('is applied by the client before anything is sent to toxiproxy', async () => {
    // Port 9 (discard) on loopback: were a request sent, it would fail as unreachable instead.
    const client = new ToxiproxyClient('http://127.0.0.1:9');
    await assert.rejects(
      client.createProxy('node-1->redis', '127.0.0.1:0', '10.1.2.3:6379'),
      refusedAs('NOT_LOOPBACK'),
    );
    await assert.rejects(
      client.createProxy('node-1->redis', '0.0.0.0:0', '127.0.0.1:6379'),
      refusedAs('NOT_LOOPBACK'),
    );
    await assert.rejects(
      client.setUpstream('node-1->redis', 'db.example:6379'),
      refusedAs('NOT_LOOPBACK'),
    );
    assert.throws(() => new ToxiproxyClient('http://10.0.0.1:8474'), refusedAs('NOT_LOOPBACK'));
  });
});
