/* The C ABI on every cross-language fixture set (tests/fixtures/fixtures.json): each
 * set's model scores and explains its records through every path of the ABI (JSON
 * record, record builder, batch), and a set that says how it was trained is trained
 * again with ls_train_csv. The answers are written as JSON lines; the test script
 * compares them with the expected values (tests/conformance/check.py).
 *
 * Usage: conformance SPEC OUT
 *   SPEC, written by bindings-c/test.sh from the manifest, one directive a line:
 *     set NAME | model PATH | records PATH (JSON Lines) | typed PATH | train CSV OPTIONS_FILE
 *     | bad MODEL TYPED NAMES
 *   where the typed file holds the same records for the builder and batch paths, one
 *   field a line (N name number | S name text | B name 0/1 | M name; tab-separated,
 *   text with \t \n \\ escaped), a blank line after each record. A `bad` line names
 *   the bad values of tests/fixtures/bad_values.json the ABI can express: typed pairs
 *   (the case's record, then the same lead written plainly) and the cases' names; each
 *   is answered through the builder, a batch and a store (error code and message, or
 *   the probability beside the plain twin's). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore.h"
#include "read_file.h"

#define MAX_RECORDS 256
#define MAX_FIELDS 64

static int failures = 0;

#define CHECK_OK(call)                                                                     \
    do {                                                                                   \
        ls_status st_ = (call);                                                            \
        if (st_ != LS_STATUS_OK) {                                                         \
            fprintf(stderr, "%s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #call,           \
                    ls_status_name(st_), ls_last_error_message());                         \
            failures++;                                                                    \
        }                                                                                  \
    } while (0)

typedef struct {
    char kind; /* N S B M */
    char *name;
    char *text;
    double num;
} field;

typedef struct {
    field f[MAX_FIELDS];
    size_t n;
} typed_record;

/* Undoes the typed file's escapes in place. */
static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static size_t read_typed(const char *path, typed_record *out) {
    char *text = read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    size_t n = 0;
    typed_record *cur = &out[0];
    cur->n = 0;
    char *line = text;
    while (line && *line != '\0' && n < MAX_RECORDS) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (*line == '\0') {
            n++;
            if (n < MAX_RECORDS) out[n].n = 0;
            cur = &out[n];
        } else if (cur->n < MAX_FIELDS) {
            field *f = &cur->f[cur->n++];
            f->kind = line[0];
            char *name = line + 2;
            char *value = strchr(name, '\t');
            if (value) *value++ = '\0';
            unescape(name);
            f->name = strdup(name);
            f->text = NULL;
            f->num = 0.0;
            if (f->kind == 'S' && value) {
                unescape(value);
                f->text = strdup(value);
            } else if ((f->kind == 'N' || f->kind == 'B') && value) {
                f->num = strtod(value, NULL);
            }
        }
        line = next;
    }
    free(text);
    return n;
}

static void free_typed(typed_record *r, size_t n) {
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r[i].n; j++) {
            free(r[i].f[j].name);
            free(r[i].f[j].text);
        }
    }
}

static void set_record(ls_record *r, const typed_record *t) {
    for (size_t j = 0; j < t->n; j++) {
        const field *f = &t->f[j];
        size_t kl = strlen(f->name);
        switch (f->kind) {
        case 'N': CHECK_OK(ls_record_set_f64(r, f->name, kl, f->num)); break;
        case 'S': CHECK_OK(ls_record_set_str(r, f->name, kl, f->text, strlen(f->text))); break;
        case 'B': CHECK_OK(ls_record_set_bool(r, f->name, kl, f->num != 0.0)); break;
        default: CHECK_OK(ls_record_set_missing(r, f->name, kl)); break;
        }
    }
}

static void set_batch_row(ls_batch *b, const typed_record *t) {
    for (size_t j = 0; j < t->n; j++) {
        const field *f = &t->f[j];
        size_t kl = strlen(f->name);
        switch (f->kind) {
        case 'N': CHECK_OK(ls_batch_set_f64(b, f->name, kl, f->num)); break;
        case 'S': CHECK_OK(ls_batch_set_str(b, f->name, kl, f->text, strlen(f->text))); break;
        case 'B': CHECK_OK(ls_batch_set_bool(b, f->name, kl, f->num != 0.0)); break;
        default: CHECK_OK(ls_batch_set_missing(b, f->name, kl)); break;
        }
    }
    CHECK_OK(ls_batch_end_row(b));
}

