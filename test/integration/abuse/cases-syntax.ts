// Request syntax: header fields, request targets and methods. Expected
// answers follow RFC 9110/9112 (what a server MUST refuse is refused; where a
// server MAY choose, both answers are listed). `limit` marks refusals for
// size, not malformation.
import type { AbuseCase, Category, Outcome } from './abuse-case.ts';
import { head } from './abuse-case.ts';

type Row = readonly [
  name: string,
  lines: readonly string[],
  expect: readonly Outcome[],
  limit?: boolean,
];

const headerRows: readonly Row[] = [
  ['obs-fold', ['X-A: a', ' b'], ['4xx', '2xx']],
  ['obs-fold right after the request line', [' X-A: a'], ['4xx']],
  ['space before colon', ['X-A : a'], ['4xx']],
  ['space before colon in Content-Length', ['Content-Length : 0'], ['4xx']],
  ['tab before colon', ['X-A\t: a'], ['4xx']],
  ['space inside a name', ['X A: a'], ['4xx']],
  ['NUL in a value', ['X-A: a\0b'], ['4xx']],
  ['NUL in a name', ['X-\0A: a'], ['4xx']],
  ['bare CR in a value', ['X-A: a\rX-Injected: yes'], ['4xx']],
  ['bare LF between fields', ['X-A: a\nX-B: b'], ['4xx', '2xx']],
  ['DEL in a value', ['X-A: a\x7fb'], ['4xx', '2xx']],
  ['obs-text in a value', ['X-A: caf\xe9'], ['2xx', '4xx']],
  ['empty name', [': x'], ['4xx']],
  ['line without a colon', ['XA'], ['4xx']],
  ['parenthesis in a name', ['X(A): a'], ['4xx']],
  ['at sign in a name', ['X@A: a'], ['4xx']],
  ['duplicate Host', ['Host: other.test'], ['4xx']],
  ['unknown field', ['X-Pad: 1'], ['2xx']],
  ['value with surrounding spaces', ['X-A:    a    '], ['2xx']],
  ['8 KB value', [`X-A: ${'v'.repeat(8192)}`], ['2xx']],
  ['20 KB value', [`X-A: ${'v'.repeat(20_000)}`], ['4xx'], true],
  ['90 fields', Array.from({ length: 90 }, (_, i) => `X-F${i}: ${i}`), ['2xx']],
  ['150 fields', Array.from({ length: 150 }, (_, i) => `X-F${i}: ${i}`), ['2xx', '4xx'], true],
  // HAProxy refuses a field name this long; no RFC rule does.
  ['1000-character name', [`X-${'n'.repeat(1000)}: a`], ['2xx'], true],
  ['duplicate Content-Type', ['Content-Type: a/b', 'Content-Type: c/d'], ['2xx', '4xx']],
];

const headerCases: AbuseCase[] = headerRows.map(([name, lines, expect, limit]) => ({
  category: 'header syntax',
  name,
  pieces: [head('GET', '{p}/h', lines)],
  expect,
  ...(limit ? { limit } : {}),
}));

/** Requests whose Host line itself is the subject (head() always sends one). */
const hostCases: AbuseCase[] = (
  [
    ['missing Host', 'GET {p}/h HTTP/1.1\r\nX-Case: {tag}\r\n\r\n', ['4xx']],
    ['empty Host', 'GET {p}/h HTTP/1.1\r\nHost:\r\nX-Case: {tag}\r\n\r\n', ['4xx', '2xx']],
    [
      'Host with userinfo',
      'GET {p}/h HTTP/1.1\r\nHost: u@lab.test\r\nX-Case: {tag}\r\n\r\n',
      ['4xx', '2xx'],
    ],
    [
      'Host with a space',
      'GET {p}/h HTTP/1.1\r\nHost: lab .test\r\nX-Case: {tag}\r\n\r\n',
      ['4xx', '2xx'],
    ],
    [
      'Host list',
      'GET {p}/h HTTP/1.1\r\nHost: a.test, b.test\r\nX-Case: {tag}\r\n\r\n',
      ['4xx', '2xx'],
    ],
  ] as const
).map(([name, raw, expect]) => ({
  category: 'header syntax' as const,
  name,
  pieces: [raw],
  expect,
}));

const target = (
  name: string,
  t: string,
  expect: Outcome[],
  extra: Partial<AbuseCase> = {},
): AbuseCase => ({
  category: 'targets',
  name,
  pieces: [head('GET', t)],
  expect,
  ...extra,
});

