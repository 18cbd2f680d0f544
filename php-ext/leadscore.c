/* The leadscore PHP extension: LeadScore\Model, LeadScore\Store and the
 * LeadScore\Exception family,
 * a thin layer over the C ABI (bindings-c/include/leadscore.h).
 *
 * A Model object owns one ls_model handle and one scratch ls_record laid out for it,
 * so score() converts a PHP array straight into the record's value slots (no JSON, no
 * allocation for numbers) and frees nothing per call; a Store object keeps one
 * scratch ls_record not tied to a model, which any tenant's model reads by name. Every C failure becomes a
 * LeadScore\Exception subclass carrying the C message and the status as its code. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "ext/json/php_json.h"
#include "ext/spl/spl_exceptions.h"
#include "ext/spl/spl_iterators.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "zend_smart_str.h"

#include "leadscore.h"
#include "php_leadscore.h"
#include "leadscore_arginfo.h"

static zend_class_entry *leadscore_model_ce;
static zend_class_entry *leadscore_exception_ce;
static zend_class_entry *leadscore_invalid_input_ce;
static zend_class_entry *leadscore_model_format_ce;
static zend_class_entry *leadscore_insufficient_data_ce;
static zend_class_entry *leadscore_io_ce;
static zend_class_entry *leadscore_not_found_ce;
static zend_class_entry *leadscore_store_ce;
static zend_object_handlers leadscore_model_handlers;
static zend_object_handlers leadscore_store_handlers;

typedef struct {
    ls_model *model;
    ls_record *scratch; /* laid out for model; reused by score(), scoreDetailed(), explain() */
    zend_object std;    /* last: the engine allocates the struct around it */
} php_leadscore_model;

static inline php_leadscore_model *model_from_obj(zend_object *obj) {
    return (php_leadscore_model *)((char *)obj - XtOffsetOf(php_leadscore_model, std));
}
#define Z_LEADSCORE_MODEL_P(zv) model_from_obj(Z_OBJ_P(zv))

/* ---- errors ------------------------------------------------------------------ */

static zend_class_entry *exception_class(ls_status st) {
    switch (st) {
    case LS_STATUS_INVALID_INPUT:
    case LS_STATUS_UNKNOWN_COLUMN:
        return leadscore_invalid_input_ce;
    case LS_STATUS_MODEL_FORMAT:
        return leadscore_model_format_ce;
    case LS_STATUS_INSUFFICIENT_DATA:
        return leadscore_insufficient_data_ce;
    case LS_STATUS_IO:
        return leadscore_io_ce;
    case LS_STATUS_NOT_FOUND:
        return leadscore_not_found_ce;
    default:
        return leadscore_exception_ce;
    }
}

/* Throws the exception of a failed C call (message from ls_last_error_message). */
static void throw_status(ls_status st) {
    zend_throw_exception(exception_class(st), ls_last_error_message(), (zend_long)st);
}

#define CHECK_LS(call)                                                         \
    do {                                                                       \
        ls_status st_ = (call);                                                \
        if (st_ != LS_STATUS_OK) {                                             \
            throw_status(st_);                                                 \
            goto fail;                                                         \
        }                                                                      \
    } while (0)

/* ---- object lifecycle --------------------------------------------------------- */

static zend_object *leadscore_model_create(zend_class_entry *ce) {
    php_leadscore_model *m = zend_object_alloc(sizeof(php_leadscore_model), ce);
    zend_object_std_init(&m->std, ce);
    object_properties_init(&m->std, ce);
    m->std.handlers = &leadscore_model_handlers;
    return &m->std;
}

static void leadscore_model_free(zend_object *obj) {
    php_leadscore_model *m = model_from_obj(obj);
    ls_record_free(m->scratch);
    ls_model_free(m->model);
    m->scratch = NULL;
    m->model = NULL;
    zend_object_std_dtor(obj);
}

/* Wraps a new ls_model in a LeadScore\Model (taking ownership). */
static zend_result return_model(zval *rv, ls_model *lm) {
    ls_record *rec = NULL;
    ls_status st = ls_record_new(lm, &rec);
    if (st != LS_STATUS_OK) {
        ls_model_free(lm);
        throw_status(st);
        return FAILURE;
    }
    object_init_ex(rv, leadscore_model_ce);
    php_leadscore_model *m = Z_LEADSCORE_MODEL_P(rv);
    m->model = lm;
    m->scratch = rec;
    return SUCCESS;
}

/* The object behind $this, or an exception when it was never initialised. */
static php_leadscore_model *this_model(zval *this_zv) {
    php_leadscore_model *m = Z_LEADSCORE_MODEL_P(this_zv);
    if (m->model == NULL || m->scratch == NULL) {
        zend_throw_exception(leadscore_exception_ce, "LeadScore\\Model is not initialised", 0);
        return NULL;
    }
    return m;
}

/* ---- PHP values -> C records ---------------------------------------------------- */

/* Where a lead's fields go: the model-bound scratch record or a batch row. */
typedef struct {
    ls_record *rec;
    ls_batch *batch;
} field_sink;

