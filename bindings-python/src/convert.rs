//! Python values in, core values out: records from dicts (a value that cannot be
//! converted, such as a list, is set invalid and fails only a model reading it), tables from columns that
//! `leadscore._frame` has already shaped (numeric numpy arrays, or dictionary codes
//! plus their distinct values), and numpy buffers read or written in place.

use crate::error::{invalid, PyLsResult};
use leadscore::{Column, Record, Table, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// numpy's type string of a native-endian float64.
const F8: &str = if cfg!(target_endian = "little") {
    "<f8"
} else {
    ">f8"
};
/// numpy's type string of a native-endian int64.
const I8: &str = if cfg!(target_endian = "little") {
    "<i8"
} else {
    ">i8"
};

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

/// What `__array_interface__` says about a one-dimensional numpy array.
struct ArrayView {
    ptr: usize,
    len: usize,
    readonly: bool,
}

/// Reads and checks the interface of a 1-D, C-contiguous array of `typestr`.
fn array_view(arr: &Bound<'_, PyAny>, typestr: &str, what: &str) -> PyLsResult<ArrayView> {
    let iface = arr
        .getattr("__array_interface__")
        .map_err(|_| invalid(format!("{what}: expected a numpy array")))?;
    let iface = iface.cast::<PyDict>()?;
    let get = |k: &str| -> PyLsResult<Bound<'_, PyAny>> {
        iface
            .get_item(k)?
            .ok_or_else(|| invalid(format!("{what}: array interface lacks \"{k}\"")))
    };
    let ts: String = get("typestr")?.extract()?;
    if ts != typestr {
        return Err(invalid(format!(
            "{what}: expected dtype {typestr}, got {ts}"
        )));
    }
    let shape: Vec<usize> = get("shape")?.extract()?;
    if shape.len() != 1 {
        return Err(invalid(format!(
            "{what}: expected a 1-D array, got shape {shape:?}"
        )));
    }
    if let Some(strides) = iface.get_item("strides")? {
        if !strides.is_none() {
            return Err(invalid(format!("{what}: the array is not contiguous")));
        }
    }
    let data = get("data")?;
    let data = data.cast::<PyTuple>()?;
    let ptr: usize = data.get_item(0)?.extract()?;
    let readonly: bool = data.get_item(1)?.extract()?;
    Ok(ArrayView {
        ptr,
        len: shape[0],
        readonly,
    })
}

/// Copies a 1-D numpy array of 8-byte elements (native float64 or int64) into a Vec (one memcpy).
fn copy_array<T: Copy>(arr: &Bound<'_, PyAny>, typestr: &str, what: &str) -> PyLsResult<Vec<T>> {
    debug_assert_eq!(std::mem::size_of::<T>(), 8);
    let view = array_view(arr, typestr, what)?;
    if view.len == 0 {
        return Ok(Vec::new());
    }
    if view.ptr == 0 || view.ptr % std::mem::align_of::<T>() != 0 {
        return Err(invalid(format!("{what}: the array data is not aligned")));
    }
    // SAFETY: numpy's `__array_interface__` (checked above: 1-D, C-contiguous, an
    // 8-byte native-endian type that matches `T`, non-null and aligned) says `view.len`
    // elements of `T` start at `view.ptr`. `arr` is borrowed for this whole function so
    // the buffer stays alive, and we hold the GIL (the `Bound` proves it), so no Python
    // code can resize or free the array while we copy; `T` is a plain `f64`/`i64` for
    // which every bit pattern is valid.
    let slice = unsafe { std::slice::from_raw_parts(view.ptr as *const T, view.len) };
    Ok(slice.to_vec())
}