static void print_probs(FILE *out, const char *set, const char *path, const double *p, size_t n) {
    fprintf(out, "{\"set\": \"%s\", \"path\": \"%s\", \"probabilities\": [", set, path);
    for (size_t i = 0; i < n; i++) fprintf(out, "%s%.17g", i ? ", " : "", p[i]);
    fprintf(out, "]}\n");
}

/* Scores and explains the records through every path of the ABI. */
static void run_model(FILE *out, const char *set, const char *path_name, ls_model *m,
                      char **json, size_t n_json, const typed_record *typed, size_t n_typed,
                      const char *work) {
    static double p[MAX_RECORDS];
    char name[64];
    /* JSON records, with their explanations. */
    for (size_t i = 0; i < n_json; i++) {
        ls_score s = {0};
        CHECK_OK(ls_model_score_json_record(m, json[i], strlen(json[i]), &s));
        p[i] = s.probability;
    }
    snprintf(name, sizeof name, "%sjson", path_name);
    print_probs(out, set, name, p, n_json);
    fprintf(out, "{\"set\": \"%s\", \"path\": \"%sjson\", \"explain_k3\": [", set, path_name);
    for (size_t i = 0; i < n_json; i++) {
        char *e = NULL;
        CHECK_OK(ls_model_explain_json_record(m, json[i], strlen(json[i]), 3, &e));
        fprintf(out, "%s%s", i ? ", " : "", e ? e : "null");
        ls_string_free(e);
    }
    fprintf(out, "]}\n");
    /* The record builder, one record reused for every lead: laid out for the model
     * (with explanations), then not tied to a model (read by name). */
    for (int any = 0; any <= 1; any++) {
        ls_record *r = NULL;
        CHECK_OK(any ? ls_record_new_any(&r) : ls_record_new(m, &r));
        snprintf(name, sizeof name, "%s%s", path_name, any ? "any_record" : "builder");
        if (!any) fprintf(out, "{\"set\": \"%s\", \"path\": \"%s\", \"explain_k3\": [", set, name);
        for (size_t i = 0; i < n_typed; i++) {
            CHECK_OK(ls_record_clear(r));
            set_record(r, &typed[i]);
            ls_score s = {0};
            CHECK_OK(ls_model_score(m, r, &s));
            p[i] = s.probability;
            if (any) continue;
            char *e = NULL;
            CHECK_OK(ls_model_explain_json(m, r, 3, &e));
            fprintf(out, "%s%s", i ? ", " : "", e ? e : "null");
            ls_string_free(e);
        }
        if (!any) fprintf(out, "]}\n");
        ls_record_free(r);
        print_probs(out, set, name, p, n_typed);
    }
    /* Through a store: a record not tied to a model, answered by the tenant's. */
    char root[4400];
    snprintf(root, sizeof root, "%s/store-%s-%s", work, set, path_name);
    ls_store *st = NULL;
    CHECK_OK(ls_store_open(root, "{\"drift_flush_interval\": null}", &st));
    CHECK_OK(ls_store_save(st, "acme", 4, NULL, m));
    ls_record *any = NULL;
    CHECK_OK(ls_record_new_any(&any));
    for (size_t i = 0; i < n_typed && st && any; i++) {
        CHECK_OK(ls_record_clear(any));
        set_record(any, &typed[i]);
        ls_store_score s = {0};
        CHECK_OK(ls_store_score_record(st, "acme", 4, NULL, any, &s));
        p[i] = s.score.probability;
    }
    ls_record_free(any);
    ls_store_close(st);
    snprintf(name, sizeof name, "%sstore", path_name);
    print_probs(out, set, name, p, n_typed);
    /* One batch of every record. */
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    for (size_t i = 0; i < n_typed; i++) set_batch_row(b, &typed[i]);
    CHECK_OK(ls_model_score_batch(m, b, p, MAX_RECORDS));
    ls_batch_free(b);
    snprintf(name, sizeof name, "%sbatch", path_name);
    print_probs(out, set, name, p, n_typed);
}