static ls_status sink_f64(field_sink *s, const char *k, size_t kl, double v) {
    return s->rec ? ls_record_set_f64(s->rec, k, kl, v) : ls_batch_set_f64(s->batch, k, kl, v);
}
static ls_status sink_str(field_sink *s, const char *k, size_t kl, const char *v, size_t vl) {
    return s->rec ? ls_record_set_str(s->rec, k, kl, v, vl)
                  : ls_batch_set_str(s->batch, k, kl, v, vl);
}
static ls_status sink_bool(field_sink *s, const char *k, size_t kl, bool v) {
    return s->rec ? ls_record_set_bool(s->rec, k, kl, v) : ls_batch_set_bool(s->batch, k, kl, v);
}
static ls_status sink_missing(field_sink *s, const char *k, size_t kl) {
    return s->rec ? ls_record_set_missing(s->rec, k, kl) : ls_batch_set_missing(s->batch, k, kl);
}
static ls_status sink_invalid(field_sink *s, const char *k, size_t kl, const char *why) {
    return s->rec ? ls_record_set_invalid(s->rec, k, kl, why)
                  : ls_batch_set_invalid(s->batch, k, kl, why);
}

/* Copies one lead (field => value) into the sink. int and float -> number,
 * string -> string (numeric strings are converted by the core where the field is
 * numeric), bool -> boolean, null -> missing; arrays, objects and resources are
 * invalid values: scoring throws InvalidInputException naming the field, but only
 * when the model reads it. */
static zend_result fill_lead(field_sink *sink, HashTable *lead) {
    zend_string *key;
    zend_ulong idx;
    zval *val;
    char numkey[MAX_LENGTH_OF_LONG + 1];
    ZEND_HASH_FOREACH_KEY_VAL(lead, idx, key, val) {
        const char *k;
        size_t kl;
        if (key) {
            k = ZSTR_VAL(key);
            kl = ZSTR_LEN(key);
        } else {
            kl = (size_t)snprintf(numkey, sizeof numkey, ZEND_LONG_FMT, (zend_long)idx);
            k = numkey;
        }
        ZVAL_DEREF(val);
        ls_status st;
        switch (Z_TYPE_P(val)) {
        case IS_LONG:
            st = sink_f64(sink, k, kl, (double)Z_LVAL_P(val));
            break;
        case IS_DOUBLE:
            st = sink_f64(sink, k, kl, Z_DVAL_P(val));
            break;
        case IS_STRING:
            st = sink_str(sink, k, kl, Z_STRVAL_P(val), Z_STRLEN_P(val));
            break;
        case IS_TRUE:
            st = sink_bool(sink, k, kl, true);
            break;
        case IS_FALSE:
            st = sink_bool(sink, k, kl, false);
            break;
        case IS_NULL:
        case IS_UNDEF:
            st = sink_missing(sink, k, kl);
            break;
        default: {
            char why[128];
            snprintf(why, sizeof why,
                     "%s values are not field values (use a number, string, bool or null)",
                     zend_zval_type_name(val));
            st = sink_invalid(sink, k, kl, why);
            break;
        }
        }
        if (st != LS_STATUS_OK) {
            throw_status(st);
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();
    return SUCCESS;
}

/* Fills the object's scratch record with a lead. */
static zend_result fill_scratch(php_leadscore_model *m, HashTable *lead) {
    ls_status st = ls_record_clear(m->scratch);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        return FAILURE;
    }
    field_sink sink = {m->scratch, NULL};
    return fill_lead(&sink, lead);
}

/* Adds one row (a lead array) to a batch; `where` names it in errors. */
static zend_result batch_add_row(ls_batch *b, zval *row, zend_string *key, zend_ulong idx) {
    ZVAL_DEREF(row);
    if (Z_TYPE_P(row) != IS_ARRAY) {
        if (key) {
            zend_throw_exception_ex(leadscore_invalid_input_ce, LS_STATUS_INVALID_INPUT,
                                    "lead \"%s\" must be an array of field => value, got %s",
                                    ZSTR_VAL(key), zend_zval_type_name(row));
        } else {
            zend_throw_exception_ex(leadscore_invalid_input_ce, LS_STATUS_INVALID_INPUT,
                                    "lead " ZEND_ULONG_FMT " must be an array of field => value, got %s",
                                    idx, zend_zval_type_name(row));
        }
        return FAILURE;
    }
    field_sink sink = {NULL, b};
    if (fill_lead(&sink, Z_ARRVAL_P(row)) == FAILURE) return FAILURE;
    ls_status st = ls_batch_end_row(b);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        return FAILURE;
    }
    return SUCCESS;
}

/* ---- JSON in and out ------------------------------------------------------------ */

/* Decodes a JSON string from the C ABI into a PHP array and frees the string. */
static zend_result return_json(zval *rv, char *json) {
    zend_result r = php_json_decode_ex(rv, json, strlen(json), PHP_JSON_OBJECT_AS_ARRAY,
                                       PHP_JSON_PARSER_DEFAULT_DEPTH);
    ls_string_free(json);
    if (r == FAILURE && !EG(exception)) {
        zend_throw_exception(leadscore_exception_ce, "leadscore returned JSON PHP cannot decode",
                             LS_STATUS_INTERNAL);
    }
    return r;
}

