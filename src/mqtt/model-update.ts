/**
 * Signed model updates over MQTT (option `modelUpdates`): a .wgm published to
 * `wavegate/v1/_node/<node-id>/model` (the default model) or `.../model/<name>` (a named one),
 * or `{"url": ...}` pointing to one, replaces a served model while every stream goes on.
 *
 * Order of checks, each a refusal reported on the errors topic (code E_MODEL_UPDATE, `reason` the
 * library code) and in the log, the old model serving on: size (maxBytes) before anything is
 * parsed; the .wgm framing; the digest, then the ed25519 signature against the configured keys
 * (src/model/sign.ts) BEFORE the metadata JSON is even parsed, so an unsigned file's content is
 * never interpreted; then the loader's full validation; then compatibility with what is served
 * (channels, every live stream's sample rate through the new chain, what ServedModel.load checks).
 *
 * The swap itself is synchronous (no frame can arrive in the middle): the old model scores every
 * window already cut, then each of its streams moves to the new one (StreamTable.replaceModel):
 * chains are kept when the new model's input spec is identical, else each stream starts a new
 * segment at its next frame; detectors keep their state when labels and settings are identical.
 * docs/operations.md, "Model updates", is the user's side of this.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isWavegateError, WavegateError, type WavegateErrorCode } from '../errors.js';
import { stableStringify } from '../model/layout.js';
import { ed25519PublicKey } from '../model/sign.js';
import { loadModel, type Model } from '../runtime/model.js';
import type { ResolvedModelUpdateOptions } from './model-update-options.js';
import { ServedModel, type ServeSettings } from './models.js';
import { createStreamChain } from './stream-chain.js';
import type { StreamTable } from './stream-table.js';
import type { Logger } from './log.js';
import type { StreamState } from './streams.js';
import type { EpisodeEvent } from '../detect/episodes.js';

/** A configured signer: its file and its raw 32-byte ed25519 public key. */
export interface UpdateKey {
  file: string;
  key: Uint8Array;
}

/**
 * Reads the public key files; each must hold an ed25519 SPKI PEM block.
 * @throws E_NOT_FOUND (unreadable), E_ARGUMENT (not an ed25519 public key)
 */
export async function readUpdateKeys(files: string[]): Promise<UpdateKey[]> {
  const keys: UpdateKey[] = [];
  for (const file of files) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new WavegateError('E_NOT_FOUND', `modelUpdates.keys: ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'cannot read')}`);
    }
    keys.push({ file, key: ed25519PublicKey(pem, `modelUpdates.keys: ${file} (make it with: openssl pkey -in signer.pem -pubout)`) });
  }
  return keys;
}

/** An update refused: `reason` is the library's error code, `message` says what was wrong. */
export class UpdateRefused extends Error {
  constructor(readonly reason: WavegateErrorCode, message: string) {
    super(message);
  }
}

function refused(e: unknown): UpdateRefused {
  if (e instanceof UpdateRefused) return e;
  if (isWavegateError(e)) return new UpdateRefused(e.code, e.message);
  return new UpdateRefused('E_MODEL_FORMAT', `unexpected failure: ${(e as Error)?.message ?? String(e)}`);
}

