/**
 * Scale-out through the broker (shareGroup): N hosts split a fleet, each device's frames staying
 * with one host, with nothing but MQTT 5 between them. docs/operations.md ("Scale-out") has the
 * design and its limits; in short:
 *
 * - A shared subscription delivers each message to one member of the group, round robin on
 *   mosquitto: subscribed by all hosts, `$share/<group>/wavegate/v1/+/+/samples` would deal a
 *   device's frames out among them, and no host could assemble its windows. So that filter is
 *   used for discovery only (every frame reaches exactly one host), and each device has a shared
 *   subscription of its own, `$share/<group>/wavegate/v1/<device>/+/samples`, held by one host:
 *   its owner.
 * - The owner of a device is the member with the highest hash of (member, device) (rendezvous
 *   hashing: FNV-1a then MurmurHash3's finalizer, {@link rendezvousScore}) among the live members: nodes registered under `wavegate/v1/_share/<group>/nodes/<id>`
 *   (retained) whose status (`wavegate/v1/_node/<id>/status`, retained, last will "offline") is
 *   "online". Every host computes the same owner from the same retained messages.
 * - Devices are registered under `wavegate/v1/_share/<group>/devices/<device>` (retained) by the
 *   host whose discovery copy first shows them; the owner clears the entry when the device goes
 *   idle. A member that dies: its session ends with its connection (scale-out hosts use clean
 *   sessions, sessionExpirySeconds 0), its last will says offline, the others take its devices.
 * - Frames reach a host through both filters; the MQTT 5 subscription identifier says which.
 *   A device's owner scores its device-subscription copies; discovery copies only while its own
 *   subscription is not yet acknowledged and no live member had the device before (a new device,
 *   or a dead member's): then no other host scores it. Handed over from a live member (a node
 *   joined), it waits for its own subscription; until the old owner has let go, the broker deals
 *   the device's frames out between the two, and neither assembles the windows that straddle
 *   the hand-over. A frame is thus scored by at most one host.
 */
import type { MqttClient } from 'mqtt';
import { TOPIC_ROOT, nameProblem, samplesTopic } from './topics.js';

/** MQTT 5 subscription identifiers of the two kinds of samples subscription. */
export const DISCOVERY_SUBSCRIPTION = 1;
export const DEVICE_SUBSCRIPTION = 2;

export const shareRoot = (group: string) => `${TOPIC_ROOT}/_share/${group}`;
export const discoveryFilter = (group: string) => `$share/${group}/${TOPIC_ROOT}/+/+/samples`;
export const deviceFilter = (group: string, device: string) => `$share/${group}/${samplesTopic(device, '+')}`;

/** FNV-1a, 32 bits: the rendezvous hash (stable across hosts and versions: part of the protocol). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** MurmurHash3's 32-bit finalizer: FNV-1a alone leaves its high bits poorly mixed for names that differ at the end. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A member's rendezvous score for a device. */
export const rendezvousScore = (member: string, device: string): number => fmix32(fnv1a(`${member}\n${device}`));

/** The member owning `device`: the highest rendezvousScore, ties to the smaller name. */
export function ownerOf(device: string, members: Iterable<string>): string | undefined {
  let best: string | undefined, bestH = -1;
  for (const m of members) {
    const h = rendezvousScore(m, device);
    if (h > bestH || (h === bestH && best !== undefined && m < best)) (best = m), (bestH = h);
  }
  return best;
}

export interface ShareInfo {
  group: string;
  members: string[];
  /** Devices in the registry, and those this host owns. */
  devices: number;
  owned: number;
  /** Owned devices whose own subscription the broker has acknowledged. */
  subscribed: number;
}

/**
 * An owned device's subscription: requested and not yet acknowledged (`pending`; `takeover` when
 * no live member had it before: a new device, or a dead member's), or acknowledged (`active`).
 */
type SubState = 'takeover' | 'pending' | 'active';

export class ShareMembership {
  private readonly registered = new Set<string>();
  private readonly online = new Set<string>();
  private readonly devices = new Set<string>();
  /** Owned devices and where their subscription stands. */
  private readonly subs = new Map<string, SubState>();
  /** The members the last recompute saw (whose devices were whose). */
  private lastMembers: string[] = [];
  private recomputeScheduled = false;
  private stopped = false;

  constructor(
    private readonly client: MqttClient,
    readonly group: string,
    readonly nodeId: string,
    private readonly qos: 0 | 1,
    /** Most devices in the registry (garbage device names cannot grow it without bound). */
    private readonly maxDevices: number,
    private readonly onError: (what: string, err: Error) => void,
  ) {}

  /** Subscribes to membership and discovery, and registers this node. Call on every (re)connect. */
  async join(): Promise<void> {
    const root = shareRoot(this.group);
    this.subs.clear(); // a clean session: every device subscription is gone
    await this.client.subscribeAsync([`${root}/#`, `${TOPIC_ROOT}/_node/+/status`], { qos: 1 });
    await this.client.publishAsync(`${root}/nodes/${this.nodeId}`, '1', { qos: 1, retain: true });
    await this.client.subscribeAsync(discoveryFilter(this.group), { qos: this.qos, properties: { subscriptionIdentifier: DISCOVERY_SUBSCRIPTION } });
    this.schedule();
  }