/* Training options as a JSON object. The core accepts camelCase names (minRows)
 * beside snake_case ones and validates names and values; here only integer keys
 * (a list instead of name => value) are refused. */
static zend_result options_json(HashTable *options, smart_str *out) {
    if (zend_hash_num_elements(options) == 0) {
        smart_str_appends(out, "{}");
        smart_str_0(out);
        return SUCCESS;
    }
    zval conv;
    array_init_size(&conv, zend_hash_num_elements(options));
    zend_string *key;
    zend_ulong idx;
    zval *val;
    ZEND_HASH_FOREACH_KEY_VAL(options, idx, key, val) {
        if (!key) {
            zval_ptr_dtor(&conv);
            zend_throw_exception_ex(leadscore_invalid_input_ce, LS_STATUS_INVALID_INPUT,
                                    "options must be an array of name => value, got the index "
                                    ZEND_ULONG_FMT, idx);
            return FAILURE;
        }
        Z_TRY_ADDREF_P(val);
        zend_symtable_update(Z_ARRVAL(conv), key, val);
    } ZEND_HASH_FOREACH_END();
    zend_result r = php_json_encode(out, &conv, PHP_JSON_UNESCAPED_UNICODE);
    zval_ptr_dtor(&conv);
    smart_str_0(out);
    if (r == FAILURE || JSON_G(error_code) != PHP_JSON_ERROR_NONE) {
        zend_throw_exception_ex(leadscore_invalid_input_ce, LS_STATUS_INVALID_INPUT,
                                "options cannot be encoded as JSON (json error %d: invalid UTF-8, "
                                "INF/NAN or nesting too deep)",
                                (int)JSON_G(error_code));
        JSON_G(error_code) = PHP_JSON_ERROR_NONE;
        return FAILURE;
    }
    return SUCCESS;
}

/* ---- LeadScore\Model ------------------------------------------------------------ */

PHP_METHOD(LeadScore_Model, __construct) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_throw_error(NULL, "Use LeadScore\\Model::load(), fromBytes(), train() or trainRows()");
}

PHP_METHOD(LeadScore_Model, load) {
    zend_string *path;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_PATH_STR(path)
    ZEND_PARSE_PARAMETERS_END();
    ls_model *lm = NULL;
    CHECK_LS(ls_model_load(ZSTR_VAL(path), &lm));
    return_model(return_value, lm);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, fromBytes) {
    zend_string *bytes;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(bytes)
    ZEND_PARSE_PARAMETERS_END();
    ls_model *lm = NULL;
    CHECK_LS(ls_model_from_bytes((const uint8_t *)ZSTR_VAL(bytes), ZSTR_LEN(bytes), &lm));
    return_model(return_value, lm);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, train) {
    zend_string *path;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_PATH_STR(path)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    if (options_json(options, &json) == FAILURE) {
        smart_str_free(&json);
        RETURN_THROWS();
    }
    ls_model *lm = NULL;
    ls_status st = ls_train_csv(ZSTR_VAL(path), ZSTR_VAL(json.s), &lm);
    smart_str_free(&json);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        RETURN_THROWS();
    }
    return_model(return_value, lm);
}

typedef struct {
    ls_batch *batch;
    zend_ulong index;
} rows_ctx;

static int train_rows_apply(zend_object_iterator *iter, void *puser) {
    rows_ctx *ctx = puser;
    zval *row = iter->funcs->get_current_data(iter);
    if (EG(exception) || row == NULL) return ZEND_HASH_APPLY_STOP;
    if (batch_add_row(ctx->batch, row, NULL, ctx->index) == FAILURE) return ZEND_HASH_APPLY_STOP;
    ctx->index++;
    return ZEND_HASH_APPLY_KEEP;
}

/* Adds every row of an array or Traversable to a batch (errors thrown). */
static zend_result rows_into_batch(zval *rows, ls_batch *b) {
    if (Z_TYPE_P(rows) == IS_ARRAY) {
        zend_string *key;
        zend_ulong idx;
        zval *row;
        ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL_P(rows), idx, key, row) {
            if (batch_add_row(b, row, key, idx) == FAILURE) return FAILURE;
        } ZEND_HASH_FOREACH_END();
        return SUCCESS;
    }
    rows_ctx ctx = {b, 0};
    if (spl_iterator_apply(rows, train_rows_apply, &ctx) == FAILURE || EG(exception)) return FAILURE;
    return SUCCESS;
}

PHP_METHOD(LeadScore_Model, trainRows) {
    zval *rows;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ITERABLE(rows)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    ls_batch *b = NULL;
    ls_model *lm = NULL;
    if (options_json(options, &json) == FAILURE) goto fail;
    CHECK_LS(ls_batch_new(&b));
    if (rows_into_batch(rows, b) == FAILURE) goto fail;
    CHECK_LS(ls_train_batch(b, ZSTR_VAL(json.s), &lm));
    ls_batch_free(b);
    smart_str_free(&json);
    return_model(return_value, lm);
    return;
fail:
    ls_batch_free(b);
    smart_str_free(&json);
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, save) {
    zend_string *path;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_PATH_STR(path)
    ZEND_PARSE_PARAMETERS_END();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    CHECK_LS(ls_model_save(m->model, ZSTR_VAL(path)));
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, toBytes) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_LS(ls_model_to_bytes(m->model, &bytes, &len));
    RETVAL_STRINGL((const char *)bytes, len);
    ls_bytes_free(bytes);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, score) {
    HashTable *lead;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(lead)
    ZEND_PARSE_PARAMETERS_END();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m || fill_scratch(m, lead) == FAILURE) RETURN_THROWS();
    ls_score s;
    CHECK_LS(ls_model_score(m->model, m->scratch, &s));
    RETURN_DOUBLE(s.probability);
