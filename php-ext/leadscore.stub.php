<?php

/**
 * Signatures of the leadscore extension. leadscore_arginfo.h is generated from this
 * file with php-src's build/gen_stub.php (see gen_arginfo.sh) and committed.
 *
 * @generate-class-entries
 */

namespace LeadScore {

    /**
     * A trained, immutable scoring model. Created only by the static factories.
     *
     * @strict-properties
     * @not-serializable
     */
    final class Model
    {
        private function __construct() {}

        /**
         * Loads a model file (.lsm).
         * @throws \LeadScore\IoException the file cannot be read
         * @throws \LeadScore\ModelFormatException the file is not a valid model (the message names the byte)
         */
        public static function load(string $path): Model {}

        /**
         * Reads a model from bytes in the file format (e.g. a database BLOB).
         * @throws \LeadScore\ModelFormatException the bytes are not a valid model
         */
        public static function fromBytes(string $bytes): Model {}

        /**
         * Trains on a CSV file (or JSON Lines for .jsonl/.ndjson). Options: docs/php.md.
         * @throws \LeadScore\InvalidInputException bad options or data, or an unknown target column
         * @throws \LeadScore\InsufficientDataException too few rows or positives
         * @throws \LeadScore\IoException the file cannot be read
         */
        public static function train(string $csvPath, array $options): Model {}

        /**
         * Trains on rows (arrays of field => value), e.g. straight from a database query.
         * @throws \LeadScore\InvalidInputException bad options or rows, or an unknown target column
         * @throws \LeadScore\InsufficientDataException too few rows or positives
         */
        public static function trainRows(iterable $rows, array $options): Model {}

        /**
         * Writes the model file atomically.
         * @throws \LeadScore\IoException the file cannot be written (nothing is left half-written)
         */
        public function save(string $path): void {}

        /** The model in the file format. */
        public function toBytes(): string {}

        /**
         * The probability of the positive class for one lead.
         * @throws \LeadScore\InvalidInputException a field's value is not of its kind (the message names the field)
         */
        public function score(array $lead): float {}

        /**
         * The probability, the score from 1 to 99 and the label at the model's threshold.
         * @return array{probability: float, score: int, label: bool}
         * @throws \LeadScore\InvalidInputException a field's value is not of its kind
         */
        public function scoreDetailed(array $lead): array {}

        /**
         * The score and the top $k reasons each way.
         * @return array{score: array{probability: float, score: int, label: bool}, base_probability: float, positive: list<array{field: string, label: string, contribution: float}>, negative: list<array{field: string, label: string, contribution: float}>}
         * @throws \LeadScore\InvalidInputException a field's value is not of its kind, or $k out of range
         */
        public function explain(array $lead, int $k = 3): array {}

        /**
         * Probabilities of many leads, with the input array's keys.
         * @return array<array-key, float>
         * @throws \LeadScore\InvalidInputException a lead's field is not of its kind (the message names the lead's key)
         */
        public function scoreBatch(array $leads): array {}

        /**
         * Cross-validated metrics stored at training time ([] when trained without cross-validation).
         * @return array{rows?: int, positives?: int, positive_rate?: float, cv_folds?: int, roc_auc?: float, pr_auc?: float, log_loss?: float, brier?: float, threshold?: float, precision?: float, recall?: float, f1?: float, accuracy?: float, confusion?: array{tp: int, fp: int, tn: int, fn_: int}, baseline?: array<string, float>, lift?: array<string, float>, deciles?: list<array>}
         */
        public function metrics(): array {}

        /**
         * How the model was evaluated and its threshold chosen: split ('kfold' or 'time'),
         * policy ('balanced', 'max_f1', 'precision>=P', 'recall>=R', 'top_share=S'),
         * threshold, at_threshold, the threshold table (precision, recall,
         * false_positive_rate, f1, share_flagged, flagged_per_1000 at each cut), the
         * calibration curve and the score histogram by class; null when trained without
         * held-out predictions ('cv' => 0 and no 'time_column').
         * @return array{split: string, folds: int, policy: string, threshold: float, at_threshold: array, thresholds: list<array>, calibration: list<array>, histogram: array}|null
         */
        public function evaluation(): ?array {}

        /**
         * The model's report as HTML: a self-contained page (no network, no external script
         * or font) with the metrics beside a random guess, ROC and PR curves, a threshold
         * slider, lift, calibration, the coefficients and the stored insights; the same
         * bytes as every binding and `leadscore report` give. Options: 'compact' (true: the
         * fragment a notebook shows), 'title' (at most 200 characters).
         * @param array $options compact (bool), title (string)
         * @throws \LeadScore\InvalidInputException for a bad option, naming it
         */
        public function reportHtml(array $options = []): string {}

