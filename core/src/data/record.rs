//! One raw record (field -> value), the unit of scoring.

use super::Value;
use crate::error::{Error, Result};
use std::collections::HashMap;

/// One raw CRM record: field name -> [`Value`]. Fields the model does not use are
/// ignored at scoring time; fields it uses but the record lacks count as missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// foldhash: the fields are looked up for every step that reads them, and
    /// SipHash's per-byte cost was a tenth of scoring a record.
    fields: HashMap<String, Value, foldhash::fast::RandomState>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a field, replacing any earlier value.
    pub fn insert(&mut self, field: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.fields.insert(field.into(), value.into());
        self
    }

    /// Builder form of [`Record::insert`].
    pub fn with(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(field, value);
        self
    }

    /// The value of a field, if present.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Iterates over (field, value) pairs in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Parses a JSON object (`{"calls": 3, "city": "Kazan", "has_phone": true}`).
    /// Numbers, strings, booleans and null map to [`Value`]s; arrays and nested
    /// objects are errors naming the field.
    pub fn from_json(text: &str) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::parse(e.line() as u64, None, format!("invalid JSON record: {e}"))
        })?;
        Self::from_json_value(&v)
    }

    /// Converts a parsed JSON object into a record (see [`Record::from_json`]).
    pub fn from_json_value(v: &serde_json::Value) -> Result<Self> {
        let obj = v.as_object().ok_or_else(|| {
            Error::InvalidInput("a record must be a JSON object of field -> value".into())
        })?;
        let mut r = Record::new();
        for (k, v) in obj {
            r.insert(k.clone(), json_to_value(k, v)?);
        }
        Ok(r)
    }
}

/// Converts one JSON value of field `field` to a [`Value`].
pub(crate) fn json_to_value(field: &str, v: &serde_json::Value) -> Result<Value> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => Value::Missing,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Num(n.as_f64().ok_or_else(|| Error::InvalidValue {
            field: field.to_owned(),
            message: format!("number {n} is out of range"),
        })?),
        J::String(s) => Value::Str(s.clone()),
        J::Array(_) | J::Object(_) => {
            return Err(Error::InvalidValue {
                field: field.to_owned(),
                message: "arrays and objects are not field values".into(),
            })
        }
    })
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Record {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut r = Record::new();
        for (k, v) in iter {
            r.insert(k, v);
        }
        r
    }
}
