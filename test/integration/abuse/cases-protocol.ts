// Protocol features a balancer must handle on the client's behalf:
// Connection-listed headers, Expect: 100-continue, upgrades, slow and partial
// requests, and trailers (including a GET that announces them).
import type { AbuseCase, Category, Outcome } from './abuse-case.ts';
import { head, plainGet, smuggled } from './abuse-case.ts';
import type { Piece } from '../../unit/balancer/raw-client.ts';

const make = (
  category: Category,
  name: string,
  pieces: Piece[],
  expect: Outcome[],
  extra: Partial<AbuseCase> = {},
): AbuseCase => ({ category, name, pieces, expect, ...extra });

const connectionCases: AbuseCase[] = (
  [
    ['close', ['Connection: close']],
    ['a custom header listed', ['Connection: keep-alive, X-Secret', 'X-Secret: 1']],
    ['Host listed', ['Connection: Host']],
    ['X-Forwarded-For listed', ['Connection: X-Forwarded-For', 'X-Forwarded-For: 6.6.6.6']],
    ['Cookie listed', ['Connection: Cookie', 'Cookie: a=b']],
    ['Authorization listed', ['Connection: Authorization', 'Authorization: Basic eDp5']],
    ['Upgrade listed without Upgrade', ['Connection: Upgrade']],
    ['close twice', ['Connection: close, close']],
  ] as const
).map(([name, lines]) => make('connection header', name, [head('GET', '{p}/c', lines)], ['2xx']));

connectionCases.push(
  make(
    'connection header',
    'Content-Length listed on a POST',
    [head('POST', '{p}/c', ['Connection: Content-Length', 'Content-Length: 5']) + 'hello'],
    ['2xx'],
  ),
  make(
    'connection header',
    'Transfer-Encoding listed on a chunked POST',
    [
      head('POST', '{p}/c', ['Connection: Transfer-Encoding', 'Transfer-Encoding: chunked']) +
        '5\r\nhello\r\n0\r\n\r\n',
    ],
    ['2xx'],
  ),
);

const expectCases: AbuseCase[] = [
  make(
    'expect',
    '100-continue, body after the interim answer',
    [
      head('POST', '{p}/e', ['Expect: 100-continue', 'Content-Length: 5']),
      { pauseMs: 100 },
      'hello',
    ],
    ['2xx'],
  ),
  make(
    'expect',
    '100-Continue in other case',
    [head('POST', '{p}/e', ['Expect: 100-Continue', 'Content-Length: 5']), 'hello'],
    ['2xx'],
  ),
  make(
    'expect',
    '100-continue on a bodyless GET',
    [head('GET', '{p}/e', ['Expect: 100-continue'])],
    ['2xx'],
  ),
  make(
    'expect',
    '100-continue for a body over the limit',
    [head('POST', '{p}/e', ['Expect: 100-continue', 'Content-Length: 5000000'])],
    ['4xx'],
  ),
  make('expect', 'unknown expectation', [head('GET', '{p}/e', ['Expect: teapot'])], ['4xx', '2xx']),
  make(
    'expect',
    '100-continue then a smuggle in the body',
    [
      // `{p}` (3 characters) becomes `/abuse-L001` (11) when the case runs.
      head('POST', '{p}/e', ['Expect: 100-continue', `Content-Length: ${smuggled.length + 8}`]),
      { pauseMs: 50 },
      smuggled,
    ],
    ['2xx'],
  ),
];

const upgradeCases: AbuseCase[] = [
  make(
    'upgrade',
    'WebSocket',
    [
      head('GET', '{p}/u', [
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ]),
    ],
    ['5xx'],
  ),
  make(
    'upgrade',
    'h2c',
    [
      head('GET', '{p}/u', [
        'Connection: Upgrade, HTTP2-Settings',
        'Upgrade: h2c',
        'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA',
      ]),
    ],
    ['5xx'],
  ),
  make(
    'upgrade',
    'Upgrade without Connection: upgrade',
    [head('GET', '{p}/u', ['Upgrade: websocket'])],
    ['2xx'],
  ),
  make(
    'upgrade',
    'upgrade on a POST with a body',
    [
      head('POST', '{p}/u', ['Connection: Upgrade', 'Upgrade: websocket', 'Content-Length: 5']) +
        'hello',
    ],
    ['5xx'],
  ),
  make(
    'upgrade',
    'upgrade followed by a request',
    [head('GET', '{p}/u', ['Connection: Upgrade', 'Upgrade: websocket']) + smuggled],
    ['5xx'],
  ),
  make(
    'upgrade',
    'unknown protocol',
    [head('GET', '{p}/u', ['Connection: Upgrade', 'Upgrade: foo/1'])],
    ['5xx'],
  ),
];