        /**
         * The training data's insights stored at training time: per column its statistics
         * and histogram by class, top levels or tokens, association with the target and
         * warnings (text columns also top_coefficients); null when trained with
         * 'insights' => false.
         * @return array{summary: array, columns: list<array>, warnings: list<array>}|null
         * @throws \LeadScore\ModelFormatException when the stored insights are damaged
         */
        public function insights(): ?array {}

        /**
         * Insights of a CSV file (or JSON Lines) without training. Options: target
         * (required), positive, kinds, bins (2-100), top_levels, top_tokens, recipe
         * (describe its features instead of the raw columns), threads, delimiter,
         * decimal_comma.
         * @return array{summary: array, columns: list<array>, warnings: list<array>}
         * @throws \LeadScore\InvalidInputException bad options or data, or an unknown target column
         * @throws \LeadScore\IoException the file cannot be read
         */
        public static function insightsOf(string $csvPath, array $options): array {}

        /**
         * Insights of rows (arrays of field => value) without training; options as insightsOf().
         * @return array{summary: array, columns: list<array>, warnings: list<array>}
         * @throws \LeadScore\InvalidInputException bad options or rows, or an unknown target column
         */
        public static function insightsOfRows(iterable $rows, array $options): array {}

        /**
         * Searches training settings on a CSV file (or JSON Lines): each setting
         * cross-validated with the same folds, every trial kept (docs/search.md).
         * Options: every train() option (the base of every trial; threads is the trial
         * pool) plus method ('grid', 'random', 'tpe'), trials, budgetSeconds, metric
         * ('roc_auc', 'pr_auc', 'log_loss'), refit, tpeStartup, tpeBatch, and the space:
         * c, penalty, l1Ratio, balance, minCount, bins, ngram, minDf (a value, a
         * [low, high] range or a list of names). With 'refit' => true the result also
         * holds the best setting trained on every row under 'model'.
         * @return array{trials: list<array>, best: ?array, stopped: string, budget_exhausted: bool, model?: Model}
         * @throws \LeadScore\InvalidInputException bad options or data, or an unknown target column
         * @throws \LeadScore\InsufficientDataException too few rows or positives
         * @throws \LeadScore\IoException the file cannot be read
         */
        public static function search(string $csvPath, array $options): array {}

        /**
         * Searches training settings on rows (arrays of field => value); options and
         * result as search().
         * @return array{trials: list<array>, best: ?array, stopped: string, budget_exhausted: bool, model?: Model}
         * @throws \LeadScore\InvalidInputException bad options or rows, or an unknown target column
         * @throws \LeadScore\InsufficientDataException too few rows or positives
         */
        public static function searchRows(iterable $rows, array $options): array {}

        /**
         * A short summary: versions, target, rows, inputs, features, threshold and its policy, AUCs.
         * @return array{leadscore_version: string, format_version: int, target: string, positive_label: string, negative_label: string, rows: int, positives: int, inputs: list<array{name: string, kind: string}>, input_count: int, features: int, nonzero_features: int, threshold: float, threshold_policy: string, evaluation_split: ?string, balance: string, c: float, penalty: string, l1_ratio: float, pruning: ?array, seed: int, iterations: int, converged: bool, roc_auc: ?float, pr_auc: ?float}
         */
        public function info(): array {}

        /** The whole model as JSON: every feature with its coefficient, the fitted pipeline, the metrics. */
        public function toJson(): string {}
    }

    /**
     * Many tenants' models served from one folder: <root>/<tenant>/<name>.lsm, with
     * <root>/_global/<name>.lsm as the fallback. Store::open() keeps the store in a
     * per-process registry keyed by root and options (at most 16 stores; torn down
     * at module shutdown), so in PHP-FPM the next request reuses the loaded models.
     *
     * @strict-properties
     * @not-serializable
     */
    final class Store
    {
        private function __construct() {}

        /**
         * Opens (or reuses) the store at $root. Options: cacheBytes (int),
         * checkInterval (seconds), fallback (bool), driftFlushInterval (seconds or null),
         * maxFileBytes (largest model file read, default 64 MiB).
         * @throws \LeadScore\InvalidInputException a bad option
         * @throws \LeadScore\IoException the root is not a readable folder
         */
        public static function open(string $root, array $options = []): Store {}

