//! One raw record (field -> value), the unit of scoring, and the one way a record
//! reaches a model from every binding.
//!
//! A [`Record`] is not tied to a model: fields are set by name, and any model or
//! store can score it. A record can also be *laid out* for one model's inputs
//! ([`Slots`], built once per model): its fields then live in a value per input, a
//! set finds its slot by the name (usually with one comparison, as callers fill
//! records in the same order lead after lead), and scoring by that model reads the
//! values without looking anything up. Scoring by another model still works (by
//! name), and [`Record::bind`] lays the record out for that model instead.
//!
//! Bindings convert their own values (a PHP array, a Python dict, a JavaScript
//! object, C setter calls) with the typed setters; a value they cannot convert (an
//! array, an object) is set with [`Record::set_invalid`], which fails only the models
//! that read that field, so a field no model reads never matters, on every path.

use super::Value;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;

type Map<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// The input names of one model with their positions (slots), shared by every record
/// laid out for that model (see [`Record::with_slots`]). Built once per
/// model when it is fitted or read.
#[derive(Debug, Default)]
pub struct Slots {
    names: Box<[Box<str>]>,
    /// foldhash: the names are looked up on the per-field hot path; the table is
    /// built from the model's own names and never grows from caller input.
    index: HashMap<Box<str>, usize, foldhash::fast::RandomState>,
}

impl Slots {
    /// The slots of these input names, in order (a repeated name keeps its first
    /// slot).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Slots {
        let names: Box<[Box<str>]> = names.into_iter().map(Box::from).collect();
        let mut index = HashMap::with_capacity_and_hasher(names.len(), Default::default());
        for (i, n) in names.iter().enumerate() {
            index.entry(n.clone()).or_insert(i);
        }
        Slots { names, index }
    }

    /// Number of slots (the model's inputs).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the model reads no field.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The slot of a field name, if the model reads it.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The field name of a slot.
    pub fn name(&self, slot: usize) -> Option<&str> {
        self.names.get(slot).map(|n| &**n)
    }
}

/// A record's values laid out for one model's [`Slots`].
#[derive(Debug, Clone)]
struct Layout {
    slots: Arc<Slots>,
    /// One value per slot ([`Value::Missing`]: not set).
    values: Vec<Value>,
    /// Whether fields without a slot are kept (in `Record::fields`) or dropped.
    keep_others: bool,
    /// String buffers kept across [`Record::clear`], one per slot, so a record reused
    /// lead after lead does not allocate for its string fields.
    spare: Vec<String>,
    /// Field order prediction: `next[s]` is the slot set right after slot `s` last
    /// time (`next[len]`: the first slot after a clear), so a set usually finds its
    /// slot with one comparison of the name instead of hashing it.
    next: Vec<usize>,
    /// The slot set last (`len` right after creation or a clear).
    last: usize,
}

impl Layout {
    fn new(slots: Arc<Slots>, keep_others: bool) -> Layout {
        let n = slots.len();
        Layout {
            values: vec![Value::Missing; n],
            spare: vec![String::new(); n],
            next: vec![usize::MAX; n + 1],
            last: n,
            slots,
            keep_others,
        }
    }

    #[inline]
    fn find(&mut self, name: &str) -> Option<usize> {
        let guess = self.next[self.last];
        let slot = match self.slots.names.get(guess) {
            Some(n) if **n == *name => guess,
            _ => self.slots.slot(name)?,
        };
        self.next[self.last] = slot;
        self.last = slot;
        Some(slot)
    }
}