const targetCases: AbuseCase[] = [
  target('absolute form', 'http://lab.test{p}/a', ['2xx']),
  target('absolute form, https', 'https://lab.test{p}/a', ['2xx']),
  target('absolute form, other host', 'http://elsewhere.test{p}/a', ['4xx']),
  target('absolute form with userinfo', 'http://u:p@lab.test{p}/a', ['2xx', '4xx']),
  target('absolute form, ftp scheme', 'ftp://lab.test{p}/a', ['4xx']),
  {
    category: 'targets',
    name: 'asterisk form with OPTIONS',
    pieces: [head('OPTIONS', '*')],
    expect: ['2xx'],
  },
  target('asterisk form with GET', '*', ['4xx']),
  target('%2e%2e segments', '{p}/%2e%2e/%2e%2e/x', ['2xx']),
  target('dot-dot segments', '{p}/../../x', ['2xx']),
  target('/admin on a node', '/admin/x?{p}', ['4xx']),
  target('/%61dmin on a node', '/%61dmin/x?{p}', ['4xx']),
  target('//admin on a node', '//admin/x?{p}', ['4xx']),
  target('10 KB target', `{p}/${'a'.repeat(10_000)}`, ['2xx']),
  target('20 KB target', `{p}/${'a'.repeat(20_000)}`, ['4xx'], { limit: true }),
  target('no leading slash', 'abuse-{tag}', ['4xx']),
  target('authority form on GET', 'lab.test:80', ['4xx']),
  target('fragment', '{p}/a#frag', ['4xx', '2xx']),
  target('raw obs-text', '{p}/caf\xe9', ['4xx', '2xx']),
  target('control character', '{p}/a\x01b', ['4xx']),
  target('backslashes', '{p}\\..\\x', ['2xx', '4xx']),
  target('double slash', '/{p}', ['2xx']),
  target('NUL escaped in the query', '{p}?a=%00', ['2xx']),
  target('invalid escape', '{p}/%zz', ['2xx', '4xx']),
  {
    category: 'targets',
    name: 'space inside the target',
    pieces: ['GET {p}/a b HTTP/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n'],
    expect: ['4xx'],
  },
  {
    category: 'targets',
    name: 'empty target',
    pieces: ['GET  HTTP/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n'],
    expect: ['4xx'],
  },
];

const line = (
  category: Category,
  name: string,
  raw: string,
  expect: Outcome[],
  extra: Partial<AbuseCase> = {},
): AbuseCase => ({ category, name, pieces: [raw], expect, ...extra });

const methodCases: AbuseCase[] = [
  line(
    'methods',
    'CONNECT',
    'CONNECT lab.test:443 HTTP/1.1\r\nHost: lab.test:443\r\nX-Case: {tag}\r\n\r\n',
    ['4xx', '5xx'],
  ),
  line('methods', 'TRACE', head('TRACE', '{p}/m'), ['2xx', '4xx', '5xx']),
  line('methods', 'TRACE with a body', head('TRACE', '{p}/m', ['Content-Length: 5']) + 'hello', [
    '2xx',
    '4xx',
  ]),
  line('methods', 'unknown method', head('FOO', '{p}/m'), ['4xx', '5xx', '2xx']),
  line('methods', 'lower-case method', head('get', '{p}/m'), ['4xx', '5xx', '2xx']),
  line('methods', 'WebDAV PROPFIND', head('PROPFIND', '{p}/m'), ['2xx']),
  line('methods', '100-character method', head('M'.repeat(100), '{p}/m'), ['4xx', '5xx', '2xx']),
  line('methods', 'separator in the method', head('GE(T', '{p}/m'), ['4xx']),
  line('methods', 'HEAD', head('HEAD', '{p}/m'), ['2xx'], { head: true }),
  line('methods', 'OPTIONS', head('OPTIONS', '{p}/m'), ['2xx']),
  line('methods', 'DELETE with a body', head('DELETE', '{p}/m', ['Content-Length: 5']) + 'hello', [
    '2xx',
  ]),
  line('methods', 'GET with a body', head('GET', '{p}/m', ['Content-Length: 5']) + 'hello', [
    '2xx',
  ]),
  line('methods', 'HTTP/1.0', 'GET {p}/m HTTP/1.0\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n', [
    '2xx',
  ]),
  line('methods', 'HTTP/1.0 without Host', 'GET {p}/m HTTP/1.0\r\nX-Case: {tag}\r\n\r\n', ['2xx']),
  line('methods', 'HTTP/0.9 request line', 'GET {p}/m\r\n\r\n', ['5xx', '4xx', 'none']),
  line(
    'methods',
    'HTTP/2.0 in the request line',
    'GET {p}/m HTTP/2.0\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n',
    ['4xx', '5xx'],
  ),
  line('methods', 'HTTP/1.2', 'GET {p}/m HTTP/1.2\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n', [
    '2xx',
    '4xx',
    '5xx',
  ]),
  line('methods', 'HTTP/9.9', 'GET {p}/m HTTP/9.9\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n', [
    '4xx',
    '5xx',
  ]),
  line(
    'methods',
    'lower-case version',
    'GET {p}/m http/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n',
    ['4xx'],
  ),
  line(
    'methods',
    'two spaces after the method',
    'GET  {p}/m HTTP/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n',
    ['2xx', '4xx'],
  ),
  line('methods', 'HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', ['4xx', '5xx', 'none']),
];

export const syntaxCases: readonly AbuseCase[] = [
  ...headerCases,
  ...hostCases,
  ...targetCases,
  ...methodCases,
];
