// Caps on open client connections: one for the whole balancer (each holds a
// socket, buffers and possibly a 1 MiB body) and one per client address, so
// one client cannot take every slot. A connection over a cap is still
// accepted and its first request answered (503 when the balancer is full,
// 429 when that address is over its share) with `Connection: close`, so the
// client learns why instead of seeing a reset; it then closes. It counts
// while it is open: refusing must not make room for the next flood.
import type { Socket } from 'node:net';
import type { ErrorCode } from './errors.ts';

export interface ConnectionCaps {
  readonly maxClientConnections: number;
  readonly maxConnectionsPerAddress: number;
}

/** How long a refused connection may take to send the request it is refused on. */
const REFUSED_GRACE_MS = 2000;

export class ConnectionLimits {
  private readonly caps: ConnectionCaps;
  private openCount = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly refused = new WeakMap<Socket, ErrorCode>();

  constructor(caps: ConnectionCaps) {
    this.caps = caps;
  }

  /** Open client connections, refused ones included. */
  get open(): number {
    return this.openCount;
  }

  /** The public server's 'connection' listener: counts the socket and judges it. */
  readonly admit = (socket: Socket): void => {
    const address = socket.remoteAddress ?? '';
    const fromAddress = this.byAddress.get(address) ?? 0;
    const verdict: ErrorCode | undefined =
      this.openCount >= this.caps.maxClientConnections
        ? 'TOO_MANY_CONNECTIONS'
        : fromAddress >= this.caps.maxConnectionsPerAddress
          ? 'ADDRESS_CONNECTION_LIMIT'
          : undefined;
    this.openCount++;
    this.byAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.openCount--;
      const left = this.byAddress.get(address)! - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    });
    if (verdict !== undefined) {
      this.refused.set(socket, verdict);
      // A refused connection gets no slot to idle in.
      socket.setTimeout(REFUSED_GRACE_MS, () => socket.destroy());
    }
  };

  /** Why requests on this connection must be refused, or undefined when it is within the caps. */
  verdict(socket: Socket): ErrorCode | undefined {
    return this.refused.get(socket);
  }
}
