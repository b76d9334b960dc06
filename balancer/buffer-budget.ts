// The bytes of request bodies the balancer holds at once, over all requests.
// Each body is buffered whole (so a retry can resend it) for as long as its
// request is in flight; without a shared cap, many slow uploads of up to
// maxBodyBytes each could exhaust memory.

/** One request's share of the budget; released once when the request ends. */
export class Reservation {
  private readonly budget: BufferBudget;
  bytes = 0;

  constructor(budget: BufferBudget) {
    this.budget = budget;
  }

  /** Takes `n` more bytes; false (and nothing taken) when the budget cannot hold them. */
  take(n: number): boolean {
    if (!this.budget.tryTake(n)) return false;
    this.bytes += n;
    return true;
  }

  release(): void {
    this.budget.give(this.bytes);
    this.bytes = 0;
  }
}

export class BufferBudget {
  readonly maxBytes: number;
  private usedBytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes of request bodies held right now. */
  get used(): number {
    return this.usedBytes;
  }

  reserve(): Reservation {
    return new Reservation(this);
  }

  /** @internal for Reservation */
  tryTake(n: number): boolean {
    if (this.usedBytes + n > this.maxBytes) return false;
    this.usedBytes += n;
    return true;
  }

  /** @internal for Reservation */
  give(n: number): void {
    this.usedBytes -= n;
  }
}