/** The bytes of an update: the payload itself, or what its `{"url"}` points to. */
export async function updateBytes(payload: Uint8Array, o: ResolvedModelUpdateOptions): Promise<{ bytes: Uint8Array; from: string }> {
  if (payload.length > o.maxBytes) throw new UpdateRefused('E_MODEL_FORMAT', `${payload.length} bytes, over modelUpdates.maxBytes (${o.maxBytes})`);
  // A .wgm starts with its u64 header length, then the JSON header: byte 8 is "{". Anything
  // else starting with "{" is taken for the JSON form; the rest is refused as not a .wgm later.
  if (payload.length >= 9 && payload[8] === 0x7b) return { bytes: payload, from: 'payload' };
  let i = 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x0a || payload[i] === 0x0d || payload[i] === 0x09)) i++;
  if (payload[i] !== 0x7b) return { bytes: payload, from: 'payload' };
  let req: unknown;
  try {
    req = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new UpdateRefused('E_ARGUMENT', 'neither a .wgm file nor valid JSON {"url": ...}');
  }
  const url = (req as { url?: unknown })?.url;
  if (typeof url !== 'string' || Object.keys(req as object).length !== 1) throw new UpdateRefused('E_ARGUMENT', 'a JSON update must be {"url": "<https, http or file URL of a .wgm>"} and nothing else');
  if (!o.allowUrls) throw new UpdateRefused('E_ARGUMENT', 'URL updates are off (modelUpdates.allowUrls); publish the .wgm bytes instead');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpdateRefused('E_ARGUMENT', `not a URL: ${JSON.stringify(url.slice(0, 200))}`);
  }
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname}`; // no user-info, no query (may hold tokens)
  if (parsed.protocol === 'file:') {
    const path = fileURLToPath(parsed);
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new UpdateRefused('E_NOT_FOUND', `${shown}: not a file`);
      if (st.size > o.maxBytes) throw new UpdateRefused('E_MODEL_FORMAT', `${shown}: ${st.size} bytes, over modelUpdates.maxBytes (${o.maxBytes})`);
      return { bytes: new Uint8Array(await readFile(path)), from: shown };
    } catch (e) {
      if (e instanceof UpdateRefused) throw e;
      throw new UpdateRefused('E_NOT_FOUND', `${shown}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`);
    }
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new UpdateRefused('E_ARGUMENT', `${shown}: only https:, http: and file: URLs are fetched`);
  let res: Response;
  try {
    res = await fetch(parsed, { signal: AbortSignal.timeout(o.fetchTimeoutMs), redirect: 'follow' });
  } catch (e) {
    throw new UpdateRefused('E_NOT_FOUND', `${shown}: fetch failed (${(e as Error).name === 'TimeoutError' ? `no answer within ${o.fetchTimeoutMs} ms` : (e as Error).message})`);
  }
  if (!res.ok || !res.body) throw new UpdateRefused('E_NOT_FOUND', `${shown}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > o.maxBytes) throw new UpdateRefused('E_MODEL_FORMAT', `${shown}: ${declared} bytes, over modelUpdates.maxBytes (${o.maxBytes})`);
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > o.maxBytes) throw new UpdateRefused('E_MODEL_FORMAT', `${shown}: more than modelUpdates.maxBytes (${o.maxBytes}) bytes`);
    parts.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  return { bytes, from: shown };
}

/**
 * Verifies and loads an update: the framing, the digest, a signature by one of `keys`, then the
 * whole file. Throws UpdateRefused.
 */
export async function verifiedModel(bytes: Uint8Array, keys: UpdateKey[], source: string, maxBytes: number): Promise<Model> {
  if (bytes.length < 9 || bytes[8] !== 0x7b) throw new UpdateRefused('E_MODEL_FORMAT', `${source}: not a .wgm file (${bytes.length} bytes; a .wgm starts with an 8-byte header length and a JSON header)`);
  let first: unknown;
  for (const key of keys) {
    try {
      return await loadModel(bytes, { source, publicKey: key.key, limits: { maxBytes } });
    } catch (e) {
      first ??= e;
      // Only a signature that does not verify may verify with another key.
      if (!(isWavegateError(e, 'E_MODEL_DIGEST') && e.message.includes('does not verify'))) break;
    }
  }
  const r = refused(first);
  if (r.reason === 'E_MODEL_DIGEST' && r.message.includes('does not verify')) {
    throw new UpdateRefused('E_MODEL_DIGEST', `${source}: wavegate.signature verifies with none of the ${keys.length} configured key(s) (${keys.map((k) => k.file).join(', ')})`);
  }
  throw r;
}

/** What the host lends the updater: its models, streams and outlets. */
export interface UpdateHost {
  readonly models: ServedModel[];
  readonly streams: StreamTable;
  readonly settings: ServeSettings;
  readonly log: Logger;
  /** Scores every window queued on `m` now (the swap must not leave any behind). */
  drain(m: ServedModel): void;
  /** Episodes that ended because a stream's detector was replaced. */
  ended(stream: StreamState, events: EpisodeEvent[]): void;
  refuse(model: string, reason: WavegateErrorCode, message: string): void;
  swapped(next: ServedModel, previous: { version: string }, streams: { kept: number; restarted: number }): void;
}

/** The target of an update topic: `undefined` is the default model. */
export function targetModel(models: ServedModel[], name: string | undefined): ServedModel {
  if (name !== undefined) {
    const m = models.find((x) => x.name === name);
    if (!m) throw new UpdateRefused('E_ARGUMENT', `no served model is named ${JSON.stringify(name.slice(0, 64))} (served: ${models.map((x) => x.name).join(', ')})`);
    return m;
  }
  if (models.length === 1) return models[0];
  const fallback = models.find((x) => x.match === undefined);
  if (!fallback) throw new UpdateRefused('E_ARGUMENT', `${models.length} models are served and none is the default; publish to .../model/<name> (${models.map((x) => x.name).join(', ')})`);
  return fallback;
}

