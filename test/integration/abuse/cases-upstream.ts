// A node that misbehaves: the balancer must answer (502/504) or cut the
// client connection, never relay a broken answer as a good one, never crash.
import type { AbuseCase, Outcome } from './abuse-case.ts';
import { head } from './abuse-case.ts';

/** [misbehaviour, expected outcomes for a GET] — see recording-node.ts for each behaviour. */
const rows: readonly (readonly [string, readonly Outcome[]])[] = [
  // The head was relayed before the node failed: the client sees a cut body.
  ['reset-mid-body', ['none']],
  ['close-before-headers', ['5xx']],
  ['reset-before-headers', ['5xx']],
  ['bad-status-line', ['5xx']],
  ['no-status-line', ['5xx']],
  ['bad-header', ['5xx']],
  ['duplicate-length', ['5xx']],
  ['length-and-chunked', ['5xx', '2xx']],
  ['short-body-then-close', ['none']],
  ['bad-chunk', ['none', '5xx']],
  ['http09-answer', ['5xx']],
  ['crlf-in-header', ['5xx']],
  ['huge-header', ['5xx']],
  ['until-close', ['2xx']],
  ['early-hints', ['2xx']],
  ['no-content-with-body', ['2xx']],
  ['status-999', ['5xx', '9xx']],
  ['never-answers', ['5xx']],
];

const gets: AbuseCase[] = rows.map(([kind, expect]) => ({
  category: 'upstream',
  name: `GET, node ${kind}`,
  pieces: [head('GET', `{p}/misbehave-${kind}`)],
  expect,
  retries: true,
  timeoutMs: kind === 'never-answers' ? 4000 : 2500,
}));

const posts: AbuseCase[] = ['close-before-headers', 'reset-mid-body', 'bad-status-line'].map(
  (kind) => ({
    category: 'upstream',
    name: `POST, node ${kind}`,
    pieces: [head('POST', `{p}/misbehave-${kind}`, ['Content-Length: 5']) + 'hello'],
    expect: kind === 'reset-mid-body' ? ['none'] : ['5xx'],
    retries: true,
    timeoutMs: 2500,
  }),
);

export const upstreamCases: readonly AbuseCase[] = [...gets, ...posts];