fail:
    RETURN_THROWS();
}

static void score_to_array(zval *rv, const ls_score *s) {
    array_init_size(rv, 3);
    add_assoc_double(rv, "probability", s->probability);
    add_assoc_long(rv, "score", (zend_long)s->score);
    add_assoc_bool(rv, "label", s->label);
}

PHP_METHOD(LeadScore_Model, scoreDetailed) {
    HashTable *lead;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(lead)
    ZEND_PARSE_PARAMETERS_END();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m || fill_scratch(m, lead) == FAILURE) RETURN_THROWS();
    ls_score s;
    CHECK_LS(ls_model_score(m->model, m->scratch, &s));
    score_to_array(return_value, &s);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, explain) {
    HashTable *lead;
    zend_long k = 3; /* the core's default (leadscore::defaults::EXPLAIN_K), as in every binding */
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_ARRAY_HT(lead)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(k)
    ZEND_PARSE_PARAMETERS_END();
    if (k < 0) {
        zend_argument_value_error(2, "must be greater than or equal to 0");
        RETURN_THROWS();
    }
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m || fill_scratch(m, lead) == FAILURE) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_explain_json(m->model, m->scratch, (size_t)k, &json));
    return_json(return_value, json);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, scoreBatch) {
    HashTable *leads;
    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_ARRAY_HT(leads)
    ZEND_PARSE_PARAMETERS_END();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    uint32_t n = zend_hash_num_elements(leads);
    if (n == 0) RETURN_EMPTY_ARRAY();
    ls_batch *b = NULL;
    double *p = NULL;
    CHECK_LS(ls_batch_new(&b));
    zend_string *key;
    zend_ulong idx;
    zval *row;
    ZEND_HASH_FOREACH_KEY_VAL(leads, idx, key, row) {
        if (batch_add_row(b, row, key, idx) == FAILURE) goto fail;
    } ZEND_HASH_FOREACH_END();
    p = safe_emalloc(n, sizeof(double), 0);
    CHECK_LS(ls_model_score_batch(m->model, b, p, n));
    ls_batch_free(b);
    b = NULL;
    /* The results keep the input's keys (row ids from a query stay attached). */
    array_init_size(return_value, n);
    uint32_t i = 0;
    ZEND_HASH_FOREACH_KEY(leads, idx, key) {
        zval z;
        ZVAL_DOUBLE(&z, p[i++]);
        if (key) {
            zend_hash_add_new(Z_ARRVAL_P(return_value), key, &z);
        } else {
            zend_hash_index_add_new(Z_ARRVAL_P(return_value), idx, &z);
        }
    } ZEND_HASH_FOREACH_END();
    efree(p);
    return;
fail:
    ls_batch_free(b);
    if (p) efree(p);
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, metrics) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_metrics_json(m->model, &json));
    if (return_json(return_value, json) == FAILURE) RETURN_THROWS();
    if (Z_TYPE_P(return_value) == IS_NULL) RETURN_EMPTY_ARRAY();
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, evaluation) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_evaluation_json(m->model, &json));
    if (return_json(return_value, json) == FAILURE) RETURN_THROWS();
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, insights) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_insights_json(m->model, &json));
    if (return_json(return_value, json) == FAILURE) RETURN_THROWS();
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, insightsOf) {
    zend_string *path;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_PATH_STR(path)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    if (options_json(options, &json) == FAILURE) {
        smart_str_free(&json);
        RETURN_THROWS();
    }
    char *out = NULL;
    ls_status st = ls_insights_csv(ZSTR_VAL(path), ZSTR_VAL(json.s), &out);
    smart_str_free(&json);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        RETURN_THROWS();
    }
    if (return_json(return_value, out) == FAILURE) RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, insightsOfRows) {
    zval *rows;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ITERABLE(rows)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    ls_batch *b = NULL;
    char *out = NULL;
    if (options_json(options, &json) == FAILURE) goto fail;
    CHECK_LS(ls_batch_new(&b));
    if (rows_into_batch(rows, b) == FAILURE) goto fail;
    CHECK_LS(ls_insights_batch(b, ZSTR_VAL(json.s), &out));
    ls_batch_free(b);
    smart_str_free(&json);
    if (return_json(return_value, out) == FAILURE) RETURN_THROWS();
    return;
fail:
    ls_batch_free(b);
    smart_str_free(&json);
    RETURN_THROWS();
}

/* A search's result as an array, with the refitted model under 'model' when the
 * search made one. Takes ownership of json and best. */
