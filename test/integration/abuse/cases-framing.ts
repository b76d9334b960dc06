// Message framing: every pairing of Content-Length and Transfer-Encoding
// variants over one body (a chunked "hello" followed by a request), chunked
// encodings good and bad, and pipelined requests. Expected answers follow RFC
// 9112 §6: a request whose length cannot be determined reliably is refused
// with 400, and a balancer that re-frames never lets the bytes after a body
// become a request the client did not send.
import type { AbuseCase, Outcome } from './abuse-case.ts';
import { head, plainGet, smuggled } from './abuse-case.ts';

const chunkedHello = '5\r\nhello\r\n0\r\n\r\n';
const body = chunkedHello + smuggled;
// The body's length once placeholders are filled: `{p}` becomes `/abuse-L12`
// (or H12): the runner keeps tags the same width, see runner.ts.
const bodyLength = (tagWidth: number) => body.length - '{p}'.length + '/abuse-'.length + tagWidth;
const ALL = String(bodyLength(4));

interface LengthVariant {
  readonly name: string;
  readonly lines: readonly string[];
  /** undefined: no Content-Length; 'all'/'short': a valid length; 'bad': RFC says 400; 'dup': same value twice. */
  readonly kind: 'none' | 'all' | 'short' | 'bad' | 'dup';
}

const lengths: readonly LengthVariant[] = [
  { name: 'no CL', lines: [], kind: 'none' },
  { name: 'CL covers all', lines: [`Content-Length: ${ALL}`], kind: 'all' },
  { name: 'CL short', lines: ['Content-Length: 4'], kind: 'short' },
  {
    name: 'CL twice, same',
    lines: [`Content-Length: ${ALL}`, `Content-Length: ${ALL}`],
    kind: 'dup',
  },
  {
    name: 'CL twice, differing',
    lines: [`Content-Length: ${ALL}`, 'Content-Length: 4'],
    kind: 'bad',
  },
  { name: 'CL list', lines: [`Content-Length: ${ALL}, 4`], kind: 'bad' },
  { name: 'CL +n', lines: [`Content-Length: +${ALL}`], kind: 'bad' },
  { name: 'CL -1', lines: ['Content-Length: -1'], kind: 'bad' },
  { name: 'CL hex', lines: ['Content-Length: 0x10'], kind: 'bad' },
  { name: 'CL padded', lines: [`Content-Length:  ${ALL} `], kind: 'all' },
  { name: 'CL huge', lines: ['Content-Length: 99999999999999999999999'], kind: 'bad' },
];

interface CodingVariant {
  readonly name: string;
  readonly lines: readonly string[];
  /** 'none': absent; 'chunked': chunked is the final coding; 'bad': length cannot be determined. */
  readonly kind: 'none' | 'chunked' | 'bad';
}

const codings: readonly CodingVariant[] = [
  { name: 'no TE', lines: [], kind: 'none' },
  { name: 'TE chunked', lines: ['Transfer-Encoding: chunked'], kind: 'chunked' },
  { name: 'TE Chunked', lines: ['Transfer-Encoding: Chunked'], kind: 'chunked' },
  { name: 'TE padded', lines: ['Transfer-Encoding:  chunked '], kind: 'chunked' },
  // Valid framing, but the balancer would strip the gzip label while re-framing.
  { name: 'TE gzip, chunked', lines: ['Transfer-Encoding: gzip, chunked'], kind: 'bad' },
  { name: 'TE chunked, gzip', lines: ['Transfer-Encoding: chunked, gzip'], kind: 'bad' },
  { name: 'TE identity', lines: ['Transfer-Encoding: identity'], kind: 'bad' },
  { name: 'TE xchunked', lines: ['Transfer-Encoding: xchunked'], kind: 'bad' },
  {
    name: 'TE chunked twice',
    lines: ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'],
    kind: 'bad',
  },
  {
    name: 'TE chunked then identity',
    lines: ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'],
    kind: 'bad',
  },
  { name: 'TE obs-folded', lines: ['Transfer-Encoding:', ' chunked'], kind: 'bad' },
  { name: 'TE with tab name', lines: ['Transfer-Encoding\t: chunked'], kind: 'bad' },
  { name: 'TE chunked;x=1', lines: ['Transfer-Encoding: chunked;x=1'], kind: 'bad' },
];

