dts-header.d.ts
/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * A trained, immutable scoring model: raw lead in, probability out.
 *
 * Load one with `Model.load(path)` or `Model.fromBuffer(bytes)`, or train one with
 * `await train(...)`. Unknown fields of a lead are ignored, absent ones count as
 * missing; a value of the wrong kind throws an `Error` with `code: 'INVALID_INPUT'`
 * naming the field.
 *
 * ```js
 * const { Model } = require('leadscore');
 * const model = Model.load('tests/fixtures/models/wa_churn_v1.lsm');
 * const p = model.score({ tenure: 1, contract: 'Month-to-month', monthly_charges: 29.85 });
 * ```
 */
export declare class Model {
  /**
   * Reads a model file (`.lsm`). Throws `code: 'IO'` when the file cannot be read
   * and `code: 'MODEL_FORMAT'` when it is not a valid leadscore model.
   */
  static load(path: string): Model
  /**
   * Reads a model from the bytes of a model file (a `Buffer` or `Uint8Array`).
   * Throws `code: 'MODEL_FORMAT'` when the bytes are not a valid model.
   */
  static fromBuffer(bytes: Uint8Array): Model
  /**
   * Writes the model file atomically (a crash leaves the old file or the new one,
   * never a torn one). Throws `code: 'IO'` on failure.
   */
  save(path: string): void
  /** The model in the file format, as a `Buffer` (`Model.fromBuffer` reads it back). */
  toBuffer(): Buffer
  /**
   * The probability that a lead is positive, in (0, 1).
   *
   * Field values: numbers, numeric strings (`"12"`, `"1,5"`), booleans, other
   * strings (categories); `null`/`undefined`/absent are missing. A `BigInt`, an
   * object or an array as the value of a field the model reads throws
   * `code: 'INVALID_INPUT'` naming the field.
   */
  score(lead: Lead): number
  /** The probability, the 1-99 score and the label at the model's threshold. */
  scoreDetailed(lead: Lead): ScoreDetail
  /**
   * Scores a lead and names the top `k` reasons each way (default 3), grouped by
   * raw field; contributions are in log-odds relative to an average training lead.
   */
  explain(lead: Lead, k?: number): Explanation
  /**
   * The probabilities of an array of lead objects, in order (each exactly what
   * `score()` gives for it); errors name the lead's index and the field.
   */
  scoreBatch(leads: Lead[]): Float64Array
  /**
   * The columnar fast path: probabilities of rows given as columns, one per field:
   * a `Float64Array` for a numeric field (`NaN` = missing), an array of strings
   * (`null`/`undefined` = missing) or, fastest, a dictionary-encoded
   * `{ codes: Uint32Array, levels: string[] }` for a categorical or text field. Columns the model
   * does not read are ignored; fields without a column are missing. All columns must
   * have the same length.
   */
  scoreColumns(columns: Columns): Float64Array
  /**
   * Like `scoreBatch` (for an array of leads) or `scoreColumns` (for a columns
   * object), with the scoring done on the libuv thread pool: the event loop only
   * reads the JavaScript values. Errors reject the Promise with a coded `Error`.
   */
  scoreBatchAsync(leads: Lead[] | Columns): Promise<Float64Array>
  /**
   * The cross-validated metrics measured at training time (camelCase keys:
   * `rocAuc`, `prAuc`, `logLoss`, `brier`, `precision`, `recall`, `f1`, `confusion`,
   * `baseline` ...), or `null` for a model trained without cross-validation.
   */
  metrics(): Record<string, any> | null
  /**
   * Facts about the model: `leadscoreVersion`, `formatVersion`, `createdUnix`,
   * `target`, `positiveLabel`, `negativeLabel`, `rows`, `positives`,
   * `inputs` (`[{ name, kind }]`), `features`, `threshold`, `balance`, `c`, `seed`,
   * `iterations`, `converged`, `rocAuc`, `prAuc`.
   */
  info(): ModelInfo
  /**
   * The whole model as JSON for inspection (the same document as
   * `leadscore inspect --json`, snake_case keys): training facts, schema, every
   * feature with its coefficient and training mean, the fitted pipeline, the
   * threshold and the metrics.
   */
  toJson(): Record<string, any>
  /** The raw fields the model reads, in pipeline order. */
  get inputNames(): Array<string>
  /** The decision threshold on the probability. */
  get threshold(): number
}

/** A score with its strongest reasons each way. */
export interface Explanation {
  /** Calibrated probability of the positive class. */
  probability: number
  /** The probability as a whole-number score from 1 to 99. */
  score: number
  /** Whether the probability reaches the model's decision threshold. */
  label: boolean
  /** The probability of an average training lead (all contributions zero). */
  baseProbability: number
  /** The strongest reasons for a higher score, strongest first. */
  positive: Array<Reason>
  /** The strongest reasons for a lower score, strongest first. */
  negative: Array<Reason>
}

/** One reason of an explanation: how much a raw field moved the score. */
export interface Reason {
  /** The raw field. */
  field: string
  /** A readable statement of the field's value (`tenure = 1`, `contract = Month-to-month`). */
  label: string
  /** Contribution to the log-odds relative to an average training lead (positive raises the score). */
  contribution: number
}

/** A score with its probability and label. */
export interface ScoreDetail {
  /** Calibrated probability of the positive class, in (0, 1). */
  probability: number
  /** The probability as a whole-number score from 1 to 99. */
  score: number
  /** Whether the probability reaches the model's decision threshold. */
  label: boolean
}

/**
 * Trains a model off the event loop and resolves to it.
 *
 * `data` is `{ csv: path }` (a CSV file; `.jsonl`/`.ndjson` are read as JSON Lines)
 * or `{ rows: [...] }` (objects of field -> value, typed like JSON Lines). `options`
 * use camelCase names (`target` is required): `target`, `positive`, `balance`
 * (`'upsample'` default, `'downsample'`, `'class_weight'`, `'none'`), `c`, `minRows`,
 * `minPositives`, `cv`, `seed`, `maxIter`, `tol`, `minCount`, `maxLevels`, `kinds`,
 * `threads`, `delimiter`, `decimalComma`. They are validated by the core; any
 * problem rejects the Promise with a coded `Error` (`'INVALID_INPUT'`,
 * `'UNKNOWN_COLUMN'`, `'INSUFFICIENT_DATA'`, `'IO'`, `'TRAINING'`, `'INTERNAL'`).
 *
 * ```js
 * const { train } = require('leadscore');
 * const model = await train({ csv: 'examples/data/wa_churn.csv' }, { target: 'churn', cv: 3 });
 * ```
 */
export declare function train(data: TrainData, options: TrainOptions): Promise<Model>

/** The version of the native leadscore library (equal to the package version). */
export declare function version(): string
