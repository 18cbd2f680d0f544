//! Python values in, core values out: records from dicts (a value that cannot be
//! converted, such as a list, is set invalid and fails only a model reading it), tables from columns that
//! `leadscore._frame` has already shaped (numeric or object numpy arrays, or
//! dictionary codes plus their distinct values), read through rust-numpy's borrowed,
//! checked views.

use crate::error::{invalid, PyLsResult};
use leadscore::{Column, Record, Table, Value};
use numpy::prelude::*;
use numpy::{Element, PyArray1, PyReadonlyArray1, PyUntypedArray};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// One Python value as a core [`Value`], or why it cannot be one (the inner error:
/// the caller marks the field invalid, so only a model that reads it fails).
///
/// `None`, NaN, `pandas.NA` and `NaT` are missing; `bool`, `int`, `float` and `str`
/// map directly; numpy scalars go through `.item()`. Anything else (a list, a dict)
/// cannot be converted.
pub fn to_value(v: &Bound<'_, PyAny>) -> PyResult<Result<Value, String>> {
    if v.is_none() {
        return Ok(Ok(Value::Missing));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Ok(Value::Str(s.to_cow()?.into_owned())));
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Ok(Value::Bool(b.is_true())));
    }
    if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>() {
        return Ok(match v.extract::<f64>() {
            Ok(x) => Ok(Value::Num(x)),
            Err(_) => Err(format!("the integer {v} does not fit a 64-bit float")),
        });
    }
    let ty = v.get_type();
    let type_name = ty.name()?.to_string();
    if type_name == "NAType" || type_name == "NaTType" {
        return Ok(Ok(Value::Missing));
    }
    let module = ty.module()?.to_string();
    if module == "numpy" && v.hasattr("item")? {
        let item = v.call_method0("item")?;
        if !item.get_type().is(&ty) {
            return to_value(&item);
        }
    }
    Ok(Err(format!(
        "unsupported value of type {module}.{type_name}; use a number, string, bool or None"
    )))
}

/// Sets the fields of a dict of field -> value on `r` (a record laid out for a model
/// drops the fields the model does not read as they are set).
pub fn fill_record(r: &mut Record, record: &Bound<'_, PyAny>) -> PyLsResult<()> {
    let dict = record.cast::<PyDict>().map_err(|_| {
        invalid(format!(
            "a record must be a dict of field -> value, got {}",
            record
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    for (k, v) in dict.iter() {
        let key = k
            .cast::<PyString>()
            .map_err(|_| invalid(format!("record field names must be strings, got {k}")))?;
        let key = key.to_cow()?;
        match to_value(&v)? {
            Ok(Value::Str(s)) => r.set_str(&key, &s),
            Ok(value) => r.set_value(&key, value),
            Err(why) => r.set_invalid(&key, why),
        }
    }
    Ok(())
}

/// A dict of field -> value as a core [`Record`] not tied to a model.
pub fn to_record(record: &Bound<'_, PyAny>) -> PyLsResult<Record> {
    let mut r = Record::new();
    fill_record(&mut r, record)?;
    Ok(r)
}

/// `arr` as a read-only 1-D numpy array of `T` (native byte order), or an error that
/// names `what` and says what is wrong.
fn array1<'py, T: Element>(
    arr: &Bound<'py, PyAny>,
    what: &str,
) -> PyLsResult<PyReadonlyArray1<'py, T>> {
    let untyped = arr
        .cast::<PyUntypedArray>()
        .map_err(|_| invalid(format!("{what}: expected a numpy array")))?;
    if untyped.ndim() != 1 {
        return Err(invalid(format!(
            "{what}: expected a 1-D array, got shape {:?}",
            untyped.shape()
        )));
    }
    let want = numpy::dtype::<T>(arr.py());
    let got = untyped.dtype();
    if !got.is_equiv_to(&want) {
        return Err(invalid(format!("{what}: expected dtype {want}, got {got}")));
    }
    untyped
        .cast::<PyArray1<T>>()?
        .try_readonly()
        .map_err(|e| invalid(format!("{what}: {e}")))
}

/// [`array1`], contiguous and aligned so that `as_slice` borrows it: a strided view
/// (`x[::2]`, a column of a 2-D array) or misaligned data is first copied by numpy
/// (`ndarray.copy()`: a new, C-ordered, aligned array). `leadscore._frame` already
/// passes contiguous arrays, so this copy happens only for direct calls.
fn contiguous1<'py, T: Element>(
    arr: &Bound<'py, PyAny>,
    what: &str,
) -> PyLsResult<PyReadonlyArray1<'py, T>> {
    let a = array1::<T>(arr, what)?;
    if a.as_slice().is_ok() {
        return Ok(a);
    }
    array1::<T>(&arr.call_method0("copy")?, what)
}