static zend_result return_search(zval *rv, char *json, ls_model *best) {
    if (return_json(rv, json) == FAILURE) {
        ls_model_free(best);
        return FAILURE;
    }
    if (best) {
        zval zm;
        if (return_model(&zm, best) == FAILURE) {
            zval_ptr_dtor(rv);
            ZVAL_NULL(rv);
            return FAILURE;
        }
        add_assoc_zval(rv, "model", &zm);
    }
    return SUCCESS;
}

PHP_METHOD(LeadScore_Model, search) {
    zend_string *path;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_PATH_STR(path)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    if (options_json(options, &json) == FAILURE) {
        smart_str_free(&json);
        RETURN_THROWS();
    }
    char *out = NULL;
    ls_model *best = NULL;
    ls_status st = ls_search_csv(ZSTR_VAL(path), ZSTR_VAL(json.s), &out, &best);
    smart_str_free(&json);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        RETURN_THROWS();
    }
    if (return_search(return_value, out, best) == FAILURE) RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, searchRows) {
    zval *rows;
    HashTable *options;
    ZEND_PARSE_PARAMETERS_START(2, 2)
        Z_PARAM_ITERABLE(rows)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    ls_batch *b = NULL;
    char *out = NULL;
    ls_model *best = NULL;
    if (options_json(options, &json) == FAILURE) goto fail;
    CHECK_LS(ls_batch_new(&b));
    if (rows_into_batch(rows, b) == FAILURE) goto fail;
    CHECK_LS(ls_search_batch(b, ZSTR_VAL(json.s), &out, &best));
    ls_batch_free(b);
    smart_str_free(&json);
    if (return_search(return_value, out, best) == FAILURE) RETURN_THROWS();
    return;
fail:
    ls_batch_free(b);
    smart_str_free(&json);
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, info) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_info_json(m->model, &json));
    return_json(return_value, json);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Model, reportHtml) {
    HashTable *options = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 1)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    smart_str json = {0};
    if (options && options_json(options, &json) == FAILURE) {
        smart_str_free(&json);
        RETURN_THROWS();
    }
    char *html = NULL;
    ls_status st = ls_model_report_html(m->model, options ? ZSTR_VAL(json.s) : NULL, &html);
    smart_str_free(&json);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        RETURN_THROWS();
    }
    RETVAL_STRING(html);
    ls_string_free(html);
}

PHP_METHOD(LeadScore_Model, toJson) {
    ZEND_PARSE_PARAMETERS_NONE();
    php_leadscore_model *m = this_model(ZEND_THIS);
    if (!m) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_model_to_json(m->model, &json));
    RETVAL_STRING(json);
    ls_string_free(json);
    return;
fail:
    RETURN_THROWS();
}

/* ---- LeadScore\Store ------------------------------------------------------------ */

/* The per-process registry of open stores, keyed by root "\0" options JSON, so a
 * store opened in one request (a PHP-FPM worker serves many) is the same Rust store
 * in the next one, with its loaded models. Bounded: at most LEADSCORE_MAX_STORES
 * stores; beyond that Store::open() gives a store owned by its object alone (closed
 * when the object is freed). Registered stores are closed at MSHUTDOWN (which
 * flushes their drift counts). Entries are never removed before that, so objects
 * can hold the raw pointer. */
#define LEADSCORE_MAX_STORES 16
static HashTable store_registry;
static bool store_registry_ready = false;
#ifdef ZTS
static MUTEX_T store_registry_lock;
#define REGISTRY_LOCK() tsrm_mutex_lock(store_registry_lock)
#define REGISTRY_UNLOCK() tsrm_mutex_unlock(store_registry_lock)
#else
#define REGISTRY_LOCK()
#define REGISTRY_UNLOCK()
#endif

typedef struct {
    ls_store *store;
    bool owned;         /* closed with the object (not in the registry) */
    ls_record *scratch; /* not tied to a model; reused by score() and explain() */
    zend_object std;    /* last */
} php_leadscore_store;

static inline php_leadscore_store *store_from_obj(zend_object *obj) {
    return (php_leadscore_store *)((char *)obj - XtOffsetOf(php_leadscore_store, std));
}

static zend_object *leadscore_store_create(zend_class_entry *ce) {
    php_leadscore_store *s = zend_object_alloc(sizeof(php_leadscore_store), ce);
    zend_object_std_init(&s->std, ce);
    object_properties_init(&s->std, ce);
    s->std.handlers = &leadscore_store_handlers;
    return &s->std;
}

static void leadscore_store_free(zend_object *obj) {
    php_leadscore_store *s = store_from_obj(obj);
    if (s->owned) ls_store_close(s->store);
    ls_record_free(s->scratch);
    s->store = NULL;
    s->scratch = NULL;
    zend_object_std_dtor(obj);
}

static ls_store *this_store(zval *this_zv) {
    php_leadscore_store *s = store_from_obj(Z_OBJ_P(this_zv));
    if (s->store == NULL) {
        zend_throw_exception(leadscore_exception_ce, "LeadScore\\Store is not initialised", 0);
        return NULL;
    }
    return s->store;
}

static void store_registry_shutdown(void) {
    if (!store_registry_ready) return;
    ls_store *st;
    ZEND_HASH_FOREACH_PTR(&store_registry, st) {
        ls_store_close(st);
    } ZEND_HASH_FOREACH_END();
    zend_hash_destroy(&store_registry);
    store_registry_ready = false;
}

