/* The C side of bench/php_score.php: per-lead latency of the C ABI alone on the
 * same model and leads. Reads the leads file php_score.php writes (one lead per
 * line, tab-separated fields `name=<type><value>` with type n number, s string,
 * b boolean, m missing) and prints one JSON object with median nanoseconds per lead:
 *   build_and_score  ls_record_clear + one ls_record_set_* per field + ls_model_score
 *   score_only       ls_model_score on a record already filled
 * and the sum of the leads' probabilities (php_score.php checks it).
 * Usage: php_score_c MODEL.lsm LEADS.txt */
#define _POSIX_C_SOURCE 200809L
#include "leadscore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LEADS 256
#define MAX_FIELDS 64
#define BATCH 100
#define BATCHES 1000

typedef struct {
    char *key;
    size_t key_len;
    char type;
    double num;
    char *str;
    size_t str_len;
} field;

typedef struct {
    field fields[MAX_FIELDS];
    int n;
} lead;

static lead leads[MAX_LEADS];
static int n_leads = 0;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, ls_last_error_message());
    exit(1);
}

static void fill(ls_record *r, const lead *l) {
    if (ls_record_clear(r) != LS_STATUS_OK) die("clear");
    for (int i = 0; i < l->n; i++) {
        const field *f = &l->fields[i];
        ls_status st = LS_STATUS_OK;
        switch (f->type) {
        case 'n': st = ls_record_set_f64(r, f->key, f->key_len, f->num); break;
        case 's': st = ls_record_set_str(r, f->key, f->key_len, f->str, f->str_len); break;
        case 'b': st = ls_record_set_bool(r, f->key, f->key_len, f->num != 0.0); break;
        default: st = ls_record_set_missing(r, f->key, f->key_len); break;
        }
        if (st != LS_STATUS_OK) die("set");
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL.lsm LEADS.txt\n", argv[0]);
        return 2;
    }
    ls_model *m = NULL;
    if (ls_model_load(argv[1], &m) != LS_STATUS_OK) die("load");
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0 && n_leads < MAX_LEADS) {
        lead *l = &leads[n_leads++];
        char *save = NULL;
        for (char *tok = strtok_r(line, "\t\n", &save); tok && l->n < MAX_FIELDS; tok = strtok_r(NULL, "\t\n", &save)) {
            char *eq = strchr(tok, '=');
            if (!eq) continue;
            field *fd = &l->fields[l->n++];
            fd->key = strndup(tok, (size_t)(eq - tok));
            fd->key_len = (size_t)(eq - tok);
            fd->type = eq[1];
            fd->str = strdup(eq + 2);
            fd->str_len = strlen(fd->str);
            fd->num = strtod(fd->str, NULL);
        }
    }
    free(line);
    fclose(f);

    ls_record *r = NULL;
    if (ls_record_new(m, &r) != LS_STATUS_OK) die("record");
    ls_score s;
    double sum = 0.0;
    for (int i = 0; i < n_leads; i++) {
        fill(r, &leads[i]);
        if (ls_model_score(m, r, &s) != LS_STATUS_OK) die("score");
        sum += s.probability;
    }

    static double t_build[BATCHES], t_score[BATCHES];
    volatile double sink = 0.0;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            fill(r, &leads[i % n_leads]);
            ls_model_score(m, r, &s);
            sink += s.probability;
        }
        t_build[b] = (now_ns() - t0) / BATCH;
    }
    fill(r, &leads[0]);
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            ls_model_score(m, r, &s);
            sink += s.probability;
        }
        t_score[b] = (now_ns() - t0) / BATCH;
    }
    qsort(t_build, BATCHES, sizeof(double), cmp_double);
    qsort(t_score, BATCHES, sizeof(double), cmp_double);
    printf("{\"build_and_score_ns\": %.1f, \"score_only_ns\": %.1f, \"sum\": %.17g, \"leads\": %d}\n",
           t_build[BATCHES / 2], t_score[BATCHES / 2], sum, n_leads);
    ls_record_free(r);
    ls_model_free(m);
    for (int i = 0; i < n_leads; i++)
        for (int j = 0; j < leads[i].n; j++) {
            free(leads[i].fields[j].key);
            free(leads[i].fields[j].str);
        }
    (void)sink;
    return 0;
}
