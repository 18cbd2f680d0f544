/* Tests of the leadscore C ABI: a scoring round trip against the cross-language
 * fixtures, every error status the ABI can produce from C, NULL and double-free
 * handling, and many threads scoring one shared model.
 *
 * Usage: test_leadscore REPO_ROOT EXPECTED_PROBABILITIES_FILE WORK_DIR
 * (bindings-c/test.sh builds it with -Wall -Wextra -Wpedantic -Werror under
 * AddressSanitizer and UBSan, and writes the probabilities file from
 * tests/fixtures/expected/wa_churn_v1.json.) */
#define _POSIX_C_SOURCE 200809L
#include "leadscore.h"
#include "read_file.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        checks++;                                                              \
        if (!(cond)) {                                                         \
            failures++;                                                        \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
        }                                                                      \
    } while (0)

#define CHECK_OK(call)                                                         \
    do {                                                                       \
        ls_status st_ = (call);                                                \
        CHECK(st_ == LS_STATUS_OK, "%s -> %s: %s", #call,                      \
              ls_status_name((int)st_), ls_last_error_message());              \
    } while (0)

#define CHECK_STATUS(call, want, needle)                                       \
    do {                                                                       \
        ls_status st_ = (call);                                                \
        CHECK(st_ == (want), "%s -> %s, want %s (%s)", #call,                  \
              ls_status_name((int)st_), ls_status_name((int)(want)),           \
              ls_last_error_message());                                        \
        CHECK(strstr(ls_last_error_message(), (needle)) != NULL,               \
              "message \"%s\" lacks \"%s\"", ls_last_error_message(), needle); \
    } while (0)

#define MAX_RECORDS 64
static char *records[MAX_RECORDS];
static double expected[MAX_RECORDS];
static size_t n_records = 0;
static char model_path[4096];


static void load_fixtures(const char *root, const char *probs_path) {
    char path[4096];
    snprintf(model_path, sizeof model_path, "%s/tests/fixtures/models/wa_churn_v1.lsm", root);
    snprintf(path, sizeof path, "%s/tests/fixtures/records/wa_churn.jsonl", root);
    char *text = read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (n_records < MAX_RECORDS && line[0] != '\0') records[n_records++] = strdup(line);
    }
    free(text);
    FILE *f = fopen(probs_path, "r");
    if (!f) {
        fprintf(stderr, "cannot read %s\n", probs_path);
        exit(2);
    }
    size_t n = 0;
    while (n < MAX_RECORDS && fscanf(f, "%lf", &expected[n]) == 1) n++;
    fclose(f);
    if (n != n_records || n < 24) {
        fprintf(stderr, "%zu records but %zu expected probabilities\n", n_records, n);
        exit(2);
    }
}

#define KEY(s) (s), strlen(s)

/* Fixture record 0, set field by field through the record builder. */
static void set_record0(ls_record *r) {
    CHECK_OK(ls_record_set_str(r, KEY("contract"), KEY("Month-to-month")));
    CHECK_OK(ls_record_set_f64(r, KEY("dependents"), 0.0));
    CHECK_OK(ls_record_set_str(r, KEY("device_protection"), KEY("No")));
    CHECK_OK(ls_record_set_f64(r, KEY("female"), 1.0));
    CHECK_OK(ls_record_set_str(r, KEY("internet_service"), KEY("DSL")));
    CHECK_OK(ls_record_set_f64(r, KEY("monthly_charges"), 29.85));
    CHECK_OK(ls_record_set_str(r, KEY("multiple_lines"), KEY("No phone service")));
    CHECK_OK(ls_record_set_str(r, KEY("online_backup"), KEY("Yes")));
    CHECK_OK(ls_record_set_str(r, KEY("online_security"), KEY("No")));
    CHECK_OK(ls_record_set_f64(r, KEY("paperless_billing"), 1.0));
    CHECK_OK(ls_record_set_f64(r, KEY("partner"), 1.0));
    CHECK_OK(ls_record_set_str(r, KEY("payment_method"), KEY("Electronic check")));
    CHECK_OK(ls_record_set_f64(r, KEY("phone_service"), 0.0));
    CHECK_OK(ls_record_set_f64(r, KEY("senior_citizen"), 0.0));
    CHECK_OK(ls_record_set_str(r, KEY("streaming_movies"), KEY("No")));
    CHECK_OK(ls_record_set_str(r, KEY("streaming_tv"), KEY("No")));
    CHECK_OK(ls_record_set_str(r, KEY("tech_support"), KEY("No")));
    CHECK_OK(ls_record_set_f64(r, KEY("tenure"), 1.0));
    /* A numeric field given as a numeric string, and an unknown field. */
    CHECK_OK(ls_record_set_str(r, KEY("total_charges"), KEY("29.85")));
    CHECK_OK(ls_record_set_str(r, KEY("not_a_field"), KEY("ignored")));
}

/* Fixture record 21: {"tenure": "12", "monthly_charges": "70,35",
 * "contract": "Month-to-month", "senior_citizen": true}. */
static void set_record21(ls_record *r) {
    CHECK_OK(ls_record_set_str(r, KEY("tenure"), KEY("12")));
    CHECK_OK(ls_record_set_str(r, KEY("monthly_charges"), KEY("70,35")));
    CHECK_OK(ls_record_set_str(r, KEY("contract"), KEY("Month-to-month")));
    CHECK_OK(ls_record_set_bool(r, KEY("senior_citizen"), true));
}

static void test_versions(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", LS_VERSION_MAJOR, LS_VERSION_MINOR, LS_VERSION_PATCH);
    CHECK(strcmp(ls_version(), want) == 0, "ls_version %s vs header %s", ls_version(), want);
    CHECK(ls_abi_version() == LS_ABI_VERSION, "abi %u", ls_abi_version());
    CHECK(strcmp(ls_status_name(LS_STATUS_MODEL_FORMAT), "MODEL_FORMAT") == 0, "name");
    CHECK(strcmp(ls_status_name(-7), "UNKNOWN") == 0, "unknown name");
}

