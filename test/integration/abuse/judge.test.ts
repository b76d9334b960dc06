// The suite's verdicts must be able to fail: each rule, fed the record of a
// balancer that misbehaves, names the problem.
import assert from 'node:assert/strict';
import type { AbuseCase } from './abuse-case.ts';
import { judge, type Row } from './judge.ts';

const clTe: AbuseCase = {
  category: 'framing',
  name: 'CL covers all + TE chunked',
  pieces: [],
  expect: ['4xx'],
};

function row(overrides: Partial<Row>): Row {
  return {
    c: clTe,
    lab: { outcome: '4xx', ending: 'closed' },
    haproxy: { outcome: '2xx', ending: 'open' },
    labForwarded: 0,
    haproxyForwarded: 1,
    ...overrides,
  };
}

describe('abuse suite verdicts', () => {
  it('passes a case handled as expected', () => {
    assert.deepEqual(judge(row({}), 0), []);
  });

  it('flags a node that parsed more requests than the client sent', () => {
    const problems = judge(
      row({
        lab: { outcome: '2xx', ending: 'open' },
        labForwarded: 2,
        c: { ...clTe, expect: ['4xx', '2xx'] },
      }),
      0,
    );
    assert.match(problems.join('\n'), /SMUGGLING: the node parsed 2 requests, the client sent 1/);
  });

  it('flags a request forwarded that HAProxy refused as malformed, unless for a size limit', () => {
    const refusedByHaproxy = row({
      lab: { outcome: '2xx', ending: 'open' },
      c: { ...clTe, expect: ['2xx'] },
      labForwarded: 1,
      haproxy: { outcome: '4xx', ending: 'closed' },
      haproxyForwarded: 0,
    });
    assert.match(judge(refusedByHaproxy, 0).join('\n'), /forwarded a request HAProxy refused/);
    assert.deepEqual(
      judge({ ...refusedByHaproxy, c: { ...refusedByHaproxy.c, limit: true } }, 0),
      [],
    );
  });

  it('flags the wrong answer and bytes the node could not parse', () => {
    const problems = judge(row({ lab: { outcome: 'none', ending: 'reset' } }), 1);
    assert.match(problems.join('\n'), /answered none, expected 4xx/);
    assert.match(problems.join('\n'), /bytes the node could not parse/);
  });
});