PHP_METHOD(LeadScore_Store, __construct) {
    ZEND_PARSE_PARAMETERS_NONE();
    zend_throw_error(NULL, "Use LeadScore\\Store::open()");
}

PHP_METHOD(LeadScore_Store, open) {
    zend_string *root;
    HashTable *options = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_PATH_STR(root)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    smart_str json = {0};
    if (options) {
        if (options_json(options, &json) == FAILURE) {
            smart_str_free(&json);
            RETURN_THROWS();
        }
    } else {
        smart_str_appends(&json, "{}");
        smart_str_0(&json);
    }
    smart_str key = {0};
    smart_str_append(&key, root);
    smart_str_appendc(&key, '\0');
    smart_str_append(&key, json.s);
    smart_str_0(&key);

    bool owned = false;
    ls_store *st = NULL;
    REGISTRY_LOCK();
    st = zend_hash_str_find_ptr(&store_registry, ZSTR_VAL(key.s), ZSTR_LEN(key.s));
    if (st == NULL) {
        ls_status status = ls_store_open(ZSTR_VAL(root), ZSTR_VAL(json.s), &st);
        if (status != LS_STATUS_OK) {
            REGISTRY_UNLOCK();
            smart_str_free(&json);
            smart_str_free(&key);
            throw_status(status);
            RETURN_THROWS();
        }
        if (zend_hash_num_elements(&store_registry) < LEADSCORE_MAX_STORES) {
            zend_hash_str_add_new_ptr(&store_registry, ZSTR_VAL(key.s), ZSTR_LEN(key.s), st);
        } else {
            owned = true;
        }
    }
    REGISTRY_UNLOCK();
    smart_str_free(&json);
    smart_str_free(&key);
    object_init_ex(return_value, leadscore_store_ce);
    php_leadscore_store *s = store_from_obj(Z_OBJ_P(return_value));
    s->store = st;
    s->owned = owned;
}

/* A lead in the store object's scratch record, which is not tied to a model: which
 * model answers is decided inside the store, and it reads the fields it uses by
 * name. The fields go through fill_lead, so a value means to the store what it
 * means to Model::score. NULL with an exception on failure. */
static ls_record *store_lead(zval *this_zv, HashTable *lead) {
    php_leadscore_store *s = store_from_obj(Z_OBJ_P(this_zv));
    ls_status st = s->scratch ? ls_record_clear(s->scratch) : ls_record_new_any(&s->scratch);
    if (st != LS_STATUS_OK) {
        throw_status(st);
        return NULL;
    }
    field_sink sink = {s->scratch, NULL};
    if (fill_lead(&sink, lead) == FAILURE) return NULL;
    return s->scratch;
}

static const char *source_name(ls_source s) {
    return s == LS_SOURCE_FALLBACK ? "fallback" : "tenant";
}

static void add_reason(zval *rv, ls_fallback_reason r) {
    switch (r) {
    case LS_FALLBACK_NO_MODEL:
        add_assoc_string(rv, "fallbackReason", "no_model");
        break;
    case LS_FALLBACK_INSUFFICIENT_DATA:
        add_assoc_string(rv, "fallbackReason", "insufficient_data");
        break;
    case LS_FALLBACK_UNREADABLE:
        add_assoc_string(rv, "fallbackReason", "unreadable");
        break;
    default:
        add_assoc_null(rv, "fallbackReason");
    }
}

PHP_METHOD(LeadScore_Store, score) {
    zend_string *tenant;
    HashTable *lead;
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(tenant)
        Z_PARAM_ARRAY_HT(lead)
        Z_PARAM_OPTIONAL
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    ls_record *rec = store_lead(ZEND_THIS, lead);
    if (!rec) RETURN_THROWS();
    ls_store_score s;
    ls_status status = ls_store_score_record(st, ZSTR_VAL(tenant), ZSTR_LEN(tenant),
                                             name ? ZSTR_VAL(name) : NULL, rec, &s);
    if (status != LS_STATUS_OK) {
        throw_status(status);
        RETURN_THROWS();
    }
    score_to_array(return_value, &s.score);
    add_assoc_string(return_value, "source", source_name(s.source));
    add_reason(return_value, s.reason);
}

PHP_METHOD(LeadScore_Store, explain) {
    zend_string *tenant;
    HashTable *lead;
    zend_long k = 3; /* the core's default (leadscore::defaults::EXPLAIN_K), as in every binding */
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 4)
        Z_PARAM_STR(tenant)
        Z_PARAM_ARRAY_HT(lead)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(k)
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (k < 0) {
        zend_argument_value_error(3, "must be greater than or equal to 0");
        RETURN_THROWS();
    }
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    ls_record *rec = store_lead(ZEND_THIS, lead);
    if (!rec) RETURN_THROWS();
    char *out = NULL;
    ls_status status = ls_store_explain_record_json(st, ZSTR_VAL(tenant), ZSTR_LEN(tenant),
                                                    name ? ZSTR_VAL(name) : NULL, rec, (size_t)k,
                                                    &out);
    if (status != LS_STATUS_OK) {
        throw_status(status);
        RETURN_THROWS();
    }
    if (return_json(return_value, out) == FAILURE) RETURN_THROWS();
    /* PHP spelling of the key, as in score(). */
    zval *reason = zend_hash_str_find(Z_ARRVAL_P(return_value), "fallback_reason",
                                      sizeof("fallback_reason") - 1);
    if (reason) {
        Z_TRY_ADDREF_P(reason);
        zend_hash_str_update(Z_ARRVAL_P(return_value), "fallbackReason",
                             sizeof("fallbackReason") - 1, reason);
        zend_hash_str_del(Z_ARRVAL_P(return_value), "fallback_reason",
                          sizeof("fallback_reason") - 1);
    }
}

