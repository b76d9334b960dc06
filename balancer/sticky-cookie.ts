// The balancer's affinity cookie, after HAProxy `cookie SLB insert indirect
// nocache`. Its value is an opaque tag per configured node: the first 16 bytes
// of HMAC-SHA256(secret, node id), base64url. A client learns nothing about
// node addresses from it and cannot forge one that points anywhere but a
// configured node: any value not in the table is simply ignored.
import { createHmac } from 'node:crypto';
import type { Upstream } from './upstream.ts';

const TAG_BYTES = 16;

/** The cookie value that routes to `nodeId` under `secret`. */
export function stickyValue(secret: string, nodeId: string): string {
  return createHmac('sha256', secret)
    .update(`session-lab sticky v1\0${nodeId}`)
    .digest()
    .subarray(0, TAG_BYTES)
    .toString('base64url');
}

/** What a request's Cookie header said about the balancer cookie. */
export interface CookieSplit {
  /** The first balancer-cookie value, if any. */
  readonly value: string | undefined;
  /** The Cookie header without any balancer cookie; undefined when nothing is left. */
  readonly rest: string | undefined;
}

export class StickyCookie {
  readonly name: string;
  private readonly prefix: string;
  private readonly byValue: ReadonlyMap<string, Upstream>;
  private readonly setCookieByNode: ReadonlyMap<Upstream, string>;
  private readonly insertHeaders: ReadonlyMap<Upstream, readonly string[]>;

  constructor(name: string, secret: string, nodes: readonly Upstream[]) {
    this.name = name;
    this.prefix = `${name}=`;
    const byValue = new Map<string, Upstream>();
    const setCookie = new Map<Upstream, string>();
    const insert = new Map<Upstream, readonly string[]>();
    for (const node of nodes) {
      const value = stickyValue(secret, node.id);
      byValue.set(value, node);
      // Session cookie (no Max-Age): affinity should not outlive the browser
      // session it serves. HttpOnly: scripts have no business with routing.
      const header = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`;
      setCookie.set(node, header);
      // "nocache": a shared cache must not hand one client's routing cookie to
      // others. Sent as its own Cache-Control line, which combines with the
      // node's own directives (RFC 9110 §5.3).
      insert.set(node, ['Set-Cookie', header, 'Cache-Control', 'no-cache="Set-Cookie"']);
    }
    this.insertHeaders = insert;
    this.byValue = byValue;
    this.setCookieByNode = setCookie;
  }

  /** The node a cookie value names, or undefined for anything not issued by this balancer. */
  lookup(value: string): Upstream | undefined {
    return this.byValue.get(value);
  }

  /** The complete `Set-Cookie` value for a node (computed once at start). */
  setCookieFor(node: Upstream): string {
    return this.setCookieByNode.get(node)!;
  }

  /** Response headers (flat `[name, value, ...]`) that give a client the cookie for `node`. */
  insertHeadersFor(node: Upstream): readonly string[] {
    return this.insertHeaders.get(node)!;
  }

  /**
   * Splits a Cookie header into the balancer's value and the cookies meant for
   * the node ("indirect": the node never sees the balancer cookie). Headers
   * that do not mention the name are returned untouched without parsing.
   */
  split(header: string | undefined): CookieSplit {
    if (header === undefined || !header.includes(this.prefix)) {
      return { value: undefined, rest: header };
    }
    let value: string | undefined;
    const kept: string[] = [];
    for (const part of header.split(';')) {
      const trimmed = part.trim();
      if (trimmed.startsWith(this.prefix)) {
        value ??= trimmed.slice(this.prefix.length);
      } else if (trimmed) {
        kept.push(trimmed);
      }
    }
    return { value, rest: kept.length ? kept.join('; ') : undefined };
  }
}
