import assert from 'node:assert/strict';
import { CookieJar } from '../../../loadgen/core/cookie-jar.ts';
import { networkKind } from '../../../loadgen/core/error-kinds.ts';
import { failureCode, setCookieLine } from '../../../k6/lib/k6-answers.ts';

describe('k6/lib/k6-answers: k6’s view of an answer, in the shared user’s terms', () => {
  it('k6 error codes land in the lab’s error kinds; an unknown one is `network`', () => {
    assert.equal(networkKind(failureCode(1050)), 'timeout');
    assert.equal(networkKind(failureCode(1212)), 'refused');
    assert.equal(networkKind(failureCode(1220)), 'reset');
    assert.equal(networkKind(failureCode(1201)), 'reset');
    assert.equal(failureCode(1100), 'k6-1100');
    assert.equal(networkKind(failureCode(1100)), 'network');
  });

  it('parsed cookies, back as Set-Cookie lines, set and remove as the browser-like jar does', () => {
    const jar = new CookieJar();
    const now = Date.parse('2026-12-04T16:00:00Z');
    jar.absorb(
      [
        setCookieLine({ name: 'sid', value: 'abc', maxAge: 3600, expires: 0 }),
        setCookieLine({ name: 'lb', value: 'node-2', maxAge: 0, expires: 0 }),
      ],
      now,
    );
    assert.equal(jar.header(), 'sid=abc; lb=node-2');
    // Go reads "Max-Age=0" as maxAge -1: the cookie goes.
    jar.absorb([setCookieLine({ name: 'sid', value: 'abc', maxAge: -1, expires: 0 })], now);
    assert.equal(jar.header(), 'lb=node-2');
    // An expiry in the past removes it too.
    jar.absorb([setCookieLine({ name: 'lb', value: 'x', maxAge: 0, expires: now - 1000 })], now);
    assert.equal(jar.header(), undefined);
  });
});
