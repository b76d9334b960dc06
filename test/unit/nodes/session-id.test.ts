import assert from 'node:assert/strict';
import { isWellFormedSessionId, newSessionId } from '../../../nodes/session-id.ts';

describe('nodes/session-id', () => {
  it('makes 43-character base64url ids (256 bits) that it accepts back', () => {
    const id = newSessionId();
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(id, 'base64url').length, 32);
    assert.equal(isWellFormedSessionId(id), true);
  });

  it('never repeats an id', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newSessionId()));
    assert.equal(ids.size, 10_000);
  });

  it('rejects values it could not have issued', () => {
    for (const value of [
      '',
      'abc',
      'A'.repeat(42),
      'A'.repeat(44),
      `${'A'.repeat(42)}=`,
      `${'A'.repeat(42)}+`,
    ]) {
      assert.equal(isWellFormedSessionId(value), false, value);
    }
  });
});
