/**
 * The dispatcher: routes each incoming message by topic to the handler for its kind (as mqtt.js
 * routes packets by type in src/lib/handlers/index.ts): samples, and (option modelUpdates) model
 * updates, which src/mqtt/model-update.ts verifies and applies.
 */
import { RejectError } from '../errors.js';
import { parseTopic } from '../topics.js';
import type { HandlerContext } from './context.js';
import { handleSamples } from './samples.js';

export type { HandlerContext } from './context.js';

/** Handles one message (`qos`: as delivered); never throws (bad input is rejected through ctx.reject). */
export function dispatch(ctx: HandlerContext, topic: string, payload: Uint8Array, qos = 0): void {
  const t = parseTopic(topic);
  switch (t.kind) {
    case 'samples':
      handleSamples(ctx, t.device, t.stream, payload, qos);
      return;
    case 'invalid-samples':
      ctx.stats.framesReceived++;
      ctx.reject(t.device, t.stream, new RejectError('E_TOPIC', `topic ${JSON.stringify(topic.slice(0, 200))}: ${t.problem}`));
      return;
    case 'model':
      ctx.modelUpdate?.(t.node, t.name, payload);
      return;
    case 'other':
      return;
  }
}
