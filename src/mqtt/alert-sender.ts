/**
 * Publishes the outbox's alerts in order, at QoS 1, keeping at most `maxInflight` of them
 * unacknowledged; an alert leaves the outbox when its PUBACK arrives. mqtt.js holds only those
 * in flight (and resends them itself after a reconnect); everything else waits in the outbox,
 * on disk when it is a DiskOutbox, so a host killed at any moment loses nothing: the next start
 * publishes again what was not acknowledged (consumers drop the duplicates by alert id).
 *
 * A PUBACK with an MQTT 5 failure reason code (e.g. 0x87 not authorized) is the broker refusing
 * that alert for good: it leaves the outbox, counted and logged whole (`refused`), so one alert
 * the broker will never take cannot hold back the others. Any other failure (the client
 * stopping) leaves it pending for the next connection or the next start.
 */
import type { MqttClient } from 'mqtt';
import type { Outbox, OutboxEntry } from './outbox.js';

export interface AlertSenderEvents {
  /** The broker acknowledged the alert. */
  delivered(e: OutboxEntry): void;
  /** The broker refused it with a reason code; it was removed from the outbox. */
  refused(e: OutboxEntry, reasonCode: number, message: string): void;
  /** Publishing failed for another reason; it stays pending. */
  failed(e: OutboxEntry, message: string): void;
  /** Alerts in flight and no acknowledgement for `stalledMs` while connected: the connection is dropped and made again. */
  stalled(inFlight: number, stalledMs: number): void;
}

/** No PUBACK for this long while alerts are in flight and the client says it is connected: a stalled connection. */
export const STALL_MS = 30_000;

export class AlertSender {
  /** Last id handed to mqtt.js; pending entries after it have not been sent on this connection. */
  private cursor = 0;
  private inflight = 0;
  /** Set when a publish failed: once nothing is in flight, sending starts again from the oldest pending. */
  private rewind = false;
  private waiters: Array<() => void> = [];
  /** Date.now() of the last acknowledgement, or of the first send after an idle spell. */
  private progressAt = Date.now();
  delivered = 0;
  refused = 0;
  stalls = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly outbox: Outbox,
    private readonly maxInflight: number,
    private readonly events: AlertSenderEvents,
  ) {}

  get inFlight(): number {
    return this.inflight;
  }

  /** Sends what the in-flight window allows. Call after an append and on (re)connect. */
  pump(): void {
    if (this.rewind && this.inflight === 0) {
      this.rewind = false;
      this.cursor = 0;
    }
    if (this.rewind || !this.client.connected || this.client.disconnecting) return;
    // MQTT 5: never more than the broker's Receive Maximum (mosquitto: 20), less two for the host's other QoS 1 messages
    const brokerMax = (this.client as unknown as { serverProperties?: { receiveMaximum?: number } }).serverProperties?.receiveMaximum;
    const room = Math.min(this.maxInflight, brokerMax !== undefined ? Math.max(1, brokerMax - 2) : Infinity) - this.inflight;
    if (room <= 0) return;
    for (const e of this.outbox.pending(this.cursor, room)) {
      if (this.inflight === 0) this.progressAt = Date.now();
      this.cursor = e.id;
      this.inflight++;
      this.client.publish(e.topic, e.payload, { qos: 1 }, (err) => this.settled(e, err));
    }
  }

  /** Resolves true once the outbox is empty and nothing is in flight, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  private isIdle(): boolean {
    return this.inflight === 0 && this.outbox.size === 0;
  }

  /**
   * The watchdog (the host calls it every few seconds): alerts in flight with no acknowledgement
   * for STALL_MS on a connection that says it is up get the connection dropped; mqtt.js connects
   * again and sends them again (they are still in the outbox either way).
   */
  checkStall(now = Date.now()): void {
    if (this.inflight === 0 || !this.client.connected || now - this.progressAt < STALL_MS) return;
    this.stalls++;
    this.events.stalled(this.inflight, now - this.progressAt);
    this.progressAt = now;
    this.client.stream?.destroy();
  }

  private settled(e: OutboxEntry, err: Error | undefined): void {
    this.progressAt = Date.now();
    this.inflight--;
    const code = (err as { code?: unknown } | undefined)?.code;
    if (!err) {
      this.outbox.ack(e.id);
      this.delivered++;
      this.events.delivered(e);
    } else if (typeof code === 'number' && code >= 0x80) {
      this.outbox.ack(e.id);
      this.refused++;
      this.events.refused(e, code, err.message);
    } else {
      this.rewind = true;
      this.events.failed(e, err.message);
    }
    this.pump();
    if (this.isIdle()) {
      const w = this.waiters;
      this.waiters = [];
      w.forEach((f) => f());
    }
  }
}
