// The live page's messages: every one kept in order with a sequence number
// (a page that opens late replays them all; one that reconnects, those after
// the last it saw) and passed to each connected page. Only the newest view
// of the nodes per strategy is kept, as each replaces the one before; the
// rest grows by a few messages a second, small beside the run's own series.
import type { LiveMessage } from './messages.ts';

/** A message and its place in the feed (the SSE event id). */
export interface Sequenced {
  seq: number;
  message: LiveMessage;
}

export type Subscriber = (entry: Sequenced) => void;

export class LiveFeed {
  readonly #log: Sequenced[] = [];
  readonly #nodes = new Map<string, Sequenced>();
  readonly #subscribers = new Set<Subscriber>();
  #seq = 0;

  publish(message: LiveMessage): void {
    this.#seq += 1;
    const entry = { seq: this.#seq, message };
    if (message.type === 'nodes') this.#nodes.set(message.strategy, entry);
    else this.#log.push(entry);
    for (const subscriber of this.#subscribers) {
      // A page that went away must not stop the run that publishes: it is dropped.
      try {
        subscriber(entry);
      } catch {
        this.#subscribers.delete(subscriber);
      }
    }
  }

  /**
   * Replays what came after `afterSeq` (0: everything; the newest nodes view
   * of each strategy last, after the strategy it belongs to), then passes
   * each new message on. Returns the unsubscribe.
   */
  subscribe(subscriber: Subscriber, afterSeq = 0): () => void {
    for (const entry of this.history(afterSeq)) subscriber(entry);
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  history(afterSeq = 0): Sequenced[] {
    const after = (entry: Sequenced) => entry.seq > afterSeq;
    return [...this.#log.filter(after), ...[...this.#nodes.values()].filter(after)];
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }
}
