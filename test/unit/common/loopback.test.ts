import assert from 'node:assert/strict';
import { CodedError } from '../../../common/coded-error.ts';
import { loopbackOrigin } from '../../../common/loopback.ts';

describe('loopback rule (common)', () => {
  it('lets load go to plain http on a loopback host', () => {
    assert.equal(loopbackOrigin('http://127.0.0.1:8080').port, '8080');
    assert.equal(loopbackOrigin('http://[::1]:80/').hostname, '[::1]');
    assert.equal(loopbackOrigin('http://localhost:3000').hostname, 'localhost');
  });

  it('refuses another host or https with NOT_LOOPBACK and what to use', () => {
    for (const url of ['http://10.0.0.1:80', 'http://example.com', 'https://127.0.0.1:443']) {
      assert.throws(
        () => loopbackOrigin(url),
        (error: unknown) =>
          error instanceof CodedError &&
          error.code === 'NOT_LOOPBACK' &&
          /use 127\.0\.0\.1, ::1 or localhost/.test(error.toLine()),
        url,
      );
    }
  });
});