/* `s` as a JSON string. */
static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            fprintf(out, "\\%c", *c);
        } else if (*c < 0x20) {
            fprintf(out, "\\u%04x", *c);
        } else {
            fputc(*c, out);
        }
    }
    fputc('"', out);
}

/* One lead through one path: LS_STATUS_OK and *p, or the error's status. */
typedef enum { PATH_BUILDER, PATH_BATCH, PATH_STORE } bad_path;

static ls_status score_path(bad_path path, ls_model *m, ls_store *st, const typed_record *t,
                            double *p) {
    ls_status status;
    if (path == PATH_BUILDER || path == PATH_STORE) {
        /* The store takes a record not tied to a model: the tenant's is known inside. */
        ls_record *r = NULL;
        if (path == PATH_BUILDER) {
            CHECK_OK(ls_record_new(m, &r));
        } else {
            CHECK_OK(ls_record_new_any(&r));
        }
        status = LS_STATUS_OK;
        for (size_t j = 0; j < t->n && status == LS_STATUS_OK; j++) {
            const field *f = &t->f[j];
            size_t kl = strlen(f->name);
            switch (f->kind) {
            case 'N': status = ls_record_set_f64(r, f->name, kl, f->num); break;
            case 'S': status = ls_record_set_str(r, f->name, kl, f->text, strlen(f->text)); break;
            case 'B': status = ls_record_set_bool(r, f->name, kl, f->num != 0.0); break;
            default: status = ls_record_set_missing(r, f->name, kl); break;
            }
        }
        if (path == PATH_BUILDER) {
            ls_score s = {0};
            if (status == LS_STATUS_OK) status = ls_model_score(m, r, &s);
            *p = s.probability;
        } else {
            ls_store_score s = {0};
            if (status == LS_STATUS_OK) status = ls_store_score_record(st, "acme", 4, NULL, r, &s);
            *p = s.score.probability;
        }
        ls_record_free(r);
        return status;
    }
    ls_batch *b = NULL;
    CHECK_OK(ls_batch_new(&b));
    set_batch_row(b, t);
    status = ls_model_score_batch(m, b, p, 1);
    ls_batch_free(b);
    return status;
}