/// True for a numpy array of dtype object (its cells are Python objects).
fn is_object_array(arr: &Bound<'_, PyAny>) -> bool {
    arr.cast::<PyUntypedArray>()
        .is_ok_and(|a| a.dtype().is_equiv_to(&numpy::dtype::<Py<PyAny>>(arr.py())))
}

/// The elements of an array [`contiguous1`] returned (an error only if numpy's copy
/// were not contiguous and aligned either).
fn slice<'a, T: Element>(a: &'a PyReadonlyArray1<'_, T>, what: &str) -> PyLsResult<&'a [T]> {
    a.as_slice().map_err(|_| {
        invalid(format!(
            "{what}: the array is not contiguous or not aligned"
        ))
    })
}

/// A distinct raw value, hashable: how object cells are deduplicated by value.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Str(String),
    Num(u64),
    Bool(bool),
}

/// Slots of [`intern_objects`]' cache of recent objects (indexed by address / 16:
/// Python objects are 16-byte aligned).
const RECENT: usize = 16;

/// A hasher for object addresses (aligned, so the low bits carry nothing).
#[derive(Default)]
struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        let h = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds a column from a 1-D numpy object array (strings, mixed values, None). Each
/// distinct object is converted once: cells that are the same object (pandas shares
/// equal strings it reads) cost one pointer comparison or lookup, and distinct objects
/// with equal values share a level. Typing follows [`Column::from_coded_values`].
/// Cells that cannot be converted are missing and listed (row, why) for
/// [`Table::set_invalid`].
fn intern_objects(
    name: &str,
    arr: &Bound<'_, PyAny>,
) -> PyLsResult<(Column, Vec<(usize, String)>)> {
    let what = format!("column \"{name}\"");
    let py = arr.py();
    let arr = contiguous1::<Py<PyAny>>(arr, &what)?;
    let cells = slice(&arr, &what)?;
    let mut codes: Vec<i64> = Vec::with_capacity(cells.len());
    let mut levels: Vec<Value> = Vec::new();
    let mut by_addr: std::collections::HashMap<
        usize,
        i64,
        std::hash::BuildHasherDefault<AddrHasher>,
    > = Default::default();
    let mut by_value: std::collections::HashMap<Key, i64> = Default::default();
    // A direct-mapped cache of recent objects in front of `by_addr`: the few distinct
    // objects of a categorical column stay in it, one comparison per cell.
    let mut recent = [(usize::MAX, -1i64); RECENT];
    // Objects that cannot be converted: code -2 - their index here.
    let mut unconvertible: Vec<String> = Vec::new();
    let mut invalid_rows: Vec<(usize, String)> = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        // The object's address identifies it: the array holds a reference to each
        // cell for the whole loop, so an address stands for one object throughout.
        let addr = cell.as_ptr() as usize;
        let slot = &mut recent[(addr >> 4) % RECENT];
        if slot.0 == addr && slot.1 >= -1 {
            codes.push(slot.1);
            continue;
        }
        let code = match by_addr.get(&addr) {
            Some(&c) => c,
            None => {
                // A strong reference of our own for the conversion (which may run
                // Python code), released after.
                let obj = cell.clone_ref(py).into_bound(py);
                let value = match to_value(&obj)? {
                    Ok(v) => v,
                    Err(why) => {
                        unconvertible.push(why);
                        let c = -1 - unconvertible.len() as i64;
                        by_addr.insert(addr, c);
                        c_invalid(&mut codes, &mut invalid_rows, i, &unconvertible, c);
                        continue;
                    }
                };
                let key = match &value {
                    Value::Missing => None,
                    Value::Num(x) if x.is_nan() => None,
                    Value::Num(x) => Some(Key::Num(x.to_bits())),
                    Value::Str(s) => Some(Key::Str(s.clone())),
                    Value::Bool(b) => Some(Key::Bool(*b)),
                };
                let c = match key {
                    None => -1,
                    Some(k) => *by_value.entry(k).or_insert_with(|| {
                        levels.push(value);
                        (levels.len() - 1) as i64
                    }),
                };
                by_addr.insert(addr, c);
                c
            }
        };
        if code < -1 {
            c_invalid(&mut codes, &mut invalid_rows, i, &unconvertible, code);
            continue;
        }
        *slot = (addr, code);
        codes.push(code);
    }
    let column =
        Column::from_coded_values(&codes, &levels).map_err(|e| invalid(format!("{what}: {e}")))?;
    Ok((column, invalid_rows))
}

