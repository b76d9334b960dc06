// The backend of the abuse suite: a node that records every request it
// parses (and every request it cannot), so the suite can tell what each
// balancer forwarded, and that misbehaves on demand when the path says so.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the node parsed it; `tag` names the case and balancer (e.g. L12, H12). */
export interface Received {
  readonly tag: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Bytes the node's parser refused: something malformed was forwarded to it. */
export interface Refused {
  readonly tag: string | undefined;
  readonly code: string;
  readonly raw: string;
}

const TAG = /abuse-([LH]\d+)/;

/** The case tag in a URL or any header value, where the suite's requests carry it. */
export function tagOf(url: string, headers: http.IncomingHttpHeaders): string | undefined {
  const inUrl = TAG.exec(url);
  if (inUrl) return inUrl[1];
  const fromHeader = headers['x-case'];
  return typeof fromHeader === 'string' ? TAG.exec(`abuse-${fromHeader}`)?.[1] : undefined;
}

/**
 * What a node does when the path contains `/misbehave-<kind>`: the upstream
 * failures a balancer must survive. The rest get a small 200.
 */
const misbehaviours: Record<string, (res: http.ServerResponse, socket: Socket) => void> = {
  'reset-mid-body': (res, socket) => {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('partial');
    setImmediate(() => socket.resetAndDestroy());
  },
  'close-before-headers': (_res, socket) => socket.destroy(),
  'reset-before-headers': (_res, socket) => socket.resetAndDestroy(),
  'bad-status-line': (_res, socket) => socket.end('HTTP/1.1 abc garbage\r\n\r\n'),
  'no-status-line': (_res, socket) => socket.end('hello there\r\n\r\n'),
  'bad-header': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 2\r\n\r\nok'),
  'duplicate-length': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!'),
  'length-and-chunked': (_res, socket) =>
    socket.end(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    ),
  'short-body-then-close': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'),
  'bad-chunk': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'),
  'http09-answer': (_res, socket) => socket.end('ok\n'),
  'crlf-in-header': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nX-A: a\rX-Injected: yes\r\nContent-Length: 2\r\n\r\nok'),
  'huge-header': (_res, socket) =>
    socket.end(`HTTP/1.1 200 OK\r\nX-Big: ${'b'.repeat(70_000)}\r\nContent-Length: 2\r\n\r\nok`),
  'until-close': (_res, socket) =>
    socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close'),
  'early-hints': (res) => {
    res.writeEarlyHints({ link: '</a.css>; rel=preload' });
    res.end('ok');
  },
  'no-content-with-body': (_res, socket) =>
    socket.end('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello'),
  'status-999': (_res, socket) => socket.end('HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok'),
  'never-answers': () => {},
};

export const misbehaviourKinds = Object.keys(misbehaviours);

export class RecordingNode {
  readonly id: string;
  readonly received: Received[] = [];
  readonly refused: Refused[] = [];
  private readonly server: http.Server;

  constructor(id: string) {
    this.id = id;
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => {});
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('latin1')));
    });
    // Never write a half-read request back on the wire: record it and close.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      const raw = (err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '';
      this.refused.push({ tag: TAG.exec(raw)?.[1], code: err.code ?? err.message, raw });
      socket.destroy();
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = req.url ?? '';
    if (url === '/healthz') {
      res.end('ok');
      return;
    }
    this.received.push({
      tag: tagOf(url, req.headers),
      method: req.method ?? '',
      url,
      headers: req.headers,
      body,
    });
    const kind = /\/misbehave-([a-z0-9-]+)/.exec(url)?.[1];
    const misbehave = kind === undefined ? undefined : misbehaviours[kind];
    if (misbehave) return misbehave(res, req.socket);
    res.setHeader('x-node', this.id);
    res.end(`ok ${req.method} ${body.length}`);
  }
}

export async function startRecordingNode(id: string): Promise<RecordingNode> {
  const node = new RecordingNode(id);
  await node.listen();
  return node;
}
