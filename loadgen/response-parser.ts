// An HTTP/1.1 response parser for the generator's own client: status line,
// headers, and a body framed by Content-Length, chunked transfer coding or
// the end of the connection (RFC 9112 §6.3). One response at a time (the
// client never pipelines), fed whatever the socket delivers. Node's http
// client did this through ClientRequest, IncomingMessage and two streams per
// request, most of the generator's CPU; this keeps only what a load test needs.
import type { IncomingHttpHeaders } from 'node:http';

/** A whole response. */
export interface ParsedResponse {
  status: number;
  /** Names lower-cased; `set-cookie` an array, other repeated headers joined with ", ". */
  headers: IncomingHttpHeaders;
  body: string;
  /** False when the server asked to close, or framed the body by closing. */
  keepAlive: boolean;
}

/** A response the parser cannot read; the connection is then unusable. */
export class ResponseParseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';

  constructor(message: string) {
    super(message);
    this.name = 'ResponseParseError';
  }
}

/** Heads past this size are refused, as Node refuses them (its default --max-http-header-size). */
const MAX_HEAD_BYTES = 16 * 1024;
const CRLF = 0x0d0a;

interface Head {
  status: number;
  headers: IncomingHttpHeaders;
  keepAlive: boolean;
  /** Where the body starts in the buffer. */
  bodyStart: number;
  /** Body bytes, `chunked`, or `close` (read to the end of the connection). */
  framing: number | 'chunked' | 'close';
}

export class ResponseParser {
  #buffer: Buffer | undefined;
  #head: Head | undefined;

  /** True while part of a response has arrived and not all of it. */
  get partial(): boolean {
    return this.#buffer !== undefined;
  }

  /**
   * Takes the next bytes; returns the response when they complete it. `data`
   * may be reused by the caller once this returns: what is kept is copied.
   */
  push(data: Buffer): ParsedResponse | undefined {
    let buffer = this.#buffer ? Buffer.concat([this.#buffer, data]) : data;
    this.#buffer = buffer;
    for (;;) {
      this.#head ??= parseHead(buffer);
      const head = this.#head;
      if (!head) return this.#keep(buffer, data);
      // 1xx answers are interim: the real one follows on the same connection.
      if (head.status < 200) {
        this.#restart(buffer.subarray(head.bodyStart));
        if (!this.#buffer) return undefined;
        buffer = this.#buffer;
        continue;
      }
      const end = bodyEnd(buffer, head);
      if (end === undefined) return this.#keep(buffer, data);
      if (end < buffer.length) {
        throw new ResponseParseError(`${buffer.length - end} bytes after the response`);
      }
      this.#restart(undefined);
      return finish(head, body(buffer, head, end));
    }
  }

  /** The connection ended: a body read until the close is complete; anything else is lost. */
  end(): ParsedResponse | undefined {
    const buffer = this.#buffer;
    const head = this.#head;
    this.#restart(undefined);
    if (!buffer || !head || head.framing !== 'close') return undefined;
    return finish(head, buffer.toString('utf8', head.bodyStart));
  }

  // An incomplete response waits for more bytes: in a copy, if it is still the caller's.
  #keep(buffer: Buffer, data: Buffer): undefined {
    if (buffer.buffer === data.buffer) this.#buffer = Buffer.from(buffer);
    return undefined;
  }

  #restart(rest: Buffer | undefined): void {
    this.#buffer = rest && rest.length > 0 ? rest : undefined;
    this.#head = undefined;
  }
}

function finish(head: Head, text: string): ParsedResponse {
  return { status: head.status, headers: head.headers, body: text, keepAlive: head.keepAlive };
}

function parseHead(buffer: Buffer): Head | undefined {
  const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
  if (end === -1) {
    if (buffer.length > MAX_HEAD_BYTES) throw new ResponseParseError('response head too large');
    return undefined;
  }
  const lines = buffer.toString('latin1', 0, end).split('\r\n');
  const statusLine = lines[0]!;
  // "HTTP/1.1 200 OK": version, three digits, an optional reason.
  if (!/^HTTP\/1\.[01] \d{3}( |$)/.test(statusLine)) {
    throw new ResponseParseError(`bad status line ${JSON.stringify(statusLine.slice(0, 40))}`);
  }
  const status = Number(statusLine.slice(9, 12));
  const headers: IncomingHttpHeaders = {};
  let setCookie: string[] | undefined;
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new ResponseParseError(`bad header line ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'set-cookie') (setCookie ??= []).push(value);
    else {
      const before = headers[name];
      headers[name] = before === undefined ? value : `${String(before)}, ${value}`;
    }
  }
  if (setCookie) headers['set-cookie'] = setCookie;
  const connection = String(headers.connection ?? '').toLowerCase();
  let keepAlive = statusLine.startsWith('HTTP/1.1')
    ? !connection.includes('close')
    : connection.includes('keep-alive');
  let framing: Head['framing'];
  const coding = headers['transfer-encoding'];
  if (status < 200 || status === 204 || status === 304) framing = 0;
  else if (coding !== undefined) {
    if (!/(^|,)\s*chunked\s*$/i.test(coding)) {
      throw new ResponseParseError(`unsupported transfer-encoding ${coding}`);
    }
    framing = 'chunked';
  } else if (headers['content-length'] !== undefined) {
    const length = headers['content-length'];
    if (!/^\d+$/.test(length)) throw new ResponseParseError(`bad content-length ${length}`);
    framing = Number(length);
  } else {
    framing = 'close';
    keepAlive = false;
  }
  return { status, headers, keepAlive, bodyStart: end + 4, framing };
}

/** Where the response ends in `buffer`, or undefined when more bytes are needed. */
function bodyEnd(buffer: Buffer, head: Head): number | undefined {
  const { framing, bodyStart } = head;
  if (framing === 'close') return undefined;
  if (framing !== 'chunked') {
    const end = bodyStart + framing;
    return end <= buffer.length ? end : undefined;
  }
  let at = bodyStart;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    if (lineEnd === -1) return undefined;
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';', 1)[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) {
      throw new ResponseParseError(`bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
    }
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // The last chunk, then trailer lines (usually none) and an empty line.
      const trailerEnd = buffer.indexOf('\r\n\r\n', lineEnd, 'latin1');
      return trailerEnd === -1 ? undefined : trailerEnd + 4;
    }
    const next = lineEnd + 2 + size + 2;
    if (next > buffer.length) return undefined;
    if (buffer.readUInt16BE(next - 2) !== CRLF) throw new ResponseParseError('chunk without CRLF');
    at = next;
  }
}

function body(buffer: Buffer, head: Head, end: number): string {
  if (head.framing !== 'chunked') return buffer.toString('utf8', head.bodyStart, end);
  const parts: Buffer[] = [];
  let at = head.bodyStart;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    const size = parseInt(buffer.toString('latin1', at, lineEnd), 16);
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