static void test_round_trip(const char *work) {
    ls_model *m = NULL;
    CHECK_OK(ls_model_load(model_path, &m));
    if (!m) return;

    /* JSON-record path: every fixture record. */
    for (size_t i = 0; i < n_records; i++) {
        ls_score s = {0};
        CHECK_OK(ls_model_score_json_record(m, records[i], strlen(records[i]), &s));
        CHECK(fabs(s.probability - expected[i]) <= 1e-12, "record %zu: %.17g vs %.17g", i,
              s.probability, expected[i]);
        CHECK(s.score >= 1 && s.score <= 99, "score %u", s.score);
    }

    /* Record-builder path, reused across leads. */
    ls_record *r = NULL;
    CHECK_OK(ls_record_new(m, &r));
    ls_score s = {0};
    set_record0(r);
    CHECK_OK(ls_model_score(m, r, &s));
    CHECK(fabs(s.probability - expected[0]) <= 1e-12, "builder record 0: %.17g", s.probability);
    CHECK(s.score == 62 && s.label, "score %u label %d", s.score, s.label);
    CHECK_OK(ls_record_clear(r));
    CHECK_OK(ls_model_score(m, r, &s));
    CHECK(fabs(s.probability - expected[20]) <= 1e-12, "cleared = {}: %.17g", s.probability);
    set_record21(r);
    CHECK_OK(ls_model_score(m, r, &s));
    CHECK(fabs(s.probability - expected[21]) <= 1e-12, "builder record 21: %.17g", s.probability);
    CHECK_OK(ls_record_set_missing(r, KEY("tenure")));
    CHECK_OK(ls_record_set_f64(r, KEY("tenure"), 12.0));
    CHECK_OK(ls_model_score(m, r, &s));
    CHECK(fabs(s.probability - expected[21]) <= 1e-12, "reset field: %.17g", s.probability);

    /* Explain. */
    char *json = NULL;
    CHECK_OK(ls_model_explain_json(m, r, 3, &json));
    CHECK(json && strstr(json, "\"positive\"") && strstr(json, "\"base_probability\""), "%s",
          json ? json : "(null)");
    ls_string_free(json);
    json = NULL;
    CHECK_OK(ls_model_explain_json_record(m, records[0], strlen(records[0]), 3, &json));
    CHECK(json && strstr(json, "\"tenure = 1\""), "%s", json ? json : "(null)");
    ls_string_free(json);

    /* Batch path: records 0 and 21 and an empty one. */
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    CHECK_OK(ls_batch_set_f64(b, KEY("tenure"), 1.0));
    CHECK_OK(ls_batch_set_str(b, KEY("contract"), KEY("Month-to-month")));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_batch_set_str(b, KEY("tenure"), KEY("12")));
    CHECK_OK(ls_batch_set_str(b, KEY("monthly_charges"), KEY("70,35")));
    CHECK_OK(ls_batch_set_str(b, KEY("contract"), KEY("Month-to-month")));
    CHECK_OK(ls_batch_set_bool(b, KEY("senior_citizen"), true));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_batch_end_row(b));
    size_t rows = 0;
    CHECK_OK(ls_batch_rows(b, &rows));
    CHECK(rows == 3, "rows %zu", rows);
    double p[3] = {0};
    ls_score d[3];
    CHECK_OK(ls_model_score_batch(m, b, p, 3));
    CHECK_OK(ls_model_score_batch_detailed(m, b, d, 3));
    CHECK(fabs(p[1] - expected[21]) <= 1e-12, "batch row 1: %.17g", p[1]);
    CHECK(fabs(p[2] - expected[20]) <= 1e-12, "batch row 2: %.17g", p[2]);
    for (int i = 0; i < 3; i++) CHECK(d[i].probability == p[i], "detailed %d", i);
    ls_record *r2 = NULL;
    CHECK_OK(ls_record_new(m, &r2));
    CHECK_OK(ls_record_set_f64(r2, KEY("tenure"), 1.0));
    CHECK_OK(ls_record_set_str(r2, KEY("contract"), KEY("Month-to-month")));
    CHECK_OK(ls_model_score(m, r2, &s));
    CHECK(fabs(p[0] - s.probability) <= 1e-12, "batch row 0 %.17g vs record %.17g", p[0], s.probability);
    ls_record_free(r2);
    CHECK_OK(ls_batch_clear(b));
    CHECK_OK(ls_batch_rows(b, &rows));
    CHECK(rows == 0, "cleared rows %zu", rows);
    /* A batch of empty rows: each scores as the empty record. */
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_model_score_batch(m, b, p, 3));
    CHECK(fabs(p[0] - expected[20]) <= 1e-12 && p[1] == p[0], "empty rows: %.17g %.17g", p[0], p[1]);
    /* Infinity is refused on the batch path as on the record path, naming the row. */
    CHECK_OK(ls_batch_clear(b));
    CHECK_OK(ls_batch_set_f64(b, KEY("tenure"), 1.0));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_batch_set_f64(b, KEY("tenure"), INFINITY));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_STATUS(ls_model_score_batch(m, b, p, 3), LS_STATUS_INVALID_INPUT, "line 2");
    CHECK(strstr(ls_last_error_message(), "tenure") != NULL, "%s", ls_last_error_message());
    ls_batch_free(b);

    /* Bytes, save and reload: identical scores. */
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(ls_model_to_bytes(m, &bytes, &len));
    /* The golden file is format version 1; the bytes are the current version, and
     * read back they write the same bytes again. */
    CHECK(len > 14 && bytes[4] == 5 && bytes[5] == 0, "to_bytes writes format version 5");
    ls_model *m2 = NULL;
    CHECK_OK(ls_model_from_bytes(bytes, len, &m2));
    uint8_t *again = NULL;
    size_t again_len = 0;
    CHECK_OK(ls_model_to_bytes(m2, &again, &again_len));
    CHECK(again && again_len == len && memcmp(again, bytes, len) == 0, "bytes round-trip");
    ls_bytes_free(again);
    ls_bytes_free(bytes);
    char saved[4096];
    snprintf(saved, sizeof saved, "%s/saved.lsm", work);
    CHECK_OK(ls_model_save(m2, saved));
    ls_model *m3 = NULL;
    CHECK_OK(ls_model_load(saved, &m3));
    CHECK_OK(ls_model_score_json_record(m3, records[3], strlen(records[3]), &s));
    CHECK(fabs(s.probability - expected[3]) <= 1e-12, "reloaded: %.17g", s.probability);

    /* JSON views. */
    CHECK_OK(ls_model_to_json(m3, &json));
    CHECK(json && strstr(json, "\"features\""), "to_json");
    ls_string_free(json);
    CHECK_OK(ls_model_info_json(m3, &json));
    CHECK(json && strstr(json, "\"target\":\"churn\""), "info %s", json ? json : "");
    ls_string_free(json);
    CHECK_OK(ls_model_metrics_json(m3, &json));
    CHECK(json && strstr(json, "\"roc_auc\""), "metrics");
    ls_string_free(json);

    /* The record keeps its model alive. */
    ls_model_free(m);
    CHECK_OK(ls_record_set_f64(r, KEY("tenure"), 12.0));
    ls_record_free(r);
    ls_model_free(m2);
    ls_model_free(m3);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static void test_errors(const char *work) {
    ls_model *m = NULL, *other = NULL;
    ls_record *r = NULL;
    ls_score s;
    CHECK_OK(ls_model_load(model_path, &m));
    CHECK_OK(ls_model_load(model_path, &other));
    CHECK_OK(ls_record_new(m, &r));

    /* INVALID_INPUT: a wrong value kind names the field; bad JSON; a record of
     * another model; bad options; non-UTF-8 values. */
    CHECK_OK(ls_record_set_str(r, KEY("tenure"), KEY("many")));
    CHECK_STATUS(ls_model_score(m, r, &s), LS_STATUS_INVALID_INPUT, "field \"tenure\"");
    /* A record made for one model is scored by another that reads the same inputs
     * (here: the same file loaded twice), with the same error. */
    CHECK_STATUS(ls_model_score(other, r, &s), LS_STATUS_INVALID_INPUT, "field \"tenure\"");
    CHECK_STATUS(ls_record_set_str(r, KEY("contract"), "\xff\xfe", 2), LS_STATUS_INVALID_INPUT,
                 "field \"contract\"");
    CHECK_STATUS(ls_model_score_json_record(m, KEY("{\"tenure\": [1]}"), &s),
                 LS_STATUS_INVALID_INPUT, "field \"tenure\"");
    CHECK_STATUS(ls_model_score_json_record(m, KEY("{not json"), &s), LS_STATUS_INVALID_INPUT,
                 "invalid JSON");
    ls_model *t = NULL;
    char csv[4096];
    snprintf(csv, sizeof csv, "%s/small.csv", work);
    write_text(csv, "x,y\n1,0\n2,1\n3,0\n4,1\n");
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"y\", \"colour\": 1}", &t),
                 LS_STATUS_INVALID_INPUT, "unknown option \"colour\"");
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": ", &t), LS_STATUS_INVALID_INPUT, "not valid JSON");

    /* UNKNOWN_COLUMN, INSUFFICIENT_DATA, IO, MODEL_FORMAT. */
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"nope\"}", &t), LS_STATUS_UNKNOWN_COLUMN,
                 "nope");
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"y\"}", &t), LS_STATUS_INSUFFICIENT_DATA,
                 "insufficient data: 4 rows");
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/no-such-file.lsm", work);
    CHECK_STATUS(ls_model_load(missing, &t), LS_STATUS_IO, "no-such-file.lsm");
    CHECK_STATUS(ls_model_from_bytes((const uint8_t *)"garbage!garbage!", 16, &t),
                 LS_STATUS_MODEL_FORMAT, "bad magic");
    size_t len = 0;
    char *file = read_file(model_path, &len);
    CHECK_STATUS(ls_model_from_bytes((const uint8_t *)file, len / 2, &t), LS_STATUS_MODEL_FORMAT,
                 "truncated");
    char truncated[4096];
    snprintf(truncated, sizeof truncated, "%s/truncated.lsm", work);
    FILE *f = fopen(truncated, "wb");
    if (f) {
        fwrite(file, 1, len - 1, f);
        fclose(f);
    }
    free(file);
    CHECK_STATUS(ls_model_load(truncated, &t), LS_STATUS_MODEL_FORMAT, "truncated.lsm");
    CHECK(t == NULL, "out-parameter untouched on failure");

    /* Batch errors: an unfinished row, a short buffer, a bad value naming the row. */
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    CHECK_OK(ls_batch_set_str(b, KEY("tenure"), KEY("3")));
    double p[2];
    CHECK_STATUS(ls_model_score_batch(m, b, p, 2), LS_STATUS_INVALID_INPUT, "unfinished row");
    CHECK_OK(ls_batch_end_row(b));
    CHECK_OK(ls_batch_set_str(b, KEY("tenure"), KEY("lots")));
    CHECK_OK(ls_batch_end_row(b));
    CHECK_STATUS(ls_model_score_batch(m, b, p, 1), LS_STATUS_BUFFER_TOO_SMALL, "2 rows");
    CHECK_STATUS(ls_model_score_batch(m, b, p, 2), LS_STATUS_INVALID_INPUT, "line 2");
    CHECK_STATUS(ls_batch_set_str(b, "\xff", 1, KEY("x")), LS_STATUS_INVALID_INPUT, "UTF-8");

    /* NULL_ARGUMENT everywhere a pointer is required. */
    CHECK_STATUS(ls_model_load(NULL, &t), LS_STATUS_NULL_ARGUMENT, "\"path\"");
    CHECK_STATUS(ls_model_load(model_path, NULL), LS_STATUS_NULL_ARGUMENT, "\"out\"");
    CHECK_STATUS(ls_model_from_bytes(NULL, 10, &t), LS_STATUS_NULL_ARGUMENT, "\"bytes\"");
    CHECK_STATUS(ls_model_from_bytes(NULL, 0, &t), LS_STATUS_MODEL_FORMAT, "truncated");
    CHECK_STATUS(ls_model_save(NULL, "x.lsm"), LS_STATUS_NULL_ARGUMENT, "\"model\"");
    CHECK_STATUS(ls_model_save(m, NULL), LS_STATUS_NULL_ARGUMENT, "\"path\"");
    CHECK_STATUS(ls_model_score(NULL, r, &s), LS_STATUS_NULL_ARGUMENT, "\"model\"");
    CHECK_STATUS(ls_model_score(m, NULL, &s), LS_STATUS_NULL_ARGUMENT, "\"record\"");
    CHECK_STATUS(ls_model_score(m, r, NULL), LS_STATUS_NULL_ARGUMENT, "\"out\"");
    CHECK_STATUS(ls_record_new(NULL, &r), LS_STATUS_NULL_ARGUMENT, "\"model\"");
    CHECK_STATUS(ls_record_set_f64(NULL, KEY("x"), 1.0), LS_STATUS_NULL_ARGUMENT, "\"record\"");
    CHECK_STATUS(ls_record_set_f64(r, NULL, 3, 1.0), LS_STATUS_NULL_ARGUMENT, "\"key\"");
    CHECK_STATUS(ls_record_set_str(r, KEY("tenure"), NULL, 3), LS_STATUS_NULL_ARGUMENT, "\"value\"");
    CHECK_STATUS(ls_record_clear(NULL), LS_STATUS_NULL_ARGUMENT, "\"record\"");
    CHECK_STATUS(ls_batch_end_row(NULL), LS_STATUS_NULL_ARGUMENT, "\"batch\"");
    CHECK_STATUS(ls_batch_set_bool(b, NULL, 0, true), LS_STATUS_NULL_ARGUMENT, "\"key\"");
    CHECK_STATUS(ls_model_score_batch(m, b, NULL, 2), LS_STATUS_NULL_ARGUMENT, "\"out\"");
    CHECK_STATUS(ls_model_to_json(m, NULL), LS_STATUS_NULL_ARGUMENT, "\"out_json\"");
    CHECK_STATUS(ls_model_explain_json(m, NULL, 3, NULL), LS_STATUS_NULL_ARGUMENT, "\"out_json\"");
    CHECK_STATUS(ls_model_to_bytes(m, NULL, &len), LS_STATUS_NULL_ARGUMENT, "\"out_bytes\"");
    CHECK_STATUS(ls_train_csv(csv, NULL, &t), LS_STATUS_NULL_ARGUMENT, "\"options_json\"");
    CHECK_STATUS(ls_train_batch(NULL, "{}", &t), LS_STATUS_NULL_ARGUMENT, "\"batch\"");
    CHECK_STATUS(ls_batch_rows(b, NULL), LS_STATUS_NULL_ARGUMENT, "\"out_rows\"");

    /* The failed calls did not break the objects. */
    CHECK_OK(ls_record_set_f64(r, KEY("tenure"), 3.0));
    CHECK_OK(ls_model_score(m, r, &s));

    /* Frees: NULL is a no-op; a double free is detected and ignored. */
    ls_model_free(NULL);
    ls_record_free(NULL);
    ls_batch_free(NULL);
    ls_string_free(NULL);
    ls_bytes_free(NULL);
    ls_batch_free(b);
    ls_batch_free(b);
    CHECK(strstr(ls_last_error_message(), "ls_batch_free") != NULL, "double free reported: %s",
          ls_last_error_message());
    ls_record_free(r);
    ls_record_free(r);
    /* A handle of another kind is refused, not freed as the wrong type. */
    ls_record_free((ls_record *)other);
    CHECK(strstr(ls_last_error_message(), "not a live handle") != NULL, "kind check");
    ls_model_free(other);
    ls_model_free(other);
    ls_model_free(m);
    char *str = NULL;
    CHECK_OK(ls_batch_new(&b));
    ls_batch_free(b);
    (void)str;
}

