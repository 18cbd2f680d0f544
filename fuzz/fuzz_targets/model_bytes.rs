//! Model bytes -> Model: any input is a model or a ModelFormat error, never a panic
//! or an allocation far beyond the input; a model that loads scores, explains and
//! describes itself without a panic.
#![no_main]
use leadscore::{Model, Record, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As given (the envelope's checks), and with the header's length and checksum
    // made right for the rest, so the mutations reach the payload's decoder instead
    // of stopping at the checksum.
    let _ = Model::from_bytes(data);
    let Some(payload) = data.get(14..) else {
        return;
    };
    let mut fixed = Vec::with_capacity(data.len());
    fixed.extend_from_slice(b"LSCM");
    fixed.extend_from_slice(&[data[4] % 3, 0]);
    fixed.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    fixed.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    fixed.extend_from_slice(payload);
    let Ok(model) = Model::from_bytes(&fixed) else {
        return;
    };
    let mut lead = Record::new();
    for (i, name) in model.input_names().into_iter().enumerate() {
        let v = match i % 4 {
            0 => Value::Num(i as f64 * 1.5 - 3.0),
            1 => Value::Str("call me back".into()),
            2 => Value::Bool(i % 3 == 0),
            _ => Value::Missing,
        };
        lead.insert(name, v);
    }
    if let Ok(s) = model.score(&lead) {
        assert!((0.0..=1.0).contains(&s.probability), "{s:?}");
        assert!((1..=99).contains(&s.score), "{s:?}");
    }
    let _ = model.explain(&lead, 3);
    let _ = model.info();
    let _ = model.to_json();
    let _ = model.to_bytes();
});