/** What RFC 9112 §6.1-6.3 asks of a server for one pairing. */
function expected(length: LengthVariant, coding: CodingVariant): Outcome[] {
  if (coding.kind === 'bad') return ['4xx', '5xx'];
  // Both present: "ought to be handled as an error"; a proxy MUST NOT forward it as is.
  if (coding.kind === 'chunked' && length.kind !== 'none') return ['4xx'];
  // Chunked alone: the request after the body is a pipelined request.
  if (coding.kind === 'chunked') return ['2xx,2xx'];
  switch (length.kind) {
    case 'none': // no body: the chunk text is a malformed next request
    case 'short':
      return ['2xx,4xx'];
    case 'all':
      return ['2xx'];
    case 'dup': // the same value repeated MAY be accepted as one
      return ['4xx', '2xx'];
    case 'bad':
      return ['4xx'];
  }
}

const clTe: AbuseCase[] = lengths.flatMap((length) =>
  codings.map((coding) => ({
    category: 'framing' as const,
    name: `${length.name} + ${coding.name}`,
    pieces: [head('POST', '{p}/body', [...length.lines, ...coding.lines]), body],
    expect: expected(length, coding),
  })),
);

/** A chunked POST with the given body encoding, followed by a GET the client means. */
const chunked = (name: string, encoded: string, expect: Outcome[]): AbuseCase => ({
  category: 'chunked',
  name,
  pieces: [head('POST', '{p}/chunked', ['Transfer-Encoding: chunked']), encoded, plainGet()],
  expect,
});

const chunkCases: AbuseCase[] = [
  chunked('extension', '5;ext=1\r\nhello\r\n0\r\n\r\n', ['2xx,2xx']),
  chunked('quoted extension', '5;a="b c"\r\nhello\r\n0\r\n\r\n', ['2xx,2xx']),
  chunked('leading zeros', '0005\r\nhello\r\n0\r\n\r\n', ['2xx,2xx']),
  chunked('upper-case hex', 'A\r\n0123456789\r\n0\r\n\r\n', ['2xx,2xx']),
  chunked('two chunks', '2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n', ['2xx,2xx']),
  chunked('trailer field', '5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n', ['2xx,2xx']),
  chunked('trailer Content-Length', '5\r\nhello\r\n0\r\nContent-Length: 999\r\n\r\n', [
    '4xx',
    '2xx,2xx',
  ]),
  chunked('negative size', '-5\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('0x size', '0x5\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('space after size', '5 \r\nhello\r\n0\r\n\r\n', ['4xx', '2xx,2xx']),
  chunked('space before size', ' 5\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('overflowing size', 'ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('data longer than size', '3\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('data shorter than size', '7\r\nhello\r\n0\r\n\r\n', ['4xx', 'none']),
  chunked('bare LF lines', '5\nhello\n0\n\n', ['4xx']),
  chunked('empty size line', '\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('extension without size', ';ext\r\nhello\r\n0\r\n\r\n', ['4xx']),
  chunked('garbage after last chunk', '0\r\n\r\nGARBAGE\r\n\r\n', ['2xx,4xx']),
  chunked(
    'smuggle in a chunk',
    `${(smuggled.length + 8).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
    ['2xx,2xx'],
  ),
];

const pipelined = (name: string, pieces: string[], expect: Outcome[]): AbuseCase => ({
  category: 'pipelining',
  name,
  pieces,
  expect,
});

const pipelining: AbuseCase[] = [
  pipelined('two GETs in one write', [plainGet('{p}/1') + plainGet('{p}/2')], ['2xx,2xx']),
  pipelined(
    'three GETs in one write',
    [plainGet('{p}/1') + plainGet('{p}/2') + plainGet('{p}/3')],
    ['2xx,2xx,2xx'],
  ),
  pipelined(
    'POST with body then GET',
    [head('POST', '{p}/1', ['Content-Length: 5']) + 'hello' + plainGet('{p}/2')],
    ['2xx,2xx'],
  ),
  pipelined('GET then a malformed request', [plainGet('{p}/1') + 'BAD\r\n\r\n'], ['2xx,4xx']),
  pipelined(
    'Connection: close then GET',
    [head('GET', '{p}/1', ['Connection: close']) + plainGet('{p}/2')],
    ['2xx'],
  ),
  pipelined(
    'empty lines between requests',
    [plainGet('{p}/1') + '\r\n\r\n' + plainGet('{p}/2')],
    ['2xx,2xx', '2xx,4xx'],
  ),
  pipelined(
    'request line split across writes',
    ['GE', 'T {p}/1 HT', 'TP/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n\r\n'],
    ['2xx'],
  ),
  pipelined(
    'six GETs in one write',
    [[1, 2, 3, 4, 5, 6].map((n) => plainGet(`{p}/${n}`)).join('')],
    ['2xx,2xx,2xx,2xx,2xx,2xx'],
  ),
];

export const framingCases: readonly AbuseCase[] = [...clTe, ...chunkCases, ...pipelining];