static void test_train(const char *root) {
    char csv[4096];
    snprintf(csv, sizeof csv, "%s/examples/data/wa_churn.csv", root);
    ls_model *m = NULL;
    CHECK_OK(ls_train_csv(csv, "{\"target\": \"churn\", \"cv\": 2, \"threads\": 2}", &m));
    if (!m) return;
    char *json = NULL;
    CHECK_OK(ls_model_metrics_json(m, &json));
    CHECK(json && strstr(json, "\"roc_auc\""), "metrics of a trained model");
    ls_string_free(json);
    ls_score s;
    CHECK_OK(ls_model_score_json_record(m, records[0], strlen(records[0]), &s));
    CHECK(s.probability > 0.0 && s.probability < 1.0, "%.17g", s.probability);

    /* Training from rows (a batch) without cross-validation. */
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    for (int i = 0; i < 3000; i++) {
        CHECK_OK(ls_batch_set_f64(b, KEY("calls"), (double)(i % 17)));
        CHECK_OK(ls_batch_set_str(b, KEY("source"), i % 3 == 0 ? "web" : "phone", 3 + 2 * (i % 3 != 0)));
        CHECK_OK(ls_batch_set_bool(b, KEY("won"), (i % 17) > 8 ? (i % 5 != 0) : (i % 7 == 0)));
        CHECK_OK(ls_batch_end_row(b));
    }
    ls_model *m2 = NULL;
    CHECK_OK(ls_train_batch(b, "{\"target\": \"won\", \"cv\": 0}", &m2));
    ls_batch_free(b);
    /* A record made for one model cannot answer for a model of other inputs; a
     * record not tied to a model answers for both. */
    ls_record *r = NULL, *any = NULL;
    CHECK_OK(ls_record_new(m, &r));
    CHECK_OK(ls_record_set_f64(r, KEY("calls"), 3.0));
    CHECK_STATUS(ls_model_score(m2, r, &s), LS_STATUS_INVALID_INPUT, "another model");
    CHECK_OK(ls_record_new_any(&any));
    CHECK_OK(ls_record_set_f64(any, KEY("calls"), 3.0));
    CHECK_OK(ls_record_set_str(any, KEY("source"), KEY("web")));
    CHECK_OK(ls_record_set_f64(any, KEY("tenure"), 1.0));
    ls_score s2;
    CHECK_OK(ls_model_score(m2, any, &s2));
    CHECK_OK(ls_model_score_json_record(m2, KEY("{\"calls\": 3, \"source\": \"web\"}"), &s));
    CHECK(s2.probability == s.probability, "any record %.17g vs JSON %.17g", s2.probability, s.probability);
    CHECK_OK(ls_model_score(m, any, &s2));
    CHECK_OK(ls_model_score_json_record(m, KEY("{\"tenure\": 1}"), &s));
    CHECK(s2.probability == s.probability, "any record %.17g vs JSON %.17g", s2.probability, s.probability);
    ls_record_free(any);
    ls_record_free(r);
    char *metrics = NULL;
    CHECK_OK(ls_model_metrics_json(m2, &metrics));
    CHECK(metrics && strcmp(metrics, "null") == 0, "no metrics without cv: %s", metrics ? metrics : "");
    ls_string_free(metrics);
    metrics = NULL;
    CHECK_OK(ls_model_evaluation_json(m2, &metrics));
    CHECK(metrics && strcmp(metrics, "null") == 0, "no evaluation without cv: %s", metrics ? metrics : "");
    ls_string_free(metrics);
    metrics = NULL;
    CHECK_OK(ls_model_evaluation_json(m, &metrics));
    CHECK(metrics && strstr(metrics, "\"split\":\"kfold\"") && strstr(metrics, "\"policy\":\"balanced\"") &&
              strstr(metrics, "\"thresholds\":[{"),
          "evaluation of a cross-validated model: %.300s", metrics ? metrics : "");
    ls_string_free(metrics);
    ls_model_free(m2);
    ls_model_free(m);

    /* The penalty and max_features options reach the core; info reports them. */
    ls_model *l1 = NULL;
    CHECK_OK(ls_train_csv(csv,
                          "{\"target\": \"churn\", \"cv\": 2, \"threads\": 1, \"penalty\": \"l1\","
                          " \"c\": 0.05, \"max_features\": 6}",
                          &l1));
    if (!l1) return;
    char *info = NULL;
    CHECK_OK(ls_model_info_json(l1, &info));
    CHECK(info && strstr(info, "\"penalty\":\"l1\"") && strstr(info, "\"max_features\":6") &&
              strstr(info, "\"cv_roc_auc_before\":0."),
          "penalty and pruning in info: %s", info ? info : "");
    ls_string_free(info);
    ls_model_free(l1);
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"churn\", \"l1_ratio\": 0.5}", &l1),
                 LS_STATUS_INVALID_INPUT, "l1_ratio is for penalty elasticnet");
    /* max_model_bytes reports the limit and the size; a limit no model meets fails. */
    ls_model *sized = NULL;
    CHECK_OK(ls_train_csv(csv,
                          "{\"target\": \"churn\", \"cv\": 0, \"insights\": false,"
                          " \"max_model_bytes\": 100000000}",
                          &sized));
    if (!sized) return;
    info = NULL;
    CHECK_OK(ls_model_info_json(sized, &info));
    CHECK(info && strstr(info, "\"max_model_bytes\":100000000") && strstr(info, "\"model_bytes\":") &&
              strstr(info, "\"dropped_count\":0"),
          "byte limit in info: %s", info ? info : "");
    ls_string_free(info);
    ls_model_free(sized);
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"churn\", \"cv\": 0, \"max_model_bytes\": 100}", &sized),
                 LS_STATUS_INVALID_INPUT, "max_model_bytes = 100 is less than the smallest model");

    /* A threshold policy chooses the cut on held-out predictions and says so. */
    ls_model *top = NULL;
    CHECK_OK(ls_train_csv(csv,
                          "{\"target\": \"churn\", \"cv\": 2, \"threads\": 1, \"insights\": false,"
                          " \"threshold\": \"top_share=0.1\"}",
                          &top));
    if (top) {
        char *ev = NULL;
        CHECK_OK(ls_model_evaluation_json(top, &ev));
        CHECK(ev && strstr(ev, "\"policy\":\"top_share=0.1\"") && strstr(ev, "\"flagged_per_1000\":"),
              "policy in the evaluation: %.300s", ev ? ev : "");
        ls_string_free(ev);
        ev = NULL;
        CHECK_OK(ls_model_info_json(top, &ev));
        CHECK(ev && strstr(ev, "\"threshold_policy\":\"top_share=0.1\""), "policy in info: %.300s", ev ? ev : "");
        ls_string_free(ev);
        ls_model_free(top);
    }
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"churn\", \"cv\": 0, \"threshold\": \"max_f1\"}", &top),
                 LS_STATUS_INVALID_INPUT, "chooses its cut on held-out predictions");
    CHECK_STATUS(ls_train_csv(csv, "{\"target\": \"churn\", \"threshold\": \"precision>=2\"}", &top),
                 LS_STATUS_INVALID_INPUT, "is not a number in (0, 1]");

    /* Insights: stored in a trained model, "null" when left out, and on demand. */
    ls_model *with = NULL, *without = NULL;
    CHECK_OK(ls_train_csv(csv, "{\"target\": \"churn\", \"cv\": 0}", &with));
    CHECK_OK(ls_train_csv(csv, "{\"target\": \"churn\", \"cv\": 0, \"insights\": false}", &without));
    if (with && without) {
        char *ins = NULL;
        CHECK_OK(ls_model_insights_json(with, &ins));
        CHECK(ins && strstr(ins, "\"name\":\"tenure\"") && strstr(ins, "\"kendall_tau_b\""),
              "stored insights: %.200s", ins ? ins : "");
        ls_string_free(ins);
        ins = NULL;
        CHECK_OK(ls_model_insights_json(without, &ins));
        CHECK(ins && strcmp(ins, "null") == 0, "no insights: %s", ins ? ins : "");
        ls_string_free(ins);
    }
    ls_model_free(with);
    ls_model_free(without);
    char *ins = NULL;
    CHECK_OK(ls_insights_csv(csv, "{\"target\": \"churn\", \"bins\": 5}", &ins));
    CHECK(ins && strstr(ins, "\"columns\"") && strstr(ins, "\"summary\""), "insights: %.200s", ins ? ins : "");
    ls_string_free(ins);
    CHECK_STATUS(ls_insights_csv(csv, "{\"target\": \"churn\", \"bins\": 1}", &ins),
                 LS_STATUS_INVALID_INPUT, "bins");
    ls_batch *rows = NULL;
    CHECK_OK(ls_batch_new(&rows));
    for (int i = 0; i < 200; i++) {
        CHECK_OK(ls_batch_set_f64(rows, KEY("calls"), (double)(i % 17)));
        CHECK_OK(ls_batch_set_bool(rows, KEY("won"), (i % 17) > 8));
        CHECK_OK(ls_batch_end_row(rows));
    }
    ins = NULL;
    CHECK_OK(ls_insights_batch(rows, "{\"target\": \"won\"}", &ins));
    CHECK(ins && strstr(ins, "\"leak\""), "calls predicts won exactly: %.300s", ins ? ins : "");
    ls_string_free(ins);

    /* Search: the result as JSON, the refitted best model when asked for. */
    char *found = NULL;
    ls_model *best = NULL;
    CHECK_OK(ls_search_csv(csv,
                           "{\"target\": \"churn\", \"method\": \"random\", \"trials\": 3, \"cv\": 2,"
                           " \"penalty\": \"l2\", \"refit\": true, \"insights\": false}",
                           &found, &best));
    CHECK(found && strstr(found, "\"trials_run\":3") && strstr(found, "\"best\":{"),
          "search result: %.300s", found ? found : "");
    CHECK(best != NULL, "refit gives the best model");
    if (best) {
        char *info = NULL;
        CHECK_OK(ls_model_info_json(best, &info));
        CHECK(info && strstr(info, "\"penalty\":\"l2\""), "refitted: %.200s", info ? info : "");
        ls_string_free(info);
    }
    ls_model_free(best);
    ls_string_free(found);
    found = NULL;
    best = (ls_model *)(uintptr_t)1; /* set to NULL without refit */
    CHECK_OK(ls_search_batch(rows,
                             "{\"target\": \"won\", \"method\": \"grid\", \"trials\": 2, \"cv\": 2,"
                             " \"min_rows\": 50, \"min_positives\": 10, \"c\": [0.1, 10]}",
                             &found, &best));
    CHECK(best == NULL, "no model without refit");
    CHECK(found && strstr(found, "\"method\":\"grid\"") && strstr(found, "\"trials_run\":2"),
          "batch search: %.300s", found ? found : "");
    ls_string_free(found);
    found = NULL;
    CHECK_OK(ls_search_batch(rows, "{\"target\": \"won\", \"trials\": 1, \"cv\": 2, \"min_rows\": 50,"
                                   " \"min_positives\": 10}", &found, NULL));
    ls_string_free(found);
    CHECK_STATUS(ls_search_batch(rows, "{\"target\": \"won\", \"trials\": 0}", &found, NULL),
                 LS_STATUS_INVALID_INPUT, "option \"trials\" must be from 1 to 10000");
    CHECK_STATUS(ls_search_batch(rows, "{\"target\": \"won\", \"refit\": true}", &found, NULL),
                 LS_STATUS_INVALID_INPUT, "out_model is NULL");
    CHECK_STATUS(ls_search_csv(csv, "{\"target\": \"churn\"}", NULL, NULL), LS_STATUS_NULL_ARGUMENT,
                 "out_json");
    ls_batch_free(rows);
}

