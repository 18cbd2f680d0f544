//! JavaScript values to core values.
//!
//! | JavaScript | core |
//! |---|---|
//! | `number` | `Value::Num` (`NaN` is missing; `±Infinity` is rejected by the core) |
//! | `string` | `Value::Str` (numeric strings like `"12"` or `"1,5"` are read as numbers where the field is numeric) |
//! | `boolean` | `Value::Bool` |
//! | `null`, `undefined`, an absent field | `Value::Missing` |
//! | `bigint`, objects, arrays, functions, symbols | an `INVALID_INPUT` error naming the field |

use leadscore::data::{Column, StrColumn};
use leadscore::{Error, Record, Table, Value};
use napi::bindgen_prelude::{
    Float64Array, JsObjectValue, JsValue, Object, Uint32Array, Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use std::ffi::CString;

/// A field name prepared for fast property lookups.
#[derive(Debug, Clone)]
pub struct Key {
    /// The field name.
    pub name: String,
    /// The name as a C string (`None` when it contains a NUL byte).
    c: Option<CString>,
    /// Whether every object inherits a property of this name (`constructor`,
    /// `toString`...): then only an own property is the field.
    inherited: bool,
}

/// The properties every object inherits from `Object.prototype`.
const OBJECT_PROTOTYPE: &[&str] = &[
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
];

impl Key {
    /// Prepares a key.
    pub fn new(name: &str) -> Key {
        Key {
            name: name.to_owned(),
            c: CString::new(name).ok(),
            inherited: OBJECT_PROTOTYPE.contains(&name),
        }
    }
}

fn napi_fail(what: &str, e: napi::Error) -> Error {
    Error::InvalidInput(format!("{what}: {}", e.reason))
}

/// The JavaScript type name of a value, for error messages.
fn type_name(v: &Unknown) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Object) if v.is_array().unwrap_or(false) => "array",
        Ok(ValueType::Object) => "object",
        Ok(ValueType::Function) => "function",
        Ok(ValueType::External) => "external",
        Ok(ValueType::BigInt) => "bigint",
        _ => "unknown value",
    }
}

/// Reads a JavaScript string (the caller checked that it is one). Short strings — most
/// field values — take one N-API call into a stack buffer instead of two (length,
/// then copy).
pub fn read_string(v: &Unknown) -> napi::Result<String> {
    const CAP: usize = 256;
    let raw = v.value();
    let mut buf = [0u8; CAP];
    let mut len = 0usize;
    // SAFETY: `raw` is a live string value of the current call (its type was checked
    // by the caller); `buf` is valid for `CAP` bytes, of which N-API writes at most
    // `CAP - 1` plus a NUL, and it stores the count written in `len`.
    let status = unsafe {
        napi::sys::napi_get_value_string_utf8(
            raw.env,
            raw.value,
            buf.as_mut_ptr().cast(),
            CAP,
            &mut len,
        )
    };
    // A truncated copy stops within 4 bytes (one UTF-8 character) of the limit, so
    // anything shorter is the whole string.
    if status == napi::sys::Status::napi_ok && len + 5 < CAP {
        if let Ok(s) = std::str::from_utf8(&buf[..len]) {
            return Ok(s.to_owned());
        }
    }
    // SAFETY: the caller checked that the value is a string.
    unsafe { v.cast::<String>() }
}

/// Converts one JavaScript value of field `field` into a core value.
pub fn value_of(field: &str, v: &Unknown) -> Result<Value, Error> {
    let bad = |message: String| Error::InvalidValue {
        field: field.to_owned(),
        message,
    };
    let ty = v.get_type().map_err(|e| napi_fail(field, e))?;
    Ok(match ty {
        ValueType::Undefined | ValueType::Null => Value::Missing,
        // SAFETY: the value was just checked to be a number, so reading it as f64 is valid.
        ValueType::Number => {
            Value::Num(unsafe { v.cast::<f64>() }.map_err(|e| napi_fail(field, e))?)
        }
        // SAFETY: the value was just checked to be a boolean.
        ValueType::Boolean => {
            Value::Bool(unsafe { v.cast::<bool>() }.map_err(|e| napi_fail(field, e))?)
        }
        ValueType::String => Value::Str(read_string(v).map_err(|e| napi_fail(field, e))?),
        ValueType::BigInt => {
            return Err(bad(
                "a BigInt is not a field value; pass Number(x) or String(x)".into(),
            ))
        }
        _ => {
            return Err(bad(format!(
                "expected a number, string, boolean, null or undefined, got {}",
                type_name(v)
            )))
        }
    })
}

