// One keep-alive HTTP/1.1 connection of the generator's client: it sends one
// request at a time, written in one piece, and reads its answer with the
// generator's own parser. It reports to its owner when it is free again and
// when it is gone; a request in flight on it ends either way.
import net from 'node:net';
import { ResponseParser, type ParsedResponse } from './response-parser.ts';

/** What a connection tells the client that owns it. */
export interface ConnectionOwner {
  /** The answer to the request in flight: the connection is free again unless it closes. */
  answered(connection: Connection, response: ParsedResponse): void;
  /** The request in flight got no answer: the connection failed under it. */
  failed(connection: Connection, error: NodeJS.ErrnoException): void;
  /** The socket is closed; bytes read and written are final. */
  closed(connection: Connection): void;
}

/** The error a request gets when its connection closed before the whole answer came (as Node says it). */
function hangUp(): NodeJS.ErrnoException {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/**
 * Where every connection's reads land. Safe to share: a read's callback runs
 * before the next read, and the parser copies whatever it keeps past it.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** A free connection is not reused this close to the server's keep-alive timeout. */
const STALE_MARGIN_MS = 1000;

export class Connection {
  readonly socket: net.Socket;
  readonly #owner: ConnectionOwner;
  readonly #parser = new ResponseParser();
  #busy = false;
  /** performance.now() when it last became free. */
  #freeSince = 0;
  /** How long the server keeps it open when idle (its `Keep-Alive: timeout=N`), ms. */
  #serverIdleMs = Number.POSITIVE_INFINITY;

  constructor(host: string, port: number, owner: ConnectionOwner) {
    this.#owner = owner;
    // `onread`: the socket reads into one buffer shared by every connection and
    // hands the bytes over at once, without a Buffer and a stream push per read.
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length) => {
          this.#data(READ_BUFFER.subarray(0, length));
          return true;
        },
      },
    });
    this.socket.on('end', () => this.#end());
    this.socket.on('error', (error) => this.#fail(error));
    this.socket.on('close', () => {
      this.#end(); // a body framed by the close is complete
      this.#fail(hangUp());
      owner.closed(this);
    });
  }

  /** False once the socket is closing: it takes no more requests. */
  get usable(): boolean {
    return !this.socket.destroyed;
  }

  /**
   * True when it has been idle so long that the server may close it just as
   * a request goes out (a reset no server caused): within a second of the
   * server's announced keep-alive timeout, as Node's own http.Agent does.
   */
  stale(now: number): boolean {
    return now - this.#freeSince > this.#serverIdleMs - STALE_MARGIN_MS;
  }

  /** Writes a whole request; the answer or failure comes through the owner. */
  send(text: string): void {
    this.#busy = true;
    this.socket.write(text);
  }

  /** Closes the socket now; a request in flight fails with `error`. */
  destroy(error?: NodeJS.ErrnoException): void {
    if (error) this.#fail(error);
    this.socket.destroy();
  }

  #data(chunk: Buffer): void {
    if (!this.#busy) {
      // Bytes nobody asked for: the connection cannot be trusted with the next request.
      this.socket.destroy();
      return;
    }
    let response: ParsedResponse | undefined;
    try {
      response = this.#parser.push(chunk);
    } catch (error) {
      this.destroy(error as NodeJS.ErrnoException);
      return;
    }
    if (response) this.#answer(response);
  }

  #end(): void {
    // A body framed by the end of the connection is complete now.
    const response = this.#busy && this.#parser.partial ? this.#parser.end() : undefined;
    if (response) this.#answer(response);
    this.socket.destroy();
  }

  #answer(response: ParsedResponse): void {
    this.#busy = false;
    this.#freeSince = performance.now();
    const keepAlive = response.headers['keep-alive'];
    if (keepAlive !== undefined) {
      const seconds = /timeout=(\d+)/.exec(String(keepAlive))?.[1];
      if (seconds !== undefined) this.#serverIdleMs = Number(seconds) * 1000;
    }
    if (!response.keepAlive) this.socket.destroy();
    this.#owner.answered(this, response);
  }

  #fail(error: NodeJS.ErrnoException): void {
    if (!this.#busy) return; // an idle connection closing is no request's failure
    this.#busy = false;
    this.socket.destroy();
    this.#owner.failed(this, error);
  }
}