#define THREADS 8
#define ROUNDS 2000
typedef struct {
    const ls_model *model;
    int errors;
} worker_arg;

static void *worker(void *p) {
    worker_arg *a = p;
    ls_record *r = NULL;
    if (ls_record_new(a->model, &r) != LS_STATUS_OK) {
        a->errors++;
        return NULL;
    }
    for (int round = 0; round < ROUNDS; round++) {
        ls_score s;
        ls_record_clear(r);
        set_record21(r);
        if (ls_model_score(a->model, r, &s) != LS_STATUS_OK || fabs(s.probability - expected[21]) > 1e-12)
            a->errors++;
        size_t i = (size_t)round % n_records;
        if (ls_model_score_json_record(a->model, records[i], strlen(records[i]), &s) != LS_STATUS_OK ||
            fabs(s.probability - expected[i]) > 1e-12)
            a->errors++;
        /* Errors stay per thread. */
        if (ls_model_score_json_record(a->model, KEY("{\"tenure\": \"x\"}"), &s) != LS_STATUS_INVALID_INPUT ||
            strstr(ls_last_error_message(), "tenure") == NULL)
            a->errors++;
    }
    ls_record_free(r);
    return NULL;
}

static void test_threads(void) {
    ls_model *m = NULL;
    CHECK_OK(ls_model_load(model_path, &m));
    pthread_t th[THREADS];
    worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i].model = m;
        args[i].errors = 0;
        CHECK(pthread_create(&th[i], NULL, worker, &args[i]) == 0, "thread %d", i);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK(args[i].errors == 0, "thread %d: %d errors", i, args[i].errors);
    }
    ls_model_free(m);
}