/// Reads a string argument (a path), or says what it got.
pub fn string_arg(what: &str, v: &Unknown) -> Result<String, Error> {
    match v.get_type() {
        Ok(ValueType::String) => read_string(v).map_err(|e| napi_fail(what, e)),
        _ => Err(Error::InvalidInput(format!(
            "{what} must be a string, got {}",
            type_name(v)
        ))),
    }
}

/// Reads an optional non-negative whole-number argument.
pub fn count_arg(what: &str, v: Option<&Unknown>, default: usize) -> Result<usize, Error> {
    let Some(v) = v else { return Ok(default) };
    match value_of(what, v) {
        Ok(Value::Missing) => Ok(default),
        Ok(Value::Num(x)) if x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => Ok(x as usize),
        _ => Err(Error::InvalidInput(format!(
            "{what} must be a non-negative whole number, got {}",
            type_name(v)
        ))),
    }
}

/// Copies a `Buffer` / `Uint8Array` argument.
pub fn bytes_arg(what: &str, v: &Unknown) -> Result<Vec<u8>, Error> {
    let bad = || {
        Error::InvalidInput(format!(
            "{what} must be a Buffer or Uint8Array, got {}",
            type_name(v)
        ))
    };
    if !v.is_typedarray().unwrap_or(false) {
        return Err(bad());
    }
    // SAFETY: the value is a typed array; `Uint8Array::from_napi_value` checks its
    // element type and fails (without reading) for other types.
    let bytes = unsafe { v.cast::<Uint8Array>() }.map_err(|_| bad())?;
    Ok(bytes.to_vec())
}

/// Views a value as a plain object (not an array, not null), or says what it is.
pub fn as_object<'e>(what: &str, v: &Unknown<'e>) -> Result<Object<'e>, Error> {
    let ty = v.get_type().map_err(|e| napi_fail(what, e))?;
    if ty != ValueType::Object || v.is_array().unwrap_or(false) {
        return Err(Error::InvalidInput(format!(
            "{what} must be an object of field -> value, got {}",
            type_name(v)
        )));
    }
    let raw = v.value();
    Ok(Object::from_raw(raw.env, raw.value))
}

