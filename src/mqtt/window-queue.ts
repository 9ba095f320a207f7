/**
 * A bounded FIFO of ready windows for one model (a ring buffer: memory fixed by its capacity).
 * The drop policy lives here: pushing onto a full queue drops the OLDEST window and returns it,
 * so the caller can count and report it. Oldest first because, when inference cannot keep up,
 * the newest windows are the ones an alert is still useful for.
 */
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Appends `item`; when full, removes and returns the oldest item to make room. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size === this.capacity) dropped = this.shift();
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return dropped;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }

  /** Removes up to `n` items, oldest first. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.size > 0) out.push(this.shift()!);
    return out;
  }
}