/// The numpy type string of an array (`<f8`, `|O`...), or an error for a non-array.
fn typestr(arr: &Bound<'_, PyAny>) -> PyLsResult<String> {
    let iface = arr
        .getattr("__array_interface__")
        .map_err(|_| invalid("expected a numpy array"))?;
    Ok(iface.get_item("typestr")?.extract()?)
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
    let view = array_view(arr, "|O", &what)?;
    let py = arr.py();
    let ptr_size = std::mem::size_of::<*mut pyo3::ffi::PyObject>();
    if view.len > 0 && (view.ptr == 0 || view.ptr % ptr_size != 0) {
        return Err(invalid(format!("{what}: the array data is not aligned")));
    }
    let mut codes: Vec<i64> = Vec::with_capacity(view.len);
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
    for i in 0..view.len {
        // SAFETY: the interface (checked by `array_view`: 1-D, contiguous, dtype object,
        // aligned) says `view.len` object pointers start at `view.ptr`. `arr` is borrowed
        // for the whole loop and we hold the GIL, so the array and the references it owns
        // stay alive and unchanged; `i < view.len` keeps the read in bounds.
        let addr = unsafe { *(view.ptr as *const *mut pyo3::ffi::PyObject).add(i) } as usize;
        let slot = &mut recent[(addr >> 4) % RECENT];
        if slot.0 == addr && slot.1 >= -1 {
            codes.push(slot.1);
            continue;
        }
        let code = match by_addr.get(&addr) {
            Some(&c) => c,
            None => {
                // SAFETY: `addr` is an element of the live object array (see above), so
                // it is null or a valid object the array holds a reference to; we take a
                // new strong reference for the conversion and release it after.
                let obj = unsafe {
                    Bound::from_borrowed_ptr_or_opt(py, addr as *mut pyo3::ffi::PyObject)
                };
                let value = match obj {
                    None => Value::Missing,
                    Some(o) => match to_value(&o)? {
                        Ok(v) => v,
                        Err(why) => {
                            unconvertible.push(why);
                            let c = -1 - unconvertible.len() as i64;
                            by_addr.insert(addr, c);
                            c_invalid(&mut codes, &mut invalid_rows, i, &unconvertible, c);
                            continue;
                        }
                    },
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

/// Writes `values` into a writable 1-D float64 numpy array of the same length.
pub fn write_f64(out: &Bound<'_, PyAny>, values: &[f64]) -> PyLsResult<()> {
    let view = array_view(out, F8, "output")?;
    if view.readonly {
        return Err(invalid("output: the array is read-only"));
    }
    if view.len != values.len() {
        return Err(invalid(format!(
            "output: the array has {} rows, expected {}",
            view.len,
            values.len()
        )));
    }
    if view.len == 0 {
        return Ok(());
    }
    if view.ptr == 0 || view.ptr % std::mem::align_of::<f64>() != 0 {
        return Err(invalid("output: the array data is not aligned"));
    }
    // SAFETY: as in `copy_array`, the interface describes `view.len` aligned, writable
    // (readonly is false), contiguous f64 slots at `view.ptr`; `out` is borrowed and the
    // GIL is held for the whole write, and `values` is a Rust slice that cannot overlap
    // numpy's buffer.
    unsafe {
        std::ptr::copy_nonoverlapping(values.as_ptr(), view.ptr as *mut f64, view.len);
    }
    Ok(())
}

/// Builds a core [`Table`] from `leadscore._frame` columns: each is a float64 array
/// (numbers, NaN missing) or a `(codes, values)` pair (int64 codes, -1 missing, and
/// the list of distinct raw values). With `n_rows`, the table has that many rows even
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
            let codes: Vec<i64> = copy_array(&pair.get_item(0)?, I8, &what)?;
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
            if why.iter().any(Option::is_some) {
                for (row, &c) in codes.iter().enumerate() {
                    if let Some(Some(w)) = usize::try_from(c).ok().and_then(|c| why.get(c)) {
                        invalid_cells.push((row, name.clone(), w.clone()));
                    }
                }
            }
            Column::from_coded_values(&codes, &values)
                .map_err(|e| invalid(format!("{what}: {e}")))?
        } else if typestr(&col)? == "|O" {
            let (column, rows) = intern_objects(&name, &col)?;
            invalid_cells.extend(rows.into_iter().map(|(r, w)| (r, name.clone(), w)));
            column
        } else {
            Column::Num(copy_array(&col, F8, &what)?)
        };
        table.push_column(name, column)?;
    }
    for (row, field, why) in invalid_cells {
        table.set_invalid(row, &field, why);
    }
    Ok(table)
}