/// Row `row` holds the unconvertible object of code `code` (-2 - its index in
/// `why`): a missing code, and the row listed with why.
fn c_invalid(
    codes: &mut Vec<i64>,
    rows: &mut Vec<(usize, String)>,
    row: usize,
    why: &[String],
    code: i64,
) {
    codes.push(-1);
    let i = (-2 - code) as usize;
    rows.push((row, why.get(i).cloned().unwrap_or_default()));
}

/// Builds a core [`Table`] from `leadscore._frame` columns: each is a float64 array
/// (numbers, NaN missing), an object array (raw values, see [`intern_objects`]) or a
/// `(codes, values)` pair (int64 codes, -1 missing, and the list of distinct raw
/// values). Arrays that are not contiguous are read through a copy (see [`contiguous1`]). With `n_rows`, the table has that many rows even
/// without a column (a batch of records without fields).
pub fn to_table(
    names: &Bound<'_, PyList>,
    cols: &Bound<'_, PyList>,
    n_rows: Option<usize>,
) -> PyLsResult<Table> {
    if names.len() != cols.len() {
        return Err(invalid(format!(
            "{} column names for {} columns",
            names.len(),
            cols.len()
        )));
    }
    let mut table = n_rows.map_or_else(Table::new, Table::with_rows);
    let mut invalid_cells: Vec<(usize, String, String)> = Vec::new();
    for (name, col) in names.iter().zip(cols.iter()) {
        let name: String = name.extract()?;
        let what = format!("column \"{name}\"");
        let column = if let Ok(pair) = col.cast::<PyTuple>() {
            if pair.len() != 2 {
                return Err(invalid(format!("{what}: expected (codes, values)")));
            }
            let codes = pair.get_item(0)?;
            let codes = contiguous1::<i64>(&codes, &what)?;
            let levels = pair.get_item(1)?;
            let levels = levels.cast::<PyList>()?;
            let mut values = Vec::with_capacity(levels.len());
            let mut why: Vec<Option<String>> = Vec::with_capacity(levels.len());
            for v in levels.iter() {
                match to_value(&v)? {
                    Ok(v) => {
                        values.push(v);
                        why.push(None);
                    }
                    Err(w) => {
                        values.push(Value::Missing);
                        why.push(Some(w));
                    }
                }
            }
            // Borrowed only now that no Python code (`to_value`) runs: read in place.
            let codes = slice(&codes, &what)?;
            if why.iter().any(Option::is_some) {
                for (row, &c) in codes.iter().enumerate() {
                    if let Some(Some(w)) = usize::try_from(c).ok().and_then(|c| why.get(c)) {
                        invalid_cells.push((row, name.clone(), w.clone()));
                    }
                }
            }
            Column::from_coded_values(codes, &values)
                .map_err(|e| invalid(format!("{what}: {e}")))?
        } else if is_object_array(&col) {
            let (column, rows) = intern_objects(&name, &col)?;
            invalid_cells.extend(rows.into_iter().map(|(r, w)| (r, name.clone(), w)));
            column
        } else {
            let values = contiguous1::<f64>(&col, &what)?;
            Column::Num(slice(&values, &what)?.to_vec())
        };
        table.push_column(name, column)?;
    }
    for (row, field, why) in invalid_cells {
        table.set_invalid(row, &field, why);
    }
    Ok(table)
}