/* A small second model (fields calls/source), different from the golden one. */
static ls_model *small_model(void) {
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    for (int i = 0; i < 600; i++) {
        CHECK_OK(ls_batch_set_f64(b, KEY("calls"), (double)(i % 17)));
        CHECK_OK(ls_batch_set_bool(b, KEY("won"), (i % 17) > 8 ? (i % 5 != 0) : (i % 7 == 0)));
        CHECK_OK(ls_batch_end_row(b));
    }
    ls_model *m = NULL;
    CHECK_OK(ls_train_batch(b, "{\"target\": \"won\", \"cv\": 0, \"min_rows\": 100}", &m));
    ls_batch_free(b);
    return m;
}


static void test_store(const char *work) {
    char root[2048], path[4096], path2[4096];
    snprintf(root, sizeof root, "%.2000s/store", work);
    ls_model *golden = NULL;
    CHECK_OK(ls_model_load(model_path, &golden));
    ls_store *st = NULL;
    CHECK_OK(ls_store_open(root, "{\"checkInterval\": 0, \"cache_bytes\": 10000000, \"driftFlushInterval\": null}", &st));
    if (!st || !golden) return;
    CHECK_OK(ls_store_save(st, KEY("acme"), NULL, golden));
    CHECK_OK(ls_store_save(st, KEY("globex"), "lead", golden));
    CHECK_OK(ls_store_save(st, KEY("_global"), NULL, golden));

    /* The tenant's own model answers with the fixture's probabilities. */
    ls_store_score s;
    for (size_t i = 0; i < n_records; i++) {
        CHECK_OK(ls_store_score_json(st, KEY("acme"), NULL, records[i], strlen(records[i]), &s));
        CHECK(fabs(s.score.probability - expected[i]) <= 1e-12, "store record %zu: %.17g vs %.17g", i,
              s.score.probability, expected[i]);
        CHECK(s.source == LS_SOURCE_TENANT && s.reason == LS_FALLBACK_NONE, "source %d reason %d",
              (int)s.source, (int)s.reason);
    }
    /* An unknown tenant: the fallback, because it has no model. */
    CHECK_OK(ls_store_score_json(st, KEY("initech"), "lead", records[3], strlen(records[3]), &s));
    CHECK(s.source == LS_SOURCE_FALLBACK && s.reason == LS_FALLBACK_NO_MODEL, "source %d reason %d",
          (int)s.source, (int)s.reason);
    CHECK(fabs(s.score.probability - expected[3]) <= 1e-12, "fallback %.17g", s.score.probability);
    /* A tenant marked as having too little data. */
    snprintf(path, sizeof path, "%s/thin", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/thin/lead.json", root);
    write_text(path, "{\"status\":\"insufficient_data\"}");
    CHECK_OK(ls_store_score_json(st, KEY("thin"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.source == LS_SOURCE_FALLBACK && s.reason == LS_FALLBACK_INSUFFICIENT_DATA, "reason %d",
          (int)s.reason);

    /* explain: the explanation plus where it came from. */
    char *json = NULL;
    CHECK_OK(ls_store_explain_json(st, KEY("thin"), NULL, records[0], strlen(records[0]), 3, &json));
    CHECK(json && strstr(json, "\"source\":\"fallback\"") && strstr(json, "\"fallback_reason\":\"insufficient_data\"") &&
              strstr(json, "\"positive\""),
          "%s", json ? json : "(null)");
    ls_string_free(json);
    json = NULL;
    CHECK_OK(ls_store_explain_json(st, KEY("acme"), NULL, records[0], strlen(records[0]), 3, &json));
    CHECK(json && strstr(json, "\"source\":\"tenant\"") && strstr(json, "\"fallback_reason\":null"), "%s",
          json ? json : "(null)");
    ls_string_free(json);

    /* A record not tied to a model, through the store: the same answers as JSON. */
    ls_record *any = NULL;
    CHECK_OK(ls_record_new_any(&any));
    set_record0(any);
    CHECK_OK(ls_record_set_invalid(any, KEY("unread_list"), "arrays are not field values"));
    CHECK_OK(ls_store_score_record(st, KEY("acme"), NULL, any, &s));
    CHECK(fabs(s.score.probability - expected[0]) <= 1e-12 && s.source == LS_SOURCE_TENANT,
          "store record: %.17g", s.score.probability);
    CHECK_OK(ls_store_score_record(st, KEY("nobody"), NULL, any, &s));
    CHECK(fabs(s.score.probability - expected[0]) <= 1e-12 && s.source == LS_SOURCE_FALLBACK,
          "store record via fallback: %.17g", s.score.probability);
    CHECK_OK(ls_store_explain_record_json(st, KEY("acme"), NULL, any, 3, &json));
    CHECK(json && strstr(json, "\"tenure = 1\"") && strstr(json, "\"source\":\"tenant\""), "%s",
          json ? json : "(null)");
    ls_string_free(json);
    json = NULL;
    CHECK_OK(ls_record_set_invalid(any, KEY("tenure"), NULL));
    CHECK_STATUS(ls_store_score_record(st, KEY("acme"), NULL, any, &s), LS_STATUS_INVALID_INPUT,
                 "field \"tenure\"");
    CHECK_STATUS(ls_store_score_record(st, KEY("acme"), NULL, NULL, &s), LS_STATUS_NULL_ARGUMENT,
                 "\"record\"");
    ls_record_free(any);

    /* get: a model handle sharing the store's model. */
    ls_model *got = NULL;
    ls_source src = LS_SOURCE_TENANT;
    ls_fallback_reason why = LS_FALLBACK_NONE;
    CHECK_OK(ls_store_get(st, KEY("nobody"), NULL, &got, &src, &why));
    CHECK(src == LS_SOURCE_FALLBACK && why == LS_FALLBACK_NO_MODEL, "get %d %d", (int)src, (int)why);
    ls_score plain;
    CHECK_OK(ls_model_score_json_record(got, records[5], strlen(records[5]), &plain));
    CHECK(fabs(plain.probability - expected[5]) <= 1e-12, "got model %.17g", plain.probability);

    /* Errors: bad tenant names, a bad record, no model and no fallback, bad options. */
    CHECK_STATUS(ls_store_score_json(st, KEY("../etc"), NULL, KEY("{}"), &s), LS_STATUS_INVALID_INPUT, "tenant");
    CHECK_STATUS(ls_store_score_json(st, KEY("a/b"), NULL, KEY("{}"), &s), LS_STATUS_INVALID_INPUT, "tenant");
    CHECK_STATUS(ls_store_score_json(st, KEY("acme"), "x/y", KEY("{}"), &s), LS_STATUS_INVALID_INPUT, "model");
    CHECK_STATUS(ls_store_score_json(st, KEY("acme"), NULL, KEY("{\"tenure\": \"x\"}"), &s), LS_STATUS_INVALID_INPUT,
                 "tenure");
    CHECK_STATUS(ls_store_score_json(st, KEY("acme"), "other", KEY("{}"), &s), LS_STATUS_NOT_FOUND, "acme");
    CHECK(strcmp(ls_status_name(LS_STATUS_NOT_FOUND), "NOT_FOUND") == 0, "name");
    CHECK_STATUS(ls_store_score_json(NULL, KEY("acme"), NULL, KEY("{}"), &s), LS_STATUS_NULL_ARGUMENT, "\"store\"");
    CHECK_STATUS(ls_store_score_json(st, KEY("acme"), NULL, KEY("{}"), NULL), LS_STATUS_NULL_ARGUMENT, "\"out\"");
    CHECK_STATUS(ls_store_stats_json(st, NULL), LS_STATUS_NULL_ARGUMENT, "\"out_json\"");
    ls_store *bad = NULL;
    CHECK_STATUS(ls_store_open(root, "{\"colour\": 1}", &bad), LS_STATUS_INVALID_INPUT, "colour");
    CHECK_STATUS(ls_store_open(root, "{\"check_interval\": -1}", &bad), LS_STATUS_INVALID_INPUT, "check_interval");
    CHECK(bad == NULL, "no store on failure");
    ls_store *nofb = NULL;
    CHECK_OK(ls_store_open(root, "{\"fallback\": false}", &nofb));
    CHECK_STATUS(ls_store_score_json(nofb, KEY("initech"), NULL, KEY("{}"), &s), LS_STATUS_NOT_FOUND, "initech");
    ls_store_close(nofb);

    /* stats count the scores. */
    CHECK_OK(ls_store_stats_json(st, &json));
    CHECK(json && strstr(json, "\"acme\":{") && strstr(json, "\"cached_models\""), "%s", json ? json : "(null)");
    char want[64];
    /* 24 JSON scores + 1 explain, 1 record score + 1 record explain. */
    snprintf(want, sizeof want, "\"scores\":%zu", n_records + 3);
    CHECK(json && strstr(strstr(json, "\"acme\":{"), want), "acme %s in %s", want, json ? json : "(null)");
    ls_string_free(json);

    /* Replacing a tenant's file on disk is picked up (check interval 0). */
    ls_model *small = small_model();
    CHECK_OK(ls_store_save(st, KEY("beta"), NULL, small));
    snprintf(path, sizeof path, "%s/beta/lead.lsm", root);
    snprintf(path2, sizeof path2, "%s/globex/lead.lsm", root);
    CHECK_OK(ls_store_score_json(st, KEY("globex"), NULL, records[0], strlen(records[0]), &s));
    CHECK(fabs(s.score.probability - expected[0]) <= 1e-12, "before %.17g", s.score.probability);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/globex/lead.lsm.tmp", root);
    size_t blen = 0;
    char *bytes = read_file(path, &blen);
    FILE *f = fopen(tmp, "wb");
    CHECK(f && bytes && fwrite(bytes, 1, blen, f) == blen, "copy");
    if (f) fclose(f);
    free(bytes);
    CHECK(rename(tmp, path2) == 0, "rename");
    ls_score direct;
    CHECK_OK(ls_model_score_json_record(small, records[0], strlen(records[0]), &direct));
    CHECK_OK(ls_store_score_json(st, KEY("globex"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.score.probability == direct.probability && fabs(s.score.probability - expected[0]) > 1e-6,
          "after replace %.17g, small model %.17g", s.score.probability, direct.probability);
    /* The handle taken before stays the old model. */
    CHECK_OK(ls_model_score_json_record(got, records[5], strlen(records[5]), &plain));
    CHECK(fabs(plain.probability - expected[5]) <= 1e-12, "old handle %.17g", plain.probability);

    CHECK_OK(ls_store_flush_drift(st));
    CHECK_STATUS(ls_store_flush_drift(NULL), LS_STATUS_NULL_ARGUMENT, "\"store\"");
    ls_store_close(st);
    ls_store_close(st); /* detected, ignored */
    CHECK(strstr(ls_last_error_message(), "ls_store_close") != NULL, "%s", ls_last_error_message());
    ls_store_close(NULL);
    /* A model handle outlives its store. */
    CHECK_OK(ls_model_score_json_record(got, records[5], strlen(records[5]), &plain));
    ls_model_free(got);
    ls_model_free(small);
    ls_model_free(golden);
}

/* The report of every fixture set is the committed page, byte for byte (the sets
 * of tests/fixtures/fixtures.json); the compact fragment and bad options. */
static void test_report(const char *root) {
    static const char *sets[] = {"wa_churn_v1", "demo_recipe_v2", "demo_l1_v3", "demo_policy_v4", "demo_bytes_v5"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char path[4096], want_path[4096];
        snprintf(path, sizeof path, "%s/tests/fixtures/models/%s.lsm", root, sets[i]);
        snprintf(want_path, sizeof want_path, "%s/tests/fixtures/expected/%s.report.html", root, sets[i]);
        ls_model *m = NULL;
        CHECK_OK(ls_model_load(path, &m));
        char *html = NULL;
        CHECK_OK(ls_model_report_html(m, NULL, &html));
        size_t want_len = 0;
        char *want = read_file(want_path, &want_len);
        CHECK(want && html && strlen(html) == want_len && memcmp(html, want, want_len) == 0,
              "%s: the report differs from %s", sets[i], want_path);
        free(want);
        ls_string_free(html);
        if (i + 1 == sizeof sets / sizeof sets[0]) {
            CHECK_OK(ls_model_report_html(m, "{\"compact\": true, \"title\": \"Acme\"}", &html));
            CHECK(html && strncmp(html, "<style>", 7) == 0 && strstr(html, "Acme") && !strstr(html, "<html"),
                  "compact fragment");
            ls_string_free(html);
            html = NULL;
            CHECK_STATUS(ls_model_report_html(m, "{\"compact\": 1}", &html), LS_STATUS_INVALID_INPUT,
                         "\"compact\"");
            CHECK(html == NULL, "no output on failure");
            CHECK_STATUS(ls_model_report_html(NULL, NULL, &html), LS_STATUS_NULL_ARGUMENT, "\"model\"");
            CHECK_STATUS(ls_model_report_html(m, NULL, NULL), LS_STATUS_NULL_ARGUMENT, "\"out_html\"");
        }
        ls_model_free(m);
    }
}

/* Mass training through a store: the cross-language fixture tests/fixtures/mass.json
 * (its options, and each tenant's status, rows, positives and ROC AUC), progress on
 * the calling thread, a batch, drift, and marking a tenant as having too little data. */
static pthread_t progress_thread;
static int progress_calls = 0;
static int progress_elsewhere = 0;
static void on_progress(void *user, const ls_mass_progress *p) {
    int *last = (int *)user;
    progress_calls++;
    if (!pthread_equal(pthread_self(), progress_thread)) progress_elsewhere++;
    CHECK(p->done > (size_t)*last && p->done <= p->total && p->total == 3, "progress %zu/%zu", p->done, p->total);
    *last = (int)p->done;
}

static void test_mass(const char *root, const char *work) {
    char dir[2048], data[4096];
    snprintf(dir, sizeof dir, "%.2000s/mass", work);
    snprintf(data, sizeof data, "%s/examples/data/wa_churn.csv", root);
    ls_store *st = NULL;
    CHECK_OK(ls_store_open(dir, "{\"checkInterval\": 0}", &st));
    if (!st) return;
    char *json = NULL;
    int last = 0;
    progress_thread = pthread_self();
    CHECK_OK(ls_store_train_tenants(st, data, "{\"target\": \"churn\", \"by\": \"contract\", \"cv\": 2, \"minRows\": 1000, \"threads\": 2}",
                                    on_progress, &last, &json));
    CHECK(progress_calls == 3 && progress_elsewhere == 0, "%d progress calls, %d off the calling thread", progress_calls,
          progress_elsewhere);
    static const char *want[] = {
        "{\"tenant\":\"Month-to-month\",\"status\":\"trained\",\"rows\":3875,\"positives\":1655,\"roc_auc\":0.7575505227639711,",
        "{\"tenant\":\"One year\",\"status\":\"trained\",\"rows\":1473,\"positives\":166,\"roc_auc\":0.7093086791438483,",
        "{\"tenant\":\"Two year\",\"status\":\"insufficient_data\",\"rows\":1695,\"positives\":48,\"roc_auc\":null,",
        "\"global\":{\"tenant\":\"_global\",\"status\":\"trained\",\"rows\":7043,\"positives\":1869,\"roc_auc\":0.841909300505294,",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK(json && strstr(json, want[i]), "summary lacks %s: %s", want[i], json ? json : "(null)");
    ls_string_free(json);
    char path[4096];
    snprintf(path, sizeof path, "%s/_training.json", dir);
    char *report = read_file(path, NULL);
    CHECK(report && strstr(report, "\"Month-to-month\""), "no run report at %s", path);
    free(report);

    /* The store answers at once: the tenant's model, the too-small tenant's reason. */
    ls_store_score s;
    CHECK_OK(ls_store_score_json(st, KEY("One year"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.source == LS_SOURCE_TENANT, "source %d", (int)s.source);
    CHECK_OK(ls_store_score_json(st, KEY("Two year"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.source == LS_SOURCE_FALLBACK && s.reason == LS_FALLBACK_INSUFFICIENT_DATA, "reason %d", (int)s.reason);

    /* Marking a tenant; bad marks. */
    CHECK_OK(ls_store_score_json(st, KEY("newco"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.reason == LS_FALLBACK_NO_MODEL, "reason %d", (int)s.reason);
    CHECK_OK(ls_store_mark_insufficient(st, KEY("newco"), NULL, 120, 4));
    CHECK_OK(ls_store_score_json(st, KEY("newco"), NULL, records[0], strlen(records[0]), &s));
    CHECK(s.reason == LS_FALLBACK_INSUFFICIENT_DATA, "reason %d", (int)s.reason);
    CHECK_STATUS(ls_store_mark_insufficient(st, KEY("newco"), NULL, 1, 2), LS_STATUS_INVALID_INPUT, "exceed");
    CHECK_STATUS(ls_store_mark_insufficient(st, KEY("_global"), NULL, 1, 0), LS_STATUS_INVALID_INPUT, "reserved");

    /* Drift: every model, worst first; too few scores yet. */
    json = NULL;
    CHECK_OK(ls_store_drift_json(st, NULL, NULL, &json));
    CHECK(json && json[0] == '[' && strstr(json, "\"tenant\":\"One year\"") && strstr(json, "\"status\":\"too_few_scores\""),
          "%s", json ? json : "(null)");
    ls_string_free(json);
    json = NULL;
    CHECK_OK(ls_store_drift_json(st, "lead", "One year", &json));
    CHECK(json && !strstr(json, "Month-to-month"), "%s", json ? json : "(null)");
    ls_string_free(json);

    /* Bad options name the option; a batch without the tenant column names it. */
    json = NULL;
    CHECK_STATUS(ls_store_train_tenants(st, data, "{\"target\": \"churn\", \"by\": \"contract\", \"globalMaxRows\": -1}", NULL,
                                        NULL, &json),
                 LS_STATUS_INVALID_INPUT, "global_max_rows");
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    for (int i = 0; i < 30; i++) {
        CHECK_OK(ls_batch_set_str(b, KEY("org"), i % 3 ? "north" : "south", 5));
        CHECK_OK(ls_batch_set_f64(b, KEY("calls"), (double)(i % 7)));
        CHECK_OK(ls_batch_set_f64(b, KEY("won"), (double)(i % 2)));
        CHECK_OK(ls_batch_end_row(b));
    }
    CHECK_STATUS(ls_store_train_tenants_batch(st, b, "{\"target\": \"won\", \"by\": \"region\"}", NULL, NULL, &json),
                 LS_STATUS_UNKNOWN_COLUMN, "region");
    CHECK_OK(ls_store_train_tenants_batch(st, b, "{\"target\": \"won\", \"by\": \"org\", \"name\": \"deal\"}", NULL, NULL, &json));
    CHECK(json && strstr(json, "\"tenant\":\"north\",\"status\":\"insufficient_data\",\"rows\":20") &&
              strstr(json, "\"tenant\":\"south\",\"status\":\"insufficient_data\",\"rows\":10"),
          "%s", json ? json : "(null)");
    ls_string_free(json);
    ls_batch_free(b);
    ls_store_close(st);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s REPO_ROOT EXPECTED_PROBABILITIES WORK_DIR\n", argv[0]);
        return 2;
    }
    load_fixtures(argv[1], argv[2]);
    test_versions();
    test_round_trip(argv[3]);
    test_errors(argv[3]);
    test_train(argv[1]);
    test_store(argv[3]);
    test_mass(argv[1], argv[3]);
    test_threads();
    test_report(argv[1]);
    for (size_t i = 0; i < n_records; i++) free(records[i]);
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