/// Reads the fields named by `keys` (a model's inputs, in order) from a lead object
/// into `out` (a record laid out for that model, cleared first); absent fields are
/// missing, other fields are not read, and a value that is not a field value is set
/// invalid (the model fails on it naming the field). (The plain path; `score()`
/// normally uses [`crate::pluck`].)
pub fn lead_values(lead: &Unknown, keys: &[Key], out: &mut Record) -> Result<(), Error> {
    let obj = as_object("a lead", lead)?;
    out.clear();
    for k in keys {
        if k.inherited
            && !obj
                .has_own_property(&k.name)
                .map_err(|e| napi_fail(&k.name, e))?
        {
            continue;
        }
        let v: Unknown = match &k.c {
            Some(c) => obj.get_c_named_property_unchecked(c),
            None => obj.get_named_property_unchecked(&k.name),
        }
        .map_err(|e| napi_fail(&k.name, e))?;
        match value_of(&k.name, &v) {
            Ok(v) => out.set_value(&k.name, v),
            Err(Error::InvalidValue { message, .. }) => out.set_invalid(&k.name, message),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads the fields named by `keys` (`model`'s inputs, in order) into a record laid
/// out for `model`: the model then reads the values by slot.
pub fn lead_record(
    lead: &Unknown,
    keys: &[Key],
    model: &leadscore::Model,
) -> Result<Record, Error> {
    let mut r = model.record();
    lead_values(lead, keys, &mut r)?;
    Ok(r)
}

/// Converts every enumerable field of an object into a record.
pub fn record_of(what: &str, v: &Unknown) -> Result<Record, Error> {
    let obj = as_object(what, v)?;
    let names = Object::keys(&obj).map_err(|e| napi_fail(what, e))?;
    let mut r = Record::new();
    for name in names {
        let v: Unknown = obj
            .get_named_property_unchecked(&name)
            .map_err(|e| napi_fail(&name, e))?;
        let value = value_of(&name, &v).map_err(|e| in_row(what, e))?;
        r.insert(name, value);
    }
    Ok(r)
}

/// Prefixes an error with the item it concerns (`rows[3]: field "x": ...`).
fn in_row(what: &str, e: Error) -> Error {
    match e {
        Error::InvalidValue { field, message } => Error::InvalidValue {
            field,
            message: format!("{message} (in {what})"),
        },
        other => other,
    }
}

/// Views a value as an array and returns it with its length.
pub fn as_array<'e>(what: &str, v: &Unknown<'e>) -> Result<(Object<'e>, u32), Error> {
    if !v.is_array().unwrap_or(false) {
        return Err(Error::InvalidInput(format!(
            "{what} must be an array, got {}",
            type_name(v)
        )));
    }
    let raw = v.value();
    let obj = Object::from_raw(raw.env, raw.value);
    let n = obj.get_array_length().map_err(|e| napi_fail(what, e))?;
    Ok((obj, n))
}

/// Converts an array of objects into records (every field of each).
pub fn records_of(what: &str, v: &Unknown) -> Result<Vec<Record>, Error> {
    let (arr, n) = as_array(what, v)?;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let item: Unknown = arr.get_element(i).map_err(|e| napi_fail(what, e))?;
        out.push(record_of(&format!("{what}[{i}]"), &item)?);
    }
    Ok(out)
}

/// Reads an array of lead objects into records laid out for `model` (whose inputs
/// are `keys`; other fields are never read). Errors name the lead's index.
pub fn leads_records(
    what: &str,
    v: &Unknown,
    keys: &[Key],
    model: &leadscore::Model,
) -> Result<Vec<Record>, Error> {
    let (arr, n) = as_array(what, v)?;
    let mut rows = Vec::with_capacity(n as usize);
    for i in 0..n {
        let item: Unknown = arr.get_element(i).map_err(|e| napi_fail(what, e))?;
        let r = lead_record(&item, keys, model).map_err(|e| match e {
            Error::InvalidInput(m) => Error::InvalidInput(format!("{what}[{i}]: {m}")),
            other => in_row(&format!("{what}[{i}]"), other),
        })?;
        rows.push(r);
    }
    Ok(rows)
}

/// Converts columns into a table. A `Float64Array` is a numeric column (`NaN` =
/// missing); an array holds strings (`null`/`undefined` = missing); an object
/// `{ codes: Uint32Array, levels: string[] }` is a dictionary-encoded string column
/// (the fastest form: only the levels are read one by one).
pub fn columns_table(
    v: &Unknown,
    fast: Option<(&Env, &crate::pluck::Plucker)>,
) -> Result<Table, Error> {
    let obj = as_object("columns", v)?;
    let names = Object::keys(&obj).map_err(|e| napi_fail("columns", e))?;
    let mut cols = Vec::with_capacity(names.len());
    for name in names {
        let col: Unknown = obj
            .get_named_property_unchecked(&name)
            .map_err(|e| napi_fail(&name, e))?;
        let bad = |message: String| Error::InvalidValue {
            field: name.clone(),
            message,
        };
        let column = if col.is_typedarray().unwrap_or(false) {
            // SAFETY: the value is a typed array; `Float64Array::from_napi_value`
            // checks its element type and fails (without reading) for other types.
            let arr = unsafe { col.cast::<Float64Array>() }
                .map_err(|_| bad("a typed-array column must be a Float64Array".into()))?;
            if let Some(i) = arr.iter().position(|x| x.is_infinite()) {
                return Err(bad(format!(
                    "row {i}: expected a finite number, got {}",
                    arr[i]
                )));
            }
            Column::Num(arr.to_vec())
        } else if let (true, Some((env, p))) = (col.is_array().unwrap_or(false), fast) {
            p.intern(env, &name, &col)?
        } else if col.is_array().unwrap_or(false) {
            let (arr, n) = as_array(&name, &col)?;
            let mut strs: Vec<Option<String>> = Vec::with_capacity(n as usize);
            for i in 0..n {
                let item: Unknown = arr.get_element(i).map_err(|e| napi_fail(&name, e))?;
                strs.push(match value_of(&name, &item)? {
                    Value::Missing => None,
                    Value::Str(s) => Some(s),
                    other => {
                        return Err(bad(format!(
                            "row {i}: a string column holds strings, null or undefined, got a {} (pass numbers as a Float64Array)",
                            other.kind_name()
                        )))
                    }
                });
            }
            // from_codes: blank strings are missing, as in a record.
            let c = StrColumn::from_options(strs.iter().map(|s| s.as_deref()));
            Column::Str(StrColumn::from_codes(c.codes, c.levels)?)
        } else if col.get_type().ok() == Some(ValueType::Object) {
            dict_column(&name, &col)?
        } else {
            return Err(bad(format!(
                "a column must be a Float64Array, an array of strings or {{ codes: Uint32Array, levels: string[] }}, got {}",
                type_name(&col)
            )));
        };
        cols.push((name, column));
    }
    Table::from_columns(cols)
}

/// A dictionary-encoded string column `{ codes: Uint32Array, levels: string[] }`:
/// row `i` holds `levels[codes[i]]`, or is missing when `codes[i]` is `0xFFFFFFFF`.
/// Only the levels are converted one by one; the codes are copied in one go.
fn dict_column(name: &str, col: &Unknown) -> Result<Column, Error> {
    let bad = |message: String| Error::InvalidValue {
        field: name.to_owned(),
        message,
    };
    let shape = || bad("a column object must be { codes: Uint32Array, levels: string[] }".into());
    let obj = as_object(name, col).map_err(|_| shape())?;
    let codes: Unknown = obj
        .get_named_property_unchecked("codes")
        .map_err(|e| napi_fail(name, e))?;
    let levels: Unknown = obj
        .get_named_property_unchecked("levels")
        .map_err(|e| napi_fail(name, e))?;
    if !codes.is_typedarray().unwrap_or(false) || !levels.is_array().unwrap_or(false) {
        return Err(shape());
    }
    // SAFETY: `codes` is a typed array; `Uint32Array::from_napi_value` checks its
    // element type and fails (without reading) for other types.
    let codes = unsafe { codes.cast::<Uint32Array>() }.map_err(|_| shape())?;
    let (arr, n) = as_array(name, &levels)?;
    let mut lv = Vec::with_capacity(n as usize);
    for i in 0..n {
        let item: Unknown = arr.get_element(i).map_err(|e| napi_fail(name, e))?;
        match value_of(name, &item)? {
            Value::Str(s) => lv.push(s),
            other => {
                return Err(bad(format!(
                    "levels[{i}] must be a string, got a {}",
                    other.kind_name()
                )))
            }
        }
    }
    StrColumn::from_codes(codes.to_vec(), lv)
        .map(Column::Str)
        .map_err(|e| match e {
            Error::InvalidInput(m) => bad(m),
            other => other,
        })
}

/// `min_rows` -> `minRows` (the core's conversion).
pub fn snake_to_camel(s: &str) -> String {
    leadscore::options::camel_case(s)
}

/// A JavaScript options object as the core's options JSON: passed through as it is
/// (the core accepts camelCase names, treats `null` as absent and names any bad
/// option); `null`/`undefined` options mean none.
pub fn options_to_core(js: serde_json::Value) -> Result<serde_json::Value, Error> {
    match js {
        serde_json::Value::Object(_) => Ok(js),
        serde_json::Value::Null => Ok(serde_json::Value::Object(serde_json::Map::new())),
        _ => Err(Error::InvalidInput(
            "options must be an object of name -> value".into(),
        )),
    }
}

/// Renames the keys of a JSON value from snake_case to camelCase, recursively (for
/// `info()` and `metrics()`; values are untouched).
pub fn camel_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.into_iter()
                .map(|(k, v)| (snake_to_camel(&k), camel_keys(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(camel_keys).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_map_to_core() {
        assert_eq!(snake_to_camel("decimal_comma"), "decimalComma");
        assert_eq!(snake_to_camel("c"), "c");
        let v = options_to_core(
            serde_json::json!({"target": "y", "minRows": 3, "kinds": {"zip_code": "id"}}),
        )
        .unwrap();
        let o = leadscore::options::TrainOptions::from_json(&v).unwrap();
        assert_eq!(o.config.min_rows, 3);
        assert!(options_to_core(serde_json::json!(3)).is_err());
        assert_eq!(
            camel_keys(serde_json::json!({"roc_auc": 1, "baseline": {"pr_auc": [{"a_b": 1}]}})),
            serde_json::json!({"rocAuc": 1, "baseline": {"prAuc": [{"aB": 1}]}})
        );
    }
}