/// One raw CRM record: field name -> [`Value`]. Fields a model does not use are
/// ignored when it scores the record; fields it uses but the record lacks count as
/// missing. See [`Record::with_slots`] for records laid out for a model.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Values by slot, when the record is laid out for a model.
    layout: Option<Layout>,
    /// Fields without a slot (every field of a record not laid out). foldhash: the
    /// fields are looked up for every step that reads them, and SipHash's per-byte
    /// cost was a measurable share of scoring a record (`cargo bench --bench score`).
    fields: Map<Value>,
    /// Fields set to a value the binding could not convert, with why.
    invalid: Vec<(String, String)>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty record laid out for `slots` (a model's, see `Model::record`). With
    /// `keep_others` false, setting a field without a slot does nothing: the record is
    /// then for that model only.
    pub fn with_slots(slots: Arc<Slots>, keep_others: bool) -> Self {
        Record {
            layout: Some(Layout::new(slots, keep_others)),
            ..Record::default()
        }
    }

    /// Lays the record out for `slots`, keeping every field (a no-op when it already
    /// is). Fields dropped by a record made for one model stay dropped.
    pub fn bind(&mut self, slots: &Arc<Slots>) {
        if let Some(l) = &self.layout {
            if Arc::ptr_eq(&l.slots, slots) {
                return;
            }
        }
        let old = self.layout.take();
        let mut layout = Layout::new(slots.clone(), true);
        if let Some(old) = old {
            for (name, v) in old.slots.names.iter().zip(old.values) {
                if !matches!(v, Value::Missing) {
                    self.fields.insert(name.to_string(), v);
                }
            }
        }
        let fields = std::mem::take(&mut self.fields);
        for (name, v) in fields {
            match slots.slot(&name) {
                Some(s) => layout.values[s] = v,
                None => {
                    self.fields.insert(name, v);
                }
            }
        }
        self.layout = Some(layout);
    }

    /// The values in slot order when the record is laid out for `slots` (the same
    /// slots, or slots of the same names: a model read twice from one file).
    #[inline]
    pub fn values_for(&self, slots: &Arc<Slots>) -> Option<&[Value]> {
        match &self.layout {
            Some(l) if Arc::ptr_eq(&l.slots, slots) || l.slots.names == slots.names => {
                Some(&l.values)
            }
            _ => None,
        }
    }

    /// Whether the record dropped fields that `slots` might read: it was made for one
    /// model only ([`Record::with_slots`] without `keep_others`) and `slots` are
    /// another model's. Such a record cannot answer for that model.
    pub(crate) fn made_for_other(&self, slots: &Arc<Slots>) -> bool {
        match &self.layout {
            Some(l) => !l.keep_others && self.values_for(slots).is_none(),
            None => false,
        }
    }

    /// Whether setting `field` keeps it: false only for a field without a slot in a
    /// record made for one model only (setting it does nothing).
    pub fn keeps(&self, field: &str) -> bool {
        match &self.layout {
            Some(l) => l.keep_others || l.slots.slot(field).is_some(),
            None => true,
        }
    }

    /// Removes every field, keeping the layout and its buffers (a record reused lead
    /// after lead allocates nothing for its strings).
    pub fn clear(&mut self) {
        if let Some(l) = &mut self.layout {
            for (v, spare) in l.values.iter_mut().zip(&mut l.spare) {
                if let Value::Str(s) = std::mem::take(v) {
                    *spare = s;
                }
            }
            l.last = l.slots.len();
        }
        self.fields.clear();
        self.invalid.clear();
    }

    /// Sets a field, replacing any earlier value.
    pub fn insert(&mut self, field: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        let field = field.into();
        self.set_value(&field, value.into());
        self
    }

    /// Builder form of [`Record::insert`].
    pub fn with(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(field, value);
        self
    }

    /// Sets a field to a value, replacing any earlier one.
    pub fn set_value(&mut self, field: &str, value: Value) {
        if !self.invalid.is_empty() {
            self.invalid.retain(|(f, _)| f != field);
        }
        if let Some(l) = &mut self.layout {
            if let Some(s) = l.find(field) {
                l.values[s] = value;
                return;
            }
            if !l.keep_others {
                return;
            }
        }
        match self.fields.get_mut(field) {
            Some(v) => *v = value,
            None => {
                self.fields.insert(field.to_owned(), value);
            }
        }
    }

    /// Sets a number (NaN means missing, as everywhere).
    #[inline]
    pub fn set_num(&mut self, field: &str, x: f64) {
        self.set_value(field, Value::Num(x));
    }

    /// Sets a boolean.
    #[inline]
    pub fn set_bool(&mut self, field: &str, b: bool) {
        self.set_value(field, Value::Bool(b));
    }

    /// Sets the field missing (as if it were absent).
    #[inline]
    pub fn set_missing(&mut self, field: &str) {
        self.set_value(field, Value::Missing);
    }

    /// Sets a string, reusing the buffer the slot's last string left (see
    /// [`Record::clear`]).
    pub fn set_str(&mut self, field: &str, s: &str) {
        if let Some(l) = &mut self.layout {
            if self.invalid.is_empty() {
                if let Some(slot) = l.find(field) {
                    let mut buf = match std::mem::take(&mut l.values[slot]) {
                        Value::Str(b) => b,
                        _ => std::mem::take(&mut l.spare[slot]),
                    };
                    buf.clear();
                    buf.push_str(s);
                    l.values[slot] = Value::Str(buf);
                    return;
                }
                if !l.keep_others {
                    return;
                }
            }
        }
        self.set_value(field, Value::Str(s.to_owned()));
    }

    /// Marks a field as holding a value the caller could not convert (an array, an
    /// object): scoring fails with [`Error::InvalidValue`] naming the field and
    /// `message`, but only by a model that reads the field.
    pub fn set_invalid(&mut self, field: &str, message: impl Into<String>) {
        self.set_value(field, Value::Missing);
        if let Some(l) = &self.layout {
            if !l.keep_others && l.slots.slot(field).is_none() {
                return;
            }
        }
        self.invalid.push((field.to_owned(), message.into()));
    }

    /// The fields set invalid, with why (see [`Record::set_invalid`]).
    pub fn invalid_fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.invalid.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// The first field set invalid that `reads` says is read, as the error.
    pub(crate) fn check_invalid(&self, reads: impl Fn(&str) -> bool) -> Result<()> {
        match self.invalid.iter().find(|(f, _)| reads(f)) {
            Some((field, message)) => Err(Error::InvalidValue {
                field: field.clone(),
                message: message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The value of a field, if present.
    pub fn get(&self, field: &str) -> Option<&Value> {
        if let Some(l) = &self.layout {
            if let Some(s) = l.slots.slot(field) {
                return Some(&l.values[s]).filter(|v| !matches!(v, Value::Missing));
            }
        }
        self.fields.get(field)
    }

    /// Number of fields (of a laid-out record: those with a value).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over (field, value) pairs in no particular order (of a laid-out
    /// record: the fields with a value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let slotted = self.layout.iter().flat_map(|l| {
            l.slots
                .names
                .iter()
                .zip(&l.values)
                .filter(|(_, v)| !matches!(v, Value::Missing))
                .map(|(n, v)| (&**n, v))
        });
        slotted.chain(self.fields.iter().map(|(k, v)| (k.as_str(), v)))
    }

    /// Parses a JSON object (`{"calls": 3, "city": "Kazan", "has_phone": true}`).
    /// Numbers, strings, booleans and null map to [`Value`]s; an array or a nested
    /// object is an invalid value of its field (see [`Record::set_invalid`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            Error::parse(e.line() as u64, None, format!("invalid JSON record: {e}"))
        })?;
        Self::from_json_value(&v)
    }

    /// Converts a parsed JSON object into a record (see [`Record::from_json`]).
    pub fn from_json_value(v: &serde_json::Value) -> Result<Self> {
        let mut r = Record::new();
        r.fill_json(v)?;
        Ok(r)
    }

    /// Sets the fields of a parsed JSON object (see [`Record::from_json`]) on this
    /// record (laid out or not).
    pub fn fill_json(&mut self, v: &serde_json::Value) -> Result<()> {
        let obj = v.as_object().ok_or_else(|| {
            Error::InvalidInput("a record must be a JSON object of field -> value".into())
        })?;
        for (k, v) in obj {
            match json_to_value(k, v) {
                Ok(v) => self.set_value(k, v),
                Err(Error::InvalidValue { message, .. }) => self.set_invalid(k, message),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Two records are equal when they hold the same fields with the same values
/// (whatever their layouts).
impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        let a: Map<&Value> = self.iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let b: Map<&Value> = other.iter().map(|(k, v)| (k.to_owned(), v)).collect();
        a == b && self.invalid == other.invalid
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

#[cfg(test)]
mod tests {
    use super::*;

    fn slots() -> Arc<Slots> {
        Arc::new(Slots::new(["tenure", "city", "calls"]))
    }

    #[test]
    fn a_laid_out_record_keeps_its_values_by_slot() {
        let s = slots();
        let mut r = Record::with_slots(s.clone(), false);
        r.set_num("calls", 4.0);
        r.set_str("city", "Kazan");
        r.set_str("unread", "x");
        assert_eq!(
            r.values_for(&s).unwrap(),
            &[Value::Missing, Value::Str("Kazan".into()), Value::Num(4.0)]
        );
        assert_eq!(r.get("unread"), None);
        assert_eq!(r.len(), 2);
        // Reused lead after lead, in the same order: the prediction and the buffers.
        r.clear();
        assert!(r.is_empty());
        r.set_num("calls", 5.0);
        r.set_str("city", "Omsk");
        assert_eq!(r.get("city"), Some(&Value::Str("Omsk".into())));
        assert_eq!(r, Record::new().with("calls", 5).with("city", "Omsk"));
    }

    #[test]
    fn binding_moves_every_field_and_keeps_the_others() {
        let s = slots();
        let mut r = Record::new().with("city", "Kazan").with("other", 1);
        assert!(r.values_for(&s).is_none());
        r.bind(&s);
        assert_eq!(r.values_for(&s).unwrap()[1], Value::Str("Kazan".into()));
        assert_eq!(r.get("other"), Some(&Value::Num(1.0)));
        let t = Arc::new(Slots::new(["other"]));
        r.bind(&t);
        assert_eq!(r.values_for(&t).unwrap(), &[Value::Num(1.0)]);
        assert_eq!(r.get("city"), Some(&Value::Str("Kazan".into())));
        assert_eq!(r, Record::new().with("city", "Kazan").with("other", 1));
    }

    #[test]
    fn an_invalid_value_fails_only_its_readers() {
        let mut r = Record::new().with("tenure", 3);
        r.set_invalid("zzz", "arrays and objects are not field values");
        assert!(r.check_invalid(|f| f == "tenure").is_ok());
        let e = r.check_invalid(|f| f == "zzz").unwrap_err();
        assert!(matches!(e, Error::InvalidValue { ref field, .. } if field == "zzz"));
        // A later value replaces the invalid one.
        r.set_num("zzz", 1.0);
        assert!(r.check_invalid(|_| true).is_ok());
        // A record for one model forgets what that model does not read.
        let mut one = Record::with_slots(slots(), false);
        one.set_invalid("zzz", "no");
        assert!(one.check_invalid(|_| true).is_ok());
        one.set_invalid("city", "no");
        assert!(one.check_invalid(|f| f == "city").is_err());
    }

    #[test]
    fn a_record_for_one_model_answers_only_for_models_of_the_same_inputs() {
        let s = slots();
        let same = Arc::new(Slots::new(["tenure", "city", "calls"]));
        let other = Arc::new(Slots::new(["tenure"]));
        let mut one = Record::with_slots(s.clone(), false);
        one.set_num("tenure", 2.0);
        assert!(!one.keeps("unread") && one.keeps("city"));
        assert!(one.values_for(&same).is_some() && !one.made_for_other(&same));
        assert!(one.made_for_other(&other));
        // A record keeping every field answers for any model, by name.
        let mut all = Record::with_slots(s, true);
        all.set_num("unread", 1.0);
        assert!(all.keeps("unread") && !all.made_for_other(&other));
        assert!(Record::new().keeps("anything"));
    }

    #[test]
    fn json_arrays_are_invalid_values_of_their_field() {
        let r = Record::from_json(r#"{"a": [1], "b": 2}"#).unwrap();
        assert_eq!(r.get("b"), Some(&Value::Num(2.0)));
        assert!(r.check_invalid(|f| f == "b").is_ok());
        assert!(r.check_invalid(|f| f == "a").is_err());
        assert!(Record::from_json("[1]").is_err());
    }
}
