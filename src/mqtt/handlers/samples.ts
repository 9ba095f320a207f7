/**
 * `wavegate/v1/<device>/<stream>/samples`: decode (JSON or binary), find or create the stream,
 * run its chain, queue the windows it completes. Any refusal goes to ctx.reject and touches no
 * other stream; a frame is decoded before any state is created, so garbage costs no memory.
 *
 * QoS 1 frames (samplesQos 1): mqtt.js sends the PUBACK when this returns, so the windows a frame
 * completes are scored, and their alerts stored in the outbox, before it returns. A frame the
 * host has acknowledged has thus left nothing in memory only; one it has not, the broker
 * delivers again (persistent session). QoS 0 frames wait for the next tick, batched across streams.
 */
import { isRejectError, RejectError } from '../errors.js';
import { decodeFrame } from '../frame-decode.js';
import type { HandlerContext } from './context.js';

export function handleSamples(ctx: HandlerContext, device: string, stream: string, payload: Uint8Array, qos = 0): void {
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
    if (windows.length > 0) ctx.enqueue(windows, qos > 0);
  } catch (e) {
    ctx.reject(device, stream, isRejectError(e) ? e : new RejectError('E_STREAM', `${device}/${stream}: ${(e as Error).message}`, { cause: e }));
  }
}
