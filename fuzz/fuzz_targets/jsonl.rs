//! JSON Lines bytes -> Table: a table or an error naming the line, never a panic.
#![no_main]
use leadscore::data::json::{read_jsonl_bytes, JsonOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = read_jsonl_bytes(data, &JsonOptions::default()) {
        let _ = leadscore::data::Schema::infer(&t, &[]);
    }
});
