/**
 * The versioned topic tree (docs/mqtt-topics.md). Every name here is part of the wire interface.
 *
 *   wavegate/v1/<device>/<stream>/samples     in: sample frames (JSON or binary)
 *   wavegate/v1/<device>/alerts               out: alerts, QoS 1
 *   wavegate/v1/_node/<node-id>/status        out: "online" / "offline", retained; the last will says "offline"
 *   wavegate/v1/_node/<node-id>/errors        out: {"device", "stream", "code", "message"} per refused frame or drop
 *   wavegate/v1/_node/<node-id>/model[/<name>] in (option modelUpdates): a signed .wgm, or {"url"}, replacing a served model
 *   wavegate/v1/_node/<node-id>/models        out: the served models and their versions, retained
 *   wavegate/v1/<device>/scores               out (option publishScores): every scored window's outputs, QoS 0
 *
 * Device, stream and node names: 1 to 64 characters from A-Z a-z 0-9 . _ -, and a device name
 * may not start with "_" (the `_node` subtree is the hosts' own).
 */

export const TOPIC_ROOT = 'wavegate/v1';
/** The filter the host subscribes to. */
export const SAMPLES_FILTER = `${TOPIC_ROOT}/+/+/samples`;

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Why `name` cannot be a device/stream/node name, or undefined when it can. */
export function nameProblem(name: string, what: 'device' | 'stream' | 'node'): string | undefined {
  if (!NAME.test(name)) return `${what} name ${JSON.stringify(name.slice(0, 80))} must be 1-64 characters of A-Z a-z 0-9 . _ -`;
  if (what === 'device' && name.startsWith('_')) return `device name ${JSON.stringify(name)} may not start with "_" (reserved for wavegate/v1/_node)`;
  return undefined;
}

export const samplesTopic = (device: string, stream: string): string => `${TOPIC_ROOT}/${device}/${stream}/samples`;
export const alertsTopic = (device: string): string => `${TOPIC_ROOT}/${device}/alerts`;
export const statusTopic = (node: string): string => `${TOPIC_ROOT}/_node/${node}/status`;
export const errorsTopic = (node: string): string => `${TOPIC_ROOT}/_node/${node}/errors`;
/** Model updates for the default model; `${modelTopic(node)}/<name>` for a named one. */
export const modelTopic = (node: string): string => `${TOPIC_ROOT}/_node/${node}/model`;
export const modelsTopic = (node: string): string => `${TOPIC_ROOT}/_node/${node}/models`;
export const scoresTopic = (device: string): string => `${TOPIC_ROOT}/${device}/scores`;

export type ParsedTopic =
  | { kind: 'samples'; device: string; stream: string }
  | { kind: 'invalid-samples'; device: string; stream: string; problem: string }
  | { kind: 'model'; node: string; name: string | undefined }
  | { kind: 'other' };

/** Classifies an incoming topic: a samples topic with valid names, one with invalid names, a model update, or anything else. */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('/');
  if ((parts.length === 5 || parts.length === 6) && parts[2] === '_node' && parts[4] === 'model' && parts[0] === 'wavegate' && parts[1] === 'v1') {
    return { kind: 'model', node: parts[3], name: parts[5] };
  }
  if (parts.length !== 5 || parts[0] !== 'wavegate' || parts[1] !== 'v1' || parts[4] !== 'samples') return { kind: 'other' };
  const [, , device, stream] = parts;
  const problem = nameProblem(device, 'device') ?? nameProblem(stream, 'stream');
  return problem ? { kind: 'invalid-samples', device, stream, problem } : { kind: 'samples', device, stream };
}

/**
 * MQTT topic-filter matching (`+` one level, `#` the rest, as the broker does), used by the
 * config's model routes: `filter` is matched against "<device>/<stream>".
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Why `filter` is not a valid MQTT topic filter, or undefined. */
export function filterProblem(filter: string): string | undefined {
  const f = filter.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#' && i !== f.length - 1) return `"#" must be the last level of ${JSON.stringify(filter)}`;
    if (f[i] !== '#' && f[i] !== '+' && (f[i].includes('#') || f[i].includes('+'))) return `a wildcard must fill a whole level in ${JSON.stringify(filter)}`;
  }
  return filter.length === 0 ? 'empty filter' : undefined;
}
