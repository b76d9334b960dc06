import assert from 'node:assert/strict';
import { parseActionRequest, PANEL_ACTIONS } from '../../../../lab/live/admin-actions.ts';
import { LabError } from '../../../../lab/errors.ts';

function refusal(body: unknown): string {
  try {
    parseActionRequest(body);
  } catch (error) {
    assert.ok(error instanceof LabError);
    assert.equal(error.code, 'BAD_PARAMETER');
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be refused`);
}

describe("the admin panel's requests", () => {
  it('accepts each node action on a node, and a strategy switch', () => {
    for (const action of PANEL_ACTIONS) {
      assert.deepEqual(parseActionRequest({ action, target: 'node-2' }), {
        action,
        target: 'node-2',
      });
    }
    assert.deepEqual(parseActionRequest({ action: 'strategy', strategy: 'redis:cas' }), {
      action: 'strategy',
      strategy: 'redis:cas',
    });
  });

  it('refuses anything else with what is wrong', () => {
    assert.match(refusal(null), /not a JSON object/);
    assert.match(refusal({ action: 'restart', target: 'node-1' }), /unknown action "restart"/);
    assert.match(refusal({ action: 'kill', target: 'redis' }), /names no node/);
    assert.match(refusal({ action: 'kill', target: '../state' }), /names no node/);
    assert.match(refusal({ action: 'strategy' }), /names no strategy/);
  });
});
