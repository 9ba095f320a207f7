/**
 * `wavegate/v1/<device>/<stream>/samples`: decode (JSON or binary), find or create the stream,
 * run its chain, queue the windows it completes. Any refusal goes to ctx.reject and touches no
 * other stream; a frame is decoded before any state is created, so garbage costs no memory.
 */
import { isRejectError, RejectError } from '../errors.js';
import { decodeFrame } from '../frame-decode.js';
import type { HandlerContext } from './context.js';

export function handleSamples(ctx: HandlerContext, device: string, stream: string, payload: Uint8Array): void {
  const stats = ctx.stats;
  stats.framesReceived++;
  try {
    const received = performance.now();
    const frame = decodeFrame(payload, ctx.frameLimits);
    const decoded = performance.now();
    stats.decodeMs += decoded - received;
    const now = Date.now();
    const state = ctx.streams.get(device, stream, now);
    const windows = state.accept(frame, ctx.policy, now, received);
    stats.chainMs += performance.now() - decoded;
    stats.framesAccepted++;
    if (windows.length > 0) ctx.enqueue(windows);
  } catch (e) {
    ctx.reject(device, stream, isRejectError(e) ? e : new RejectError('E_STREAM', `${device}/${stream}: ${(e as Error).message}`, { cause: e }));
  }
}
