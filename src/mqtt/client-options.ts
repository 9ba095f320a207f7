/**
 * The host's MQTT connection settings (mqtt.js IClientOptions) from its resolved options: protocol,
 * session, reconnects, last will. Credentials and TLS files come from src/mqtt/security.ts.
 */
import type { IClientOptions } from 'mqtt';
import type { ResolvedHostOptions } from './options.js';
import { statusTopic } from './topics.js';

/** `embedded`: the host's own aedes broker. */
export function hostClientOptions(o: ResolvedHostOptions, embedded: boolean, credentials: Partial<IClientOptions>): IClientOptions {
  // aedes speaks 3.1.1 only; external brokers get MQTT 5 unless told otherwise.
  const protocolVersion = embedded ? 4 : o.protocolVersion;
  const persistent = o.sessionExpirySeconds > 0;
  return {
    ...credentials,
    clientId: o.clientId,
    protocolVersion,
    // A persistent session: the broker keeps this node's subscription, and the QoS 1 frames
    // published while it restarts, for sessionExpirySeconds (MQTT 3.1.1: until the broker's own expiry).
    clean: !persistent,
    ...(protocolVersion === 5 && persistent ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds } } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    // Refusal reports are QoS 0: while disconnected they are counted and logged, not queued.
    queueQoSZero: false,
    will: { topic: statusTopic(o.nodeId), payload: Buffer.from('offline'), qos: 1, retain: true },
    // scale-out hosts subscribe again themselves on every connection (share.join())
    ...(o.shareGroup !== undefined ? { resubscribe: false } : {}),
  };
}
