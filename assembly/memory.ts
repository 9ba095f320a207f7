/**
 * The kernel's only allocator: a bump pointer over linear memory, used by the host at plan time.
 * Compute exports never allocate and never grow memory, so steady-state calls cannot fail on memory.
 */

const ALIGN: usize = 16;
const PAGE: usize = 65536;

let top: usize = 0;

/** Reserve `bytes` (16-byte aligned, zero-filled by the engine on growth); 0 on failure. */
export function reserve(bytes: i32): usize {
  if (bytes < 0) return 0;
  if (top == 0) top = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
  const start = top;
  const end = start + ((<usize>bytes + ALIGN - 1) & ~(ALIGN - 1));
  if (end < start) return 0;
  const have = <usize>memory.size() * PAGE;
  if (end > have) {
    const need = <i32>((end - have + PAGE - 1) / PAGE);
    if (memory.grow(need) < 0) return 0;
  }
  top = end;
  return start;
}

/** Bytes reserved so far (heap base included), for `inspect`-style reports. */
export function reservedTop(): usize {
  return top;
}