const slowCases: AbuseCase[] = [
  make(
    'slow/partial',
    'head in ten pieces',
    [
      ...Array.from(head('GET', '{p}/s').match(/[\s\S]{1,12}/g)!, (part) => [
        part,
        { pauseMs: 15 },
      ]).flat(),
    ] as Piece[],
    ['2xx'],
  ),
  make(
    'slow/partial',
    'head never finished',
    ['GET {p}/s HTTP/1.1\r\nHost: lab.test\r\n'],
    ['4xx', 'none'],
    { timeoutMs: 4000 },
  ),
  make('slow/partial', 'request line never finished', ['GET {p}/s HTT'], ['4xx', 'none'], {
    timeoutMs: 4000,
  }),
  make(
    'slow/partial',
    'body shorter than its length',
    [head('POST', '{p}/s', ['Content-Length: 10']) + 'hello'],
    ['4xx', 'none'],
    { timeoutMs: 4000 },
  ),
  make(
    'slow/partial',
    'chunked body never ended',
    [head('POST', '{p}/s', ['Transfer-Encoding: chunked']) + '5\r\nhello\r\n'],
    ['4xx', 'none'],
    { timeoutMs: 4000 },
  ),
  make('slow/partial', 'nothing sent', [], ['none', '4xx'], { timeoutMs: 4000 }),
  make(
    'slow/partial',
    'body one byte at a time',
    [
      head('POST', '{p}/s', ['Content-Length: 5']),
      ...[...'hello'].flatMap((c) => [{ pauseMs: 20 }, c]),
    ],
    ['2xx'],
  ),
  make(
    'slow/partial',
    'half-close after the request',
    [plainGet('{p}/s'), { halfClose: true }],
    // Node aborts a request whose client half-closed (see docs/abuse-suite.md).
    ['2xx', 'none'],
  ),
];

const trailerCases: AbuseCase[] = [
  make('trailer', 'GET announcing a Trailer', [head('GET', '{p}/t', ['Trailer: X-T'])], ['2xx']),
  make(
    'trailer',
    'GET announcing a Trailer, then a GET',
    [head('GET', '{p}/t', ['Trailer: X-T']) + plainGet()],
    ['2xx,2xx'],
  ),
  make(
    'trailer',
    'chunked GET with a trailer field',
    [head('GET', '{p}/t', ['Trailer: X-T', 'Transfer-Encoding: chunked']) + '0\r\nX-T: 1\r\n\r\n'],
    ['2xx'],
  ),
  make(
    'trailer',
    'chunked POST with a trailer field',
    [
      head('POST', '{p}/t', ['Trailer: X-T', 'Transfer-Encoding: chunked']) +
        '5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n',
    ],
    ['2xx'],
  ),
  make(
    'trailer',
    'trailer carrying Host',
    [
      head('POST', '{p}/t', ['Transfer-Encoding: chunked']) +
        '5\r\nhello\r\n0\r\nHost: evil.test\r\n\r\n',
    ],
    ['2xx'],
  ),
  make(
    'trailer',
    'trailer carrying a request line',
    [head('POST', '{p}/t', ['Transfer-Encoding: chunked']) + `5\r\nhello\r\n0\r\n${smuggled}`],
    ['4xx', '2xx'],
  ),
  make(
    'trailer',
    'trailer with a space before the colon',
    [head('POST', '{p}/t', ['Transfer-Encoding: chunked']) + '5\r\nhello\r\n0\r\nX-T : 1\r\n\r\n'],
    ['4xx'],
  ),
];

export const protocolCases: readonly AbuseCase[] = [
  ...connectionCases,
  ...expectCases,
  ...upgradeCases,
  ...slowCases,
  ...trailerCases,
];