/* The bad values through the builder, a batch and a store. */
static void run_bad(FILE *out, const char *model_path, const char *typed_path,
                    const char *names_path, const char *work) {
    static typed_record trec[MAX_RECORDS];
    size_t n = read_typed(typed_path, trec);
    char *names = read_file(names_path, NULL);
    if (!names || n % 2 != 0) {
        fprintf(stderr, "bad values: cannot read %s, or %zu typed records (pairs expected)\n",
                names_path, n);
        failures++;
        free(names);
        free_typed(trec, n);
        return;
    }
    char *name_of[MAX_RECORDS / 2];
    size_t n_names = 0;
    char *save = NULL;
    for (char *l = strtok_r(names, "\n", &save); l && n_names < MAX_RECORDS / 2;
         l = strtok_r(NULL, "\n", &save)) {
        name_of[n_names++] = l;
    }
    ls_model *m = NULL;
    CHECK_OK(ls_model_load(model_path, &m));
    char root[4200];
    snprintf(root, sizeof root, "%s/store-bad-values", work);
    ls_store *st = NULL;
    CHECK_OK(ls_store_open(root, "{\"drift_flush_interval\": null}", &st));
    CHECK_OK(ls_store_save(st, "acme", 4, NULL, m));
    const char *path_names[] = {"builder", "batch", "store"};
    for (int path = PATH_BUILDER; path <= PATH_STORE && m && st; path++) {
        fprintf(out, "{\"set\": \"bad_values\", \"path\": \"%s\", \"cases\": [", path_names[path]);
        for (size_t i = 0; i < n / 2 && i < n_names; i++) {
            double p = 0.0, plain = 0.0;
            ls_status status = score_path((bad_path)path, m, st, &trec[2 * i], &p);
            fprintf(out, "%s{\"name\": ", i ? ", " : "");
            json_string(out, name_of[i]);
            if (status == LS_STATUS_OK) {
                fprintf(out, ", \"code\": null, \"probability\": %.17g", p);
            } else {
                fprintf(out, ", \"code\": \"%s\", \"message\": ", ls_status_name(status));
                json_string(out, ls_last_error_message());
            }
            if (score_path((bad_path)path, m, st, &trec[2 * i + 1], &plain) == LS_STATUS_OK) {
                fprintf(out, ", \"same_as_probability\": %.17g}", plain);
            } else {
                fprintf(out, ", \"same_as_probability\": null}");
            }
        }
        fprintf(out, "]}\n");
    }
    ls_store_close(st);
    ls_model_free(m);
    free(names);
    free_typed(trec, n);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: conformance SPEC OUT\n");
        return 2;
    }
    char *spec = read_file(argv[1], NULL);
    FILE *out = fopen(argv[2], "w");
    if (!spec || !out) {
        fprintf(stderr, "cannot read %s or write %s\n", argv[1], argv[2]);
        return 2;
    }
    /* Stores go in the folder of the output file. */
    char work[4096];
    snprintf(work, sizeof work, "%s", argv[2]);
    char *slash = strrchr(work, '/');
    if (slash) *slash = '\0'; else snprintf(work, sizeof work, ".");
    char set[256] = "", model[4096] = "", records[4096] = "", typed[4096] = "";
    char train_csv[4096] = "", train_opts[4096] = "";
    static char *json[MAX_RECORDS];
    static typed_record trec[MAX_RECORDS];
    char *line = spec;
    while (line && *line) {
        char *next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (strncmp(line, "set ", 4) == 0) {
            snprintf(set, sizeof set, "%s", line + 4);
            train_csv[0] = train_opts[0] = '\0';
        } else if (strncmp(line, "model ", 6) == 0) {
            snprintf(model, sizeof model, "%s", line + 6);
        } else if (strncmp(line, "records ", 8) == 0) {
            snprintf(records, sizeof records, "%s", line + 8);
        } else if (strncmp(line, "typed ", 6) == 0) {
            snprintf(typed, sizeof typed, "%s", line + 6);
        } else if (strncmp(line, "train ", 6) == 0) {
            char *sp = strchr(line + 6, ' ');
            if (sp) {
                *sp = '\0';
                snprintf(train_csv, sizeof train_csv, "%s", line + 6);
                snprintf(train_opts, sizeof train_opts, "%s", sp + 1);
            }
        } else if (strncmp(line, "bad ", 4) == 0) {
            char *a = line + 4, *b = strchr(a, ' '), *c = b ? strchr(b + 1, ' ') : NULL;
            if (!b || !c) {
                fprintf(stderr, "bad spec line: %s\n", line);
                failures++;
            } else {
                *b++ = '\0';
                *c++ = '\0';
                run_bad(out, a, b, c, work);
            }
        } else if (strcmp(line, "end") == 0) {
            char *text = read_file(records, NULL);
            if (!text) {
                fprintf(stderr, "cannot read %s\n", records);
                return 2;
            }
            size_t n_json = 0;
            char *save = NULL;
            for (char *l = strtok_r(text, "\n", &save); l && n_json < MAX_RECORDS;
                 l = strtok_r(NULL, "\n", &save)) {
                if (*l) json[n_json++] = strdup(l);
            }
            free(text);
            size_t n_typed = read_typed(typed, trec);
            if (n_typed != n_json) {
                fprintf(stderr, "%s: %zu typed records, %zu JSON records\n", set, n_typed, n_json);
                failures++;
            }
            ls_model *m = NULL;
            CHECK_OK(ls_model_load(model, &m));
            if (m) run_model(out, set, "", m, json, n_json, trec, n_typed, work);
            ls_model_free(m);
            if (train_csv[0]) {
                char *opts = read_file(train_opts, NULL);
                ls_model *t = NULL;
                CHECK_OK(ls_train_csv(train_csv, opts, &t));
                if (t) run_model(out, set, "trained_", t, json, n_json, trec, n_typed, work);
                ls_model_free(t);
                free(opts);
            }
            for (size_t i = 0; i < n_json; i++) free(json[i]);
            free_typed(trec, n_typed);
        }
        line = next;
    }
    free(spec);
    fclose(out);
    if (failures) {
        fprintf(stderr, "conformance: %d calls failed\n", failures);
        return 1;
    }
    return 0;
}
