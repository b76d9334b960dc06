import assert from 'node:assert/strict';
import { StickyCookie, stickyValue } from '../../../balancer/sticky-cookie.ts';
import { UpstreamPool } from '../../../balancer/upstream-pool.ts';

const SECRET = 'a-secret-that-is-at-least-32-chars!';

describe('sticky cookie', () => {
  const pool = new UpstreamPool([
    { id: 'node-1', url: 'http://127.0.0.1:9001' },
    { id: 'node-2', url: 'http://10.1.2.3:9002' },
  ]);
  const cookie = new StickyCookie('SLB', SECRET, pool.nodes);
  const [n1, n2] = pool.nodes as [(typeof pool.nodes)[0], (typeof pool.nodes)[0]];
  after(() => pool.close());

  it('gives each node an opaque value that reveals neither id nor address', () => {
    for (const node of pool.nodes) {
      const value = stickyValue(SECRET, node.id);
      assert.match(value, /^[A-Za-z0-9_-]{22}$/, '16 bytes, base64url');
      const decoded = Buffer.from(value, 'base64url').toString('latin1');
      for (const secretPart of [
        node.id,
        node.url,
        node.target.hostname,
        String(node.target.port),
      ]) {
        assert.ok(!value.includes(secretPart), `value contains ${secretPart}`);
        assert.ok(!decoded.includes(secretPart), `decoded value contains ${secretPart}`);
      }
    }
    assert.notEqual(stickyValue(SECRET, 'node-1'), stickyValue(SECRET, 'node-2'));
    assert.notEqual(stickyValue(SECRET, 'node-1'), stickyValue(`${SECRET}x`, 'node-1'));
  });

  it('maps issued values back to their node', () => {
    assert.equal(cookie.lookup(stickyValue(SECRET, 'node-1')), n1);
    assert.equal(cookie.lookup(stickyValue(SECRET, 'node-2')), n2);
  });

  it('rejects tampered, foreign and address-like values', () => {
    const good = stickyValue(SECRET, 'node-1');
    const flipped = (good[0] === 'A' ? 'B' : 'A') + good.slice(1);
    for (const forged of [
      flipped,
      good.slice(0, -1),
      `${good}A`,
      stickyValue('another-secret-of-at-least-32-chars', 'node-1'),
      stickyValue(SECRET, 'node-3'),
      'node-1',
      'http://127.0.0.1:9001',
      '127.0.0.1:9001',
      '',
    ]) {
      assert.equal(cookie.lookup(forged), undefined, `accepted ${forged}`);
    }
  });

  it('builds the HAProxy-style insert headers', () => {
    const value = stickyValue(SECRET, 'node-2');
    assert.equal(cookie.setCookieFor(n2), `SLB=${value}; Path=/; HttpOnly; SameSite=Lax`);
    assert.deepEqual(cookie.insertHeadersFor(n2), [
      'Set-Cookie',
      `SLB=${value}; Path=/; HttpOnly; SameSite=Lax`,
      'Cache-Control',
      'no-cache="Set-Cookie"',
    ]);
  });

  describe('split (indirect mode)', () => {
    it('takes the balancer cookie out and keeps the others intact', () => {
      assert.deepEqual(cookie.split('a=1; SLB=xyz; b=two=2'), {
        value: 'xyz',
        rest: 'a=1; b=two=2',
      });
      assert.deepEqual(cookie.split('SLB=xyz'), { value: 'xyz', rest: undefined });
      assert.deepEqual(cookie.split('SLB=first; SLB=second; c=3'), { value: 'first', rest: 'c=3' });
    });

    it('leaves headers without the cookie untouched', () => {
      assert.deepEqual(cookie.split(undefined), { value: undefined, rest: undefined });
      assert.deepEqual(cookie.split('a=1;b=2'), { value: undefined, rest: 'a=1;b=2' });
      assert.deepEqual(cookie.split('XSLB=1; SLBX=2'), {
        value: undefined,
        rest: 'XSLB=1; SLBX=2',
      });
    });
  });
});
