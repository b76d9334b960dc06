import assert from 'node:assert/strict';
import { CookieJar } from '../../../loadgen/core/cookie-jar.ts';

describe('loadgen CookieJar', () => {
  it('keeps cookies from Set-Cookie and sends them back as one Cookie header', () => {
    const jar = new CookieJar();
    assert.equal(jar.header(), undefined);
    jar.absorb(['sid=abc; Path=/; HttpOnly; SameSite=Lax', 'lab_affinity=node-2; Path=/']);
    assert.equal(jar.header(), 'sid=abc; lab_affinity=node-2');
  });

  it('a later Set-Cookie for the same name replaces the value (the last to arrive wins)', () => {
    const jar = new CookieJar();
    jar.absorb(['sls=v1; Path=/']);
    jar.absorb(['sls=v2; Path=/']);
    jar.absorb(['sls=v3; Path=/', 'sls=v4; Path=/']);
    assert.equal(jar.header(), 'sls=v4');
  });

  it('Max-Age=0, a negative Max-Age, an empty value or a past Expires clear the cookie', () => {
    const jar = new CookieJar();
    jar.absorb(['a=1', 'b=2', 'c=3', 'd=4', 'e=5']);
    jar.absorb([
      'a=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; HttpOnly',
      'b=x; Max-Age=-1',
      'c=; Path=/',
      'd=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ]);
    assert.equal(jar.header(), 'e=5');
    assert.equal(jar.size, 1);
  });

  it('Max-Age wins over Expires; a future expiry keeps the cookie', () => {
    const jar = new CookieJar();
    jar.absorb([
      'a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60',
      `b=2; Expires=${new Date(Date.now() + 60_000).toUTCString()}`,
    ]);
    assert.equal(jar.header(), 'a=1; b=2');
  });

  it('keeps values with = inside, ignores lines without a name, and clears', () => {
    const jar = new CookieJar();
    jar.absorb(['tok=a=b==; Path=/', '=nameless', 'garbage']);
    assert.equal(jar.get('tok'), 'a=b==');
    assert.equal(jar.size, 1);
    jar.clear();
    assert.equal(jar.header(), undefined);
  });
});