        /**
         * Scores a lead with the tenant's model (or the _global fallback):
         * ['probability', 'score', 'label', 'source' => 'tenant'|'fallback',
         *  'fallbackReason' => null|'no_model'|'insufficient_data'|'unreadable'].
         * @return array{probability: float, score: int, label: bool, source: string, fallbackReason: ?string}
         * @throws \LeadScore\NotFoundException neither the tenant nor the fallback has a model
         * @throws \LeadScore\InvalidInputException a field's value is not of its kind, or a bad tenant name
         */
        public function score(string $tenant, array $lead, string $name = "lead"): array {}

        /**
         * The explanation of Model::explain() plus 'source' and 'fallbackReason'.
         * @throws \LeadScore\NotFoundException neither the tenant nor the fallback has a model
         * @throws \LeadScore\InvalidInputException a field's value is not of its kind, or a bad tenant name
         */
        public function explain(string $tenant, array $lead, int $k = 3, string $name = "lead"): array {}

        /**
         * The model that answers for the tenant (its own or the fallback), shared with the store.
         * @throws \LeadScore\NotFoundException neither the tenant nor the fallback has a model
         */
        public function get(string $tenant, string $name = "lead"): Model {}

        /**
         * Saves a model as the tenant's model, atomically.
         * @throws \LeadScore\InvalidInputException a bad tenant or model name
         * @throws \LeadScore\IoException the file cannot be written
         */
        public function save(string $tenant, Model $model, string $name = "lead"): void {}

        /** Counters: cached models and bytes, evictions, totals and per-tenant hits, misses, loads, scores, fallbacks. */
        public function stats(): array {}

        /** Writes the score counts gathered for drift beside the models. */
        public function flushDrift(): void {}

        /**
         * Trains one model per tenant into this store (what `leadscore train --by` does)
         * and returns the run's summary, also written to _training.json at the root.
         * $data is the path of a CSV export with the tenant column 'by', or of a folder
         * of <tenant>.csv files, or an iterable of rows (arrays of field => value) with
         * the tenant column. Options: every Model::train() option ('target' required)
         * plus 'by', 'name' (default 'lead'), 'force', 'threads' (parallel tenants),
         * 'global' (train the _global fallback, default true), 'globalTenantFeature',
         * 'globalMaxRows'. $progress(array $p) is called after each tenant with
         * ['done', 'total', 'rows_done', 'elapsed'], in this request's thread.
         * One tenant's failure is its outcome ('status' => 'failed', 'error'), not an exception.
         * @return array{tenants: list<array{tenant: string, status: string, rows: int, positives: ?int, roc_auc: ?float, pr_auc: ?float, seconds: float, error: ?string, finished_unix: int}>, global: ?array{tenant: string, status: string, rows: int, positives: ?int, roc_auc: ?float, pr_auc: ?float, seconds: float, error: ?string, finished_unix: int}, rows_without_tenant: int, index_seconds: float, seconds: float, cancelled: bool}
         * @throws \LeadScore\InvalidInputException a bad option, no or an unknown tenant column, a bad row
         * @throws \LeadScore\IoException the data cannot be read or the store written
         */
        public function trainTenants(string|iterable $data, array $options, ?callable $progress = null): array {}

        /**
         * Each tenant's score drift (the PSI of the scores counted since training against
         * the training deciles), worst first; this store's pending counts are written
         * first. 'status': 'stable', 'watch' (PSI >= 0.1), 'retrain' (PSI >= 0.25),
         * 'too_few_scores', 'no_reference', 'unreadable' (with 'error').
         * @return list<array{tenant: string, name: string, scores: int, psi: ?float, status: string, error?: string}>
         * @throws \LeadScore\InvalidInputException a bad tenant or model name
         */
        public function drift(?string $tenant = null, string $name = "lead"): array {}

        /**
         * Marks a tenant as having too little data (with its rows and positives for the
         * record): the store then answers for it with the fallback and
         * 'fallbackReason' => 'insufficient_data'.
         * @throws \LeadScore\InvalidInputException a reserved or bad name, negative counts, positives above rows
         * @throws \LeadScore\IoException the mark cannot be written
         */
        public function markInsufficient(string $tenant, int $rows = 0, int $positives = 0, string $name = "lead"): void {}
    }

    /** Every leadscore error; the code is the C status (LS_STATUS_*). */
    class Exception extends \RuntimeException {}

    /** Bad input: a value of the wrong kind for a field, a bad option, malformed data, an unknown column. */
    class InvalidInputException extends Exception {}

    /** Bytes or a file that are not a valid leadscore model. */
    class ModelFormatException extends Exception {}

    /** Too few rows or positives to train. */
    class InsufficientDataException extends Exception {}

    /** A file could not be read or written. */
    class IoException extends Exception {}

    /** No model answers: the store has no model for the tenant and no fallback one. */
    class NotFoundException extends Exception {}
}
