/** Test helpers for MQTT: a recording client, waiting on conditions, frames for synthetic streams, a capturing logger. */
import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from '../../src/mqtt/log.js';

export interface Received {
  topic: string;
  text: string;
  payload: Buffer;
  retain: boolean;
}

/** A client subscribed to `filter` that records every message it gets. */
export async function recorder(url: string, filter = 'wavegate/v1/#'): Promise<{ client: MqttClient; messages: Received[]; json: (topic: string) => unknown[] }> {
  const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, text: payload.toString('utf8'), payload, retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  const json = (topic: string) => messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.text) as unknown);
  return { client, messages, json };
}

/** Resolves when `check` returns true; rejects after `timeoutMs` naming `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A logger that keeps every entry (tests assert on what the host logs). */
export function captureLogger(): Logger & { entries: Array<{ level: string; obj: object; msg?: string }> } {
  const entries: Array<{ level: string; obj: object; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj, msg });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * JSON frames of a level signal for the level model: `frames` frames of `n` samples at `fs`,
 * value 1 on the samples in [anomalyFrom, anomalyTo) (sample indices), 0 elsewhere.
 */
export function levelFrames(opts: { t0: number; fs: number; n: number; frames: number; anomaly?: [number, number]; firstSeq?: number }): string[] {
  const [a, b] = opts.anomaly ?? [0, 0];
  return Array.from({ length: opts.frames }, (_, k) => {
    const samples = Array.from({ length: opts.n }, (_, i) => (k * opts.n + i >= a && k * opts.n + i < b ? 1 : 0));
    return JSON.stringify({ seq: (opts.firstSeq ?? 0) + k, t: opts.t0 + (k * opts.n * 1000) / opts.fs, fs: opts.fs, samples });
  });
}
