//! CSV bytes -> Table: a table or an error naming the line, never a panic; a table
//! read is typed by the schema inference without a panic.
#![no_main]
use leadscore::data::csv::{read_csv_bytes, CsvOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for decimal_comma in [false, true] {
        let opts = CsvOptions {
            decimal_comma,
            ..CsvOptions::default()
        };
        if let Ok(t) = read_csv_bytes(data, &opts) {
            let _ = leadscore::data::Schema::infer(&t, &[]);
            for i in 0..t.n_rows().min(3) {
                let _ = t.record(i);
            }
        }
    }
});