PHP_METHOD(LeadScore_Store, get) {
    zend_string *tenant;
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(tenant)
        Z_PARAM_OPTIONAL
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    ls_model *lm = NULL;
    CHECK_LS(ls_store_get(st, ZSTR_VAL(tenant), ZSTR_LEN(tenant), name ? ZSTR_VAL(name) : NULL,
                          &lm, NULL, NULL));
    return_model(return_value, lm);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Store, save) {
    zend_string *tenant;
    zval *model;
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(tenant)
        Z_PARAM_OBJECT_OF_CLASS(model, leadscore_model_ce)
        Z_PARAM_OPTIONAL
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    php_leadscore_model *m = this_model(model);
    if (!m) RETURN_THROWS();
    CHECK_LS(ls_store_save(st, ZSTR_VAL(tenant), ZSTR_LEN(tenant), name ? ZSTR_VAL(name) : NULL,
                           m->model));
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Store, stats) {
    ZEND_PARSE_PARAMETERS_NONE();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_store_stats_json(st, &json));
    return_json(return_value, json);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Store, flushDrift) {
    ZEND_PARSE_PARAMETERS_NONE();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    CHECK_LS(ls_store_flush_drift(st));
    return;
fail:
    RETURN_THROWS();
}

/* The PHP callable a mass run reports progress to. The C ABI calls it on this
 * request's thread; once it throws, it is not called again and the exception is
 * thrown when the run returns. */
typedef struct {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    bool set;
} progress_ctx;

static void on_mass_progress(void *user, const ls_mass_progress *p) {
    progress_ctx *ctx = user;
    if (!ctx->set || EG(exception)) return;
    zval arg, ret;
    array_init_size(&arg, 4);
    add_assoc_long(&arg, "done", (zend_long)p->done);
    add_assoc_long(&arg, "total", (zend_long)p->total);
    add_assoc_long(&arg, "rows_done", (zend_long)p->rows_done);
    add_assoc_double(&arg, "elapsed", p->elapsed_seconds);
    ZVAL_UNDEF(&ret);
    ctx->fci.retval = &ret;
    ctx->fci.params = &arg;
    ctx->fci.param_count = 1;
    zend_call_function(&ctx->fci, &ctx->fcc);
    zval_ptr_dtor(&ret);
    zval_ptr_dtor(&arg);
}

PHP_METHOD(LeadScore_Store, trainTenants) {
    zval *data;
    HashTable *options;
    progress_ctx ctx = {0};
    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_ZVAL(data)
        Z_PARAM_ARRAY_HT(options)
        Z_PARAM_OPTIONAL
        Z_PARAM_FUNC_OR_NULL(ctx.fci, ctx.fcc)
    ZEND_PARSE_PARAMETERS_END();
    ctx.set = ZEND_FCI_INITIALIZED(ctx.fci);
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    smart_str json = {0};
    ls_batch *b = NULL;
    char *summary = NULL;
    if (options_json(options, &json) == FAILURE) goto fail;
    if (Z_TYPE_P(data) == IS_STRING) {
        if (zend_str_has_nul_byte(Z_STR_P(data))) {
            zend_argument_value_error(1, "must not contain any null bytes");
            goto fail;
        }
        CHECK_LS(ls_store_train_tenants(st, Z_STRVAL_P(data), ZSTR_VAL(json.s), on_mass_progress, &ctx,
                                        &summary));
    } else if (Z_TYPE_P(data) == IS_ARRAY ||
               (Z_TYPE_P(data) == IS_OBJECT && instanceof_function(Z_OBJCE_P(data), zend_ce_traversable))) {
        CHECK_LS(ls_batch_new(&b));
        if (rows_into_batch(data, b) == FAILURE) goto fail;
        CHECK_LS(ls_store_train_tenants_batch(st, b, ZSTR_VAL(json.s), on_mass_progress, &ctx, &summary));
    } else {
        zend_argument_type_error(1, "must be of type string|iterable, %s given", zend_zval_type_name(data));
        goto fail;
    }
    ls_batch_free(b);
    smart_str_free(&json);
    if (EG(exception)) {
        /* The progress callable threw: the run went on to its end (its summary is in
         * _training.json); the exception is what the caller sees. */
        ls_string_free(summary);
        RETURN_THROWS();
    }
    return_json(return_value, summary);
    return;
fail:
    ls_batch_free(b);
    smart_str_free(&json);
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Store, drift) {
    zend_string *tenant = NULL;
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(0, 2)
        Z_PARAM_OPTIONAL
        Z_PARAM_PATH_STR_OR_NULL(tenant)
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    char *json = NULL;
    CHECK_LS(ls_store_drift_json(st, name ? ZSTR_VAL(name) : NULL, tenant ? ZSTR_VAL(tenant) : NULL, &json));
    return_json(return_value, json);
    return;
fail:
    RETURN_THROWS();
}

