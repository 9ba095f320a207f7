/**
 * Typed errors with a stable `code` that scripts and the MQTT host can switch on.
 * Every module throws a WavegateError (or a subclass) for bad input; the message names the
 * file, tensor, field, frame or argument at fault and what was expected. One code per condition,
 * the same in the library, the CLI, the dataset tools and the MQTT host: a script that switches on
 * E_SAMPLE_RATE or E_UNKNOWN_STREAM catches that condition wherever it arises.
 */
export type WavegateErrorCode =
  | 'E_MODEL_FORMAT' // malformed, truncated or hostile .wgm file
  | 'E_MODEL_DIGEST' // integrity digest mismatch
  | 'E_MODEL_UNSUPPORTED' // valid file, feature this runtime does not implement
  | 'E_ONNX_UNSUPPORTED' // ONNX op/attribute the importer refuses
  | 'E_ONNX_FORMAT' // malformed ONNX file
  | 'E_INPUT' // bad input data (shape, dtype, NaN, sequence)
  | 'E_SAMPLE_RATE' // a signal's sample rate is not the one a model, stage or dataset expects (the message names both)
  | 'E_UNKNOWN_STREAM' // a stream id or name that the session or host does not have
  | 'E_FILE_FORMAT' // malformed data file (.npy, .npz, .hea, .dat, .atr, .mat, CSV)
  | 'E_NOT_FOUND' // missing file
  | 'E_ARGUMENT' // bad CLI/API argument
  | 'E_TLS' // a TLS problem with the MQTT broker: its certificate not trusted or not naming it, a client certificate refused or required, a bad PEM file
  | 'E_AUTH' // the MQTT broker refused the credentials (user name and password, or not authorised)
  | 'E_UNREACHABLE' // the MQTT broker could not be reached (connection refused, timed out, no route, name not resolved): may pass by itself, unlike a bad config
  | 'E_KERNEL' // kernel returned a non-zero status (a bug: the host validates first)
  | 'E_STATE' // API misuse: session disposed or broken
  | 'E_OUTBOX'; // the alert outbox refused an alert: full (its bound) or its storage failed

export class WavegateError extends Error {
  readonly code: WavegateErrorCode;
  constructor(code: WavegateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WavegateError';
    this.code = code;
  }
}

/** True when `e` is a WavegateError, optionally with the given code. */
export function isWavegateError(e: unknown, code?: WavegateErrorCode): e is WavegateError {
  return e instanceof WavegateError && (code === undefined || e.code === code);
}