/** Applies updates one at a time; while one is being verified, only the newest waiting one is kept. */
export class ModelUpdater {
  private running = false;
  private stopped = false;
  private waiting: { name: string | undefined; payload: Uint8Array } | undefined;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly options: ResolvedModelUpdateOptions,
    private readonly keys: UpdateKey[],
    private readonly host: UpdateHost,
  ) {}

  /** Takes an update message (the topic's model name, or undefined for the default). Never throws. */
  receive(name: string | undefined, payload: Uint8Array): void {
    // An empty message is how a retained update is cleared: nothing to do.
    if (payload.length === 0 || this.stopped) return;
    if (this.waiting) this.host.log.warn({ model: this.waiting.name ?? '(default)' }, 'model update superseded by a newer one before it was applied');
    this.waiting = { name, payload };
    if (!this.running) void this.run();
  }

  /** The host is stopping: nothing more is swapped in. */
  stop(): void {
    this.stopped = true;
    this.waiting = undefined;
  }

  /** Resolves when no update is in progress (tests, shutdown). */
  settled(): Promise<void> {
    return this.idle;
  }

  private async run(): Promise<void> {
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    while (this.waiting) {
      const { name, payload } = this.waiting;
      this.waiting = undefined;
      await this.apply(name, payload);
    }
    this.running = false;
    this.markIdle();
  }

  private async apply(name: string | undefined, payload: Uint8Array): Promise<void> {
    const h = this.host;
    let label = name ?? '(default)';
    let next: ServedModel | undefined;
    try {
      const old = targetModel(h.models, name);
      label = old.name;
      const { bytes, from } = await updateBytes(payload, this.options);
      const source = `model update for ${old.name} (${from})`;
      const model = await verifiedModel(bytes, this.keys, source, this.options.maxBytes);
      if (model.digest === old.digest) {
        model.dispose();
        h.log.info({ model: old.name, version: old.version }, 'model update: already serving this model');
        return;
      }
      try {
        next = await ServedModel.load({ ...old.config, name: old.name, path: from === 'payload' ? `mqtt:${old.name}` : from }, h.settings, model);
      } catch (e) {
        model.dispose();
        throw e;
      }
      // The swap may have to wait for the target to be current: another update may have replaced it meanwhile.
      if (!h.models.includes(old)) throw new UpdateRefused('E_STATE', `${source}: ${old.name} was replaced while this update was checked; publish it again`);
      checkCompatible(old, next, h.streams, source);
      if (this.stopped) {
        next.dispose();
        return;
      }
      const previous = { version: old.version };
      h.drain(old);
      const counts = h.streams.replaceModel(old, next, (stream, events) => h.ended(stream, events));
      old.dispose();
      h.swapped(next, previous, counts);
    } catch (e) {
      next?.dispose();
      const r = refused(e);
      h.refuse(label, r.reason, r.message);
    }
  }
}

/**
 * What the streams being served need of the new model: the same channel count, and a chain for
 * every live stream's sample rate.
 * @throws UpdateRefused E_MODEL_UNSUPPORTED naming the first stream that could not go on
 */
function checkCompatible(old: ServedModel, next: ServedModel, streams: StreamTable, source: string): void {
  if (next.streamChannels !== old.streamChannels) throw new UpdateRefused('E_MODEL_UNSUPPORTED', `${source}: the new model takes ${next.streamChannels} channel(s), the served one ${old.streamChannels}; its streams could not go on`);
  const tried = new Map<number, string | undefined>();
  for (const s of streams.values()) {
    if (s.model !== old || s.fs === undefined) continue;
    if (!tried.has(s.fs)) {
      try {
        createStreamChain(next.metadata.input, s.fs);
        tried.set(s.fs, undefined);
      } catch (e) {
        tried.set(s.fs, (e as Error).message);
      }
    }
    const problem = tried.get(s.fs);
    if (problem !== undefined) throw new UpdateRefused('E_MODEL_UNSUPPORTED', `${source}: stream ${s.key} (${s.fs} Hz) cannot feed the new model: ${problem}`);
  }
}

/** True when two models cut and preprocess a stream identically (chains can be kept across a swap). */
export function sameInput(a: ServedModel, b: ServedModel): boolean {
  return stableStringify(a.metadata.input) === stableStringify(b.metadata.input);
}

/** True when two models' detectors are configured identically (detector state can be kept). */
export function sameDetector(a: ServedModel, b: ServedModel): boolean {
  return stableStringify(a.detector) === stableStringify(b.detector);
}