PHP_METHOD(LeadScore_Store, markInsufficient) {
    zend_string *tenant;
    zend_long rows = 0, positives = 0;
    zend_string *name = NULL;
    ZEND_PARSE_PARAMETERS_START(1, 4)
        Z_PARAM_STR(tenant)
        Z_PARAM_OPTIONAL
        Z_PARAM_LONG(rows)
        Z_PARAM_LONG(positives)
        Z_PARAM_PATH_STR(name)
    ZEND_PARSE_PARAMETERS_END();
    if (rows < 0 || positives < 0) {
        zend_throw_exception_ex(leadscore_invalid_input_ce, LS_STATUS_INVALID_INPUT,
                                "rows and positives must be >= 0, got " ZEND_LONG_FMT " and " ZEND_LONG_FMT,
                                rows, positives);
        RETURN_THROWS();
    }
    ls_store *st = this_store(ZEND_THIS);
    if (!st) RETURN_THROWS();
    CHECK_LS(ls_store_mark_insufficient(st, ZSTR_VAL(tenant), ZSTR_LEN(tenant), name ? ZSTR_VAL(name) : NULL,
                                        (size_t)rows, (size_t)positives));
    return;
fail:
    RETURN_THROWS();
}

/* ---- module --------------------------------------------------------------------- */

PHP_MINIT_FUNCTION(leadscore) {
    if (ls_abi_version() != LS_ABI_VERSION) {
        php_error_docref(NULL, E_CORE_WARNING,
                         "leadscore: library ABI %u does not match the header's ABI %u",
                         ls_abi_version(), (unsigned)LS_ABI_VERSION);
        return FAILURE;
    }
    leadscore_model_ce = register_class_LeadScore_Model();
    leadscore_model_ce->create_object = leadscore_model_create;
    memcpy(&leadscore_model_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    leadscore_model_handlers.offset = XtOffsetOf(php_leadscore_model, std);
    leadscore_model_handlers.free_obj = leadscore_model_free;
    leadscore_model_handlers.clone_obj = NULL;

    leadscore_exception_ce = register_class_LeadScore_Exception(spl_ce_RuntimeException);
    leadscore_invalid_input_ce = register_class_LeadScore_InvalidInputException(leadscore_exception_ce);
    leadscore_model_format_ce = register_class_LeadScore_ModelFormatException(leadscore_exception_ce);
    leadscore_insufficient_data_ce =
        register_class_LeadScore_InsufficientDataException(leadscore_exception_ce);
    leadscore_io_ce = register_class_LeadScore_IoException(leadscore_exception_ce);
    leadscore_not_found_ce = register_class_LeadScore_NotFoundException(leadscore_exception_ce);

    leadscore_store_ce = register_class_LeadScore_Store();
    leadscore_store_ce->create_object = leadscore_store_create;
    memcpy(&leadscore_store_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    leadscore_store_handlers.offset = XtOffsetOf(php_leadscore_store, std);
    leadscore_store_handlers.free_obj = leadscore_store_free;
    leadscore_store_handlers.clone_obj = NULL;
    zend_hash_init(&store_registry, 8, NULL, NULL, 1);
    store_registry_ready = true;
#ifdef ZTS
    store_registry_lock = tsrm_mutex_alloc();
#endif
    return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(leadscore) {
    store_registry_shutdown();
#ifdef ZTS
    tsrm_mutex_free(store_registry_lock);
#endif
    return SUCCESS;
}

PHP_MINFO_FUNCTION(leadscore) {
    char abi[32];
    snprintf(abi, sizeof abi, "%u", ls_abi_version());
    php_info_print_table_start();
    php_info_print_table_row(2, "leadscore support", "enabled");
    php_info_print_table_row(2, "extension version", PHP_LEADSCORE_VERSION);
    php_info_print_table_row(2, "library version", ls_version());
    php_info_print_table_row(2, "library ABI version", abi);
    php_info_print_table_end();
}

static const zend_module_dep leadscore_deps[] = {
    ZEND_MOD_REQUIRED("json")
    ZEND_MOD_REQUIRED("spl")
    ZEND_MOD_END
};

zend_module_entry leadscore_module_entry = {
    STANDARD_MODULE_HEADER_EX,
    NULL,
    leadscore_deps,
    "leadscore",
    NULL, /* functions: everything lives in classes */
    PHP_MINIT(leadscore),
    PHP_MSHUTDOWN(leadscore), /* closes the stores kept across requests */
    NULL,
    NULL,
    PHP_MINFO(leadscore),
    PHP_LEADSCORE_VERSION,
    STANDARD_MODULE_PROPERTIES
};

#ifdef COMPILE_DL_LEADSCORE
#ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
#endif
ZEND_GET_MODULE(leadscore)
#endif