  /** Leaves the group for good (a clean stop): the others take this node's devices at once. */
  async leave(): Promise<void> {
    this.stopped = true;
    await this.client.publishAsync(`${shareRoot(this.group)}/nodes/${this.nodeId}`, '', { qos: 1, retain: true });
  }

  get members(): string[] {
    return [...this.registered].filter((n) => this.online.has(n)).sort();
  }

  info(): ShareInfo {
    return { group: this.group, members: this.members, devices: this.devices.size, owned: this.subs.size, subscribed: [...this.subs.values()].filter((s) => s === 'active').length };
  }

  /**
   * A membership message (status or registry); true when it was one. Membership changes move
   * devices (after a short debounce, as retained messages come in bursts).
   */
  control(topic: string, payload: Uint8Array): boolean {
    const parts = topic.split('/');
    if (parts.length === 5 && parts[2] === '_node' && parts[4] === 'status') {
      const on = Buffer.from(payload).toString() === 'online';
      if (on !== this.online.has(parts[3])) {
        if (on) this.online.add(parts[3]);
        else this.online.delete(parts[3]);
        this.schedule();
      }
      return true;
    }
    const root = shareRoot(this.group);
    if (!topic.startsWith(`${root}/`)) return false;
    const [kind, name, ...rest] = topic.slice(root.length + 1).split('/');
    if (rest.length > 0 || !name) return true;
    const present = payload.length > 0;
    const set = kind === 'nodes' ? this.registered : kind === 'devices' ? this.devices : undefined;
    if (!set || present === set.has(name)) return true;
    if (present && kind === 'devices' && (nameProblem(name, 'device') || this.devices.size >= this.maxDevices)) return true;
    if (present) set.add(name);
    else set.delete(name);
    this.schedule();
    return true;
  }

  /**
   * Whether to score a samples message that came through subscription `id`. Registers a device
   * seen for the first time.
   */
  accept(device: string, id: number | number[] | undefined): boolean {
    const ids = Array.isArray(id) ? id : id === undefined ? [] : [id];
    if (ids.includes(DEVICE_SUBSCRIPTION)) return this.subs.has(device);
    if (!ids.includes(DISCOVERY_SUBSCRIPTION)) return false;
    if (!this.devices.has(device)) {
      if (this.devices.size >= this.maxDevices || nameProblem(device, 'device')) return false;
      this.devices.add(device);
      this.client.publish(`${shareRoot(this.group)}/devices/${device}`, '1', { qos: 1, retain: true });
      this.recompute();
    }
    // taken over from nobody: its owner scores discovery copies until its own subscription is acknowledged
    return this.subs.get(device) === 'takeover';
  }

  /** The owner let an idle device go: it leaves the registry (discovery brings it back if it returns). */
  forget(device: string): void {
    if (!this.subs.has(device) || this.stopped) return;
    this.devices.delete(device);
    this.client.publish(`${shareRoot(this.group)}/devices/${device}`, '', { qos: 1, retain: true });
    this.recompute();
  }

  private schedule(): void {
    if (this.recomputeScheduled) return;
    this.recomputeScheduled = true;
    setTimeout(() => {
      this.recomputeScheduled = false;
      this.recompute();
    }, 20).unref();
  }

  /** Subscribes to the devices this node now owns, unsubscribes from those it no longer does. */
  private recompute(): void {
    if (this.stopped || !this.client.connected) return;
    const members = this.members.includes(this.nodeId) ? this.members : [...this.members, this.nodeId];
    // the first time, the devices were the other live members' (a node joining a running group takes them over from live owners)
    const before = this.lastMembers.length > 0 ? this.lastMembers : members.filter((m) => m !== this.nodeId);
    this.lastMembers = members;
    const gained: string[] = [];
    const lost: string[] = [];
    for (const d of this.devices) {
      const mine = ownerOf(d, members) === this.nodeId;
      if (mine && !this.subs.has(d)) gained.push(d);
      else if (!mine && this.subs.has(d)) lost.push(d);
    }
    for (const d of this.subs.keys()) if (!this.devices.has(d)) lost.push(d);
    if (lost.length > 0) {
      for (const d of lost) this.subs.delete(d);
      this.client.unsubscribe(lost.map((d) => deviceFilter(this.group, d)), (err) => err && this.onError('unsubscribe', err));
    }
    if (gained.length > 0) {
      for (const d of gained) {
        const previous = ownerOf(d, before);
        this.subs.set(d, previous === undefined || previous === this.nodeId || !members.includes(previous) ? 'takeover' : 'pending');
      }
      this.client.subscribe(
        gained.map((d) => deviceFilter(this.group, d)),
        { qos: this.qos, properties: { subscriptionIdentifier: DEVICE_SUBSCRIPTION } },
        (err) => {
          if (err) return this.onError('subscribe', err);
          for (const d of gained) if (this.subs.has(d)) this.subs.set(d, 'active');
        },
      );
    }
  }
}
