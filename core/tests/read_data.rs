//! Integration tests of the CSV and JSON Lines readers (and the CSV writer).

use leadscore::data::{
    read_csv_bytes, read_csv_path, read_csv_reader, read_jsonl_bytes, read_jsonl_path,
    read_jsonl_reader, write_csv, CsvOptions, JsonOptions, StrColumn,
};
use leadscore::error::Location;
use leadscore::{Column, Error, ErrorCode, Table};

fn csv(text: &str) -> Result<Table, Error> {
    read_csv_bytes(text.as_bytes(), &CsvOptions::default())
}

fn csv_ok(text: &str) -> Table {
    match csv(text) {
        Ok(t) => t,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn csv_err(bytes: &[u8]) -> Error {
    match read_csv_bytes(bytes, &CsvOptions::default()) {
        Ok(t) => panic!("expected an error, got {t:?}"),
        Err(e) => e,
    }
}

fn jsonl_ok(text: &str) -> Table {
    match read_jsonl_bytes(text.as_bytes(), &JsonOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn jsonl_err(bytes: &[u8]) -> Error {
    match read_jsonl_bytes(bytes, &JsonOptions::default()) {
        Ok(t) => panic!("expected an error, got {t:?}"),
        Err(e) => e,
    }
}

fn location(e: &Error) -> Location {
    match e {
        Error::Parse { at, .. } => at.clone(),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn nums<'a>(t: &'a Table, name: &str) -> &'a [f64] {
    match t.column(name) {
        Some(Column::Num(v)) => v,
        other => panic!("column {name}: expected numbers, got {other:?}"),
    }
}

fn strs<'a>(t: &'a Table, name: &str) -> &'a StrColumn {
    match t.column(name) {
        Some(Column::Str(s)) => s,
        other => panic!("column {name}: expected strings, got {other:?}"),
    }
}

/// Tables equal, NaN cells included.
fn same(a: &Table, b: &Table) -> bool {
    fn col_eq(a: &Column, b: &Column) -> bool {
        match (a, b) {
            (Column::Num(x), Column::Num(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(p, q)| p == q || (p.is_nan() && q.is_nan()))
            }
            (Column::Str(x), Column::Str(y)) => x == y,
            _ => false,
        }
    }
    a.names() == b.names()
        && lines(a) == lines(b)
        && a.columns().len() == b.columns().len()
        && a.columns()
            .iter()
            .zip(b.columns())
            .all(|(x, y)| col_eq(x, y))
}

fn lines(t: &Table) -> Vec<u64> {
    (0..t.n_rows()).map(|i| t.line_of(i)).collect()
}

fn data_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

// ------------------------------------------------------------------------- CSV --

#[test]
fn csv_basic_typing_and_missing() {
    let t = csv_ok(
        "id, amount ,stage,note,empty\n\
         1,10.5,won, hello ,\n\
         2,NA,lost,,\n\
         3, -2e3 , won ,N/A,NULL\n",
    );
    assert_eq!(t.names(), ["id", "amount", "stage", "note", "empty"]);
    assert_eq!(t.n_rows(), 3);
    assert_eq!(nums(&t, "id"), [1.0, 2.0, 3.0]);
    let amount = nums(&t, "amount");
    assert_eq!(amount[0], 10.5);
    assert!(amount[1].is_nan());
    assert_eq!(amount[2], -2000.0);
    let stage = strs(&t, "stage");
    assert_eq!(stage.levels, ["won", "lost"]);
    assert_eq!(stage.codes, [0, 1, 0]);
    let note = strs(&t, "note");
    assert_eq!(note.get(0), Some("hello"));
    assert_eq!(note.get(1), None);
    assert_eq!(note.get(2), None);
    // A column with no value at all is numeric, all missing.
    assert!(nums(&t, "empty").iter().all(|x| x.is_nan()));
    assert_eq!(lines(&t), [2, 3, 4]);
}

#[test]
fn csv_custom_na_values() {
    let opts = CsvOptions {
        na_values: vec!["-".into(), " unknown ".into()],
        ..CsvOptions::default()
    };
    let t = read_csv_bytes(b"a,b\n1,x\n-,unknown\n2,y\n", &opts).unwrap();
    assert!(nums(&t, "a")[1].is_nan());
    let b = strs(&t, "b");
    assert_eq!(b.get(1), None);
    assert_eq!(b.get(2), Some("y"));
    // "" is no longer missing: a column with an empty cell holds an empty level.
    let t = read_csv_bytes(b"a,b\n1,x\n,y\n", &opts).unwrap();
    assert_eq!(strs(&t, "a").levels, ["1", ""]);
}

#[test]
fn csv_column_that_stops_being_numeric_late_keeps_its_texts() {
    // 300 number-like codes (leading zeros, trailing zeros, signs, exponents), then
    // words: the column is strings, and each cell keeps the text it was written with.
    let mut text = String::from("zip,amount\n");
    let written = ["01234", "1.50", "+7", "1e3", "-0", ".5", "007", "10115"];
    for k in 0..300 {
        text.push_str(&format!("{},{k}.25\n", written[k % written.len()]));
    }
    for k in 0..300 {
        text.push_str(&format!("SW{k} 1AA,{k}\n"));
    }
    let t = csv_ok(&text);
    let zip = strs(&t, "zip");
    for (k, w) in written.iter().enumerate() {
        assert_eq!(zip.get(k), Some(*w));
    }
    assert_eq!(zip.get(300), Some("SW0 1AA"));
    assert_eq!(nums(&t, "amount")[1], 1.25);
    assert_eq!(lines(&t)[599], 601);
    // The same from a reader that can be read only once.
    let again = read_csv_reader(
        std::io::Cursor::new(text.into_bytes()),
        &CsvOptions::default(),
    )
    .unwrap();
    assert!(same(&t, &again));
}

#[test]
fn csv_numeric_column_with_a_few_odd_cells_and_missing_values() {
    // Words before the first number make no difference; one odd cell in 200 numbers
    // keeps the column numeric and is reported with its line.
    let mut text = String::from("a,b\nNA,x\n,y\n");
    for k in 0..200 {
        text.push_str(&format!(
            "{},s{}\n",
            if k == 150 {
                "n/a?".into()
            } else {
                format!("{k}")
            },
            k % 3
        ));
    }
    let t = csv_ok(&text);
    let a = nums(&t, "a");
    assert!(a[0].is_nan() && a[1].is_nan() && a[152].is_nan());
    assert_eq!(a[2], 0.0);
    assert_eq!(a[201], 199.0);
    assert_eq!(strs(&t, "b").get(0), Some("x"));
    assert_eq!(strs(&t, "b").get(2), Some("s0"));
    assert_eq!(t.notes().len(), 1, "{:?}", t.notes());
    assert!(
        t.notes()[0].contains("1 of 200 cells") && t.notes()[0].contains("line 154"),
        "{:?}",
        t.notes()
    );
    // A missing-value text that reads as a number is missing, not the number.
    let opts = CsvOptions {
        na_values: vec!["-1".into(), "".into()],
        ..CsvOptions::default()
    };
    let t = read_csv_bytes(b"a\n3\n-1\n\xC2\xA0-1\xC2\xA0\n 4 \n", &opts).unwrap();
    let a = nums(&t, "a");
    assert_eq!(a[0], 3.0);
    assert!(a[1].is_nan() && a[2].is_nan());
    assert_eq!(a[3], 4.0);
}

#[test]
fn csv_ragged_row() {
    let text = "a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4,5\n1,2,3,4\n";
    let e = csv_err(text.as_bytes());
    assert_eq!(e.to_string(), "line 7: 5 fields, the header has 4");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    // Too few fields, on the last line, without a final newline.
    let e = csv_err(b"a,b,c\n1,2,3\n4,5");
    assert_eq!(e.to_string(), "line 3: 2 fields, the header has 3");
}

#[test]
fn csv_unclosed_and_misplaced_quotes() {
    // A quote never closed swallows the rest of the file: say where it opened.
    for text in [
        &b"a,b\n1,2\n3,\"oops\n4,5\n6,7\n"[..],
        b"a,b\n1,2\n3,\"oops\n4,5\n6,7",
        b"a,b\r\n1,2\r\n3,\"oops\r\n4,5\r\n",
        b"a,b\n1,2\n3,\"oops",
    ] {
        let e = csv_err(text);
        assert_eq!(
            e.to_string(),
            "line 3: this quote is never closed: the field runs to the end of the file"
        );
    }
    let e = csv_err(b"a,\"b\n1,2\n");
    assert!(e
        .to_string()
        .starts_with("line 1: this quote is never closed"));

    // A closed quoted field that spans rows makes a ragged row: hint at the quote.
    let e = csv_err(b"a,b\n1,\"oops\n2,3\n4\",5\n6,7\n");
    let msg = e.to_string();
    assert!(
        msg.starts_with("line 2: 3 fields, the header has 2"),
        "{msg}"
    );
    assert!(msg.contains("closing quote"), "{msg}");
    assert!(!msg.contains('\n'));

    // Quotes inside an unquoted field are literal.
    let t = csv_ok("size,b\n5\" screen,1\n7\",2\n");
    assert_eq!(strs(&t, "size").levels, ["5\" screen", "7\""]);
    assert_eq!(lines(&t), [2, 3]);
    // A quoted field ending at the file's end is closed.
    let t = csv_ok("a,b\n1,\"x\ny\n\"");
    assert_eq!(strs(&t, "b").get(0), Some("x\ny"));
    assert_eq!(lines(&t), [2]);
    let t = csv_ok("a,b\n1,\"x\ny\n\"\n");
    assert_eq!(lines(&t), [2]);
}

#[test]
fn csv_invalid_utf8() {
    let mut bytes = b"name,city\nAnna,Kazan\nBoris,Mos".to_vec();
    let bad_at = bytes.len() as u64;
    bytes.extend_from_slice(b"\xFFcow\n");
    let e = csv_err(&bytes);
    let at = location(&e);
    assert_eq!(at.line, 3);
    assert_eq!(at.column.as_deref(), Some("city"));
    assert_eq!(at.byte, Some(bad_at));
    let msg = e.to_string();
    assert!(
        msg.starts_with("line 3, column \"city\" (byte 30): "),
        "{msg}"
    );

    // In the header: no column name to give, but the field and byte.
    let e = csv_err(b"a,b\xC3x\n1,2\n");
    let at = location(&e);
    assert_eq!((at.line, at.byte), (1, Some(3)));
    assert!(e.to_string().contains("header field 2"));

    // A truncated sequence at the very end of the input.
    let e = csv_err(b"a,b\n1,\xC3");
    assert_eq!(location(&e).byte, Some(6));
    assert_eq!(location(&e).line, 2);
}

#[test]
fn csv_valid_multibyte_and_unicode_spaces() {
    let t = csv_ok("город,сумма\nКазань,1\n\u{a0}Казань\u{a0},2\n");
    assert_eq!(t.names(), ["город", "сумма"]);
    assert_eq!(strs(&t, "город").levels, ["Казань"]);
    assert_eq!(strs(&t, "город").codes, [0, 0]);
}

#[test]
fn csv_bom_is_stripped() {
    let t = read_csv_bytes(b"\xEF\xBB\xBFname,score\nx,1\n", &CsvOptions::default()).unwrap();
    assert_eq!(t.names(), ["name", "score"]);
    assert_eq!(lines(&t), [2]);
    // Byte offsets still count the BOM.
    let e = csv_err(b"\xEF\xBB\xBFa\n\xFF\n");
    assert_eq!(location(&e).byte, Some(5));
}

#[test]
fn csv_semicolon_with_decimal_comma() {
    let opts = CsvOptions {
        decimal_comma: true,
        ..CsvOptions::default()
    };
    let text =
        "Firma;Umsatz;Anteil;Notiz\r\nAcme;1.234;0,5;\"a; b\"\r\n\"Foo, GmbH\";-12,75;1;x\r\n";
    let t = read_csv_bytes(text.as_bytes(), &opts).unwrap();
    assert_eq!(t.names(), ["Firma", "Umsatz", "Anteil", "Notiz"]);
    // "1.234" is not a number with a decimal comma: the column stays text.
    assert_eq!(strs(&t, "Umsatz").levels, ["1.234", "-12,75"]);
    assert_eq!(nums(&t, "Anteil"), [0.5, 1.0]);
    assert_eq!(strs(&t, "Notiz").get(0), Some("a; b"));
    assert_eq!(strs(&t, "Firma").get(1), Some("Foo, GmbH"));
    assert_eq!(lines(&t), [2, 3]);

    let t = read_csv_bytes(b"a;b\n1,5;2\n-0,25;3\n", &opts).unwrap();
    assert_eq!(nums(&t, "a"), [1.5, -0.25]);
    // Without the option the same cells are text.
    let t = csv_ok("a;b\n1,5;2\n");
    assert_eq!(strs(&t, "a").get(0), Some("1,5"));
}

#[test]
fn csv_tab_delimiter_sniffed_and_forced() {
    let t = csv_ok("a\tb c\tc,d\n1\tx y\t2,5\n");
    assert_eq!(t.names(), ["a", "b c", "c,d"]);
    assert_eq!(strs(&t, "b c").get(0), Some("x y"));
    // A forced delimiter wins over sniffing.
    let opts = CsvOptions {
        delimiter: Some(b'|'),
        ..CsvOptions::default()
    };
    let t = read_csv_bytes(b"a|b,c\n1|2,3\n", &opts).unwrap();
    assert_eq!(t.names(), ["a", "b,c"]);
}

#[test]
fn csv_embedded_newlines_and_line_numbers() {
    let text = "id,comment,score\n\
                1,\"line one\nline two\nline three\",5\n\
                2,\"she said \"\"hi, there\"\"\",6\n\
                \n\
                3,plain,7\n";
    let t = csv_ok(text);
    assert_eq!(t.n_rows(), 3);
    assert_eq!(
        strs(&t, "comment").get(0),
        Some("line one\nline two\nline three")
    );
    assert_eq!(strs(&t, "comment").get(1), Some("she said \"hi, there\""));
    assert_eq!(lines(&t), [2, 5, 7]);

    // The same with CRLF endings and no final newline.
    let crlf = text.replace('\n', "\r\n");
    let crlf = crlf.trim_end();
    let t = csv_ok(crlf);
    assert_eq!(lines(&t), [2, 5, 7]);
    assert_eq!(
        strs(&t, "comment").get(0),
        Some("line one\r\nline two\r\nline three")
    );
    assert_eq!(nums(&t, "score"), [5.0, 6.0, 7.0]);

    // A ragged row after a multi-line field is reported on its own line.
    let e = csv_err(b"a,b\n\"x\ny\",1\n2\n");
    assert_eq!(e.to_string(), "line 4: 1 field, the header has 2");
}

#[test]
fn csv_blank_lines_and_leading_blank_lines() {
    let t = csv_ok("\n\n  \na,b\n\n1,2\n   \n3,4\n\n");
    assert_eq!(t.names(), ["a", "b"]);
    assert_eq!(lines(&t), [6, 8]);
    let t = csv_ok("\r\n\r\na;b\r\n\r\n1;2\r\n");
    assert_eq!(t.names(), ["a", "b"]);
    assert_eq!(lines(&t), [5]);
}

#[test]
fn csv_classic_mac_line_endings() {
    let t = csv_ok("a,b\r1,x\r2,\"y\rz\"\r3,w");
    assert_eq!(t.n_rows(), 3);
    assert_eq!(lines(&t), [2, 3, 5]);
    assert_eq!(strs(&t, "b").get(1), Some("y\nz"));
}

#[test]
fn csv_single_column_keeps_quoted_empty_rows() {
    let t = csv_ok("x\n1\n\"\"\n3\n");
    assert_eq!(t.n_rows(), 3);
    assert!(nums(&t, "x")[1].is_nan());
}

#[test]
fn csv_empty_and_header_only() {
    let e = csv_err(b"");
    assert_eq!(e.to_string(), "line 1: empty file: no header row");
    let e = csv_err(b"\n \r\n\n");
    assert!(e.to_string().contains("empty file: no header row"));
    let e = csv_err(b"\xEF\xBB\xBF");
    assert!(e.to_string().contains("empty file"));
    let e = csv_err(b"a,b,c\n");
    assert_eq!(e.to_string(), "line 1: no data rows after the header");
    let e = csv_err(b"a,b,c");
    assert_eq!(e.to_string(), "line 1: no data rows after the header");
    let e = csv_err(b"\n\na,b,c\n\n");
    assert_eq!(e.to_string(), "line 3: no data rows after the header");
}

#[test]
fn csv_header_names() {
    let e = csv_err(b"id,name, id \n1,2,3\n");
    assert_eq!(
        e.to_string(),
        "line 1, column \"id\": duplicate column name (header fields 1 and 3)"
    );
    let t = csv_ok(" a ,,\"\",d\n1,2,3,4\n");
    assert_eq!(t.names(), ["a", "column_2", "column_3", "d"]);
    // A name clash with a generated name is reported too.
    let e = csv_err(b"column_2,\n1,2\n");
    assert!(e.to_string().contains("\"column_2\""));
}

#[test]
fn csv_reader_and_path() {
    let data = "a,b\n1,x\n2,y\n";
    let t = read_csv_reader(std::io::Cursor::new(data), &CsvOptions::default()).unwrap();
    assert!(same(&t, &csv_ok(data)));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.csv");
    std::fs::write(&path, data).unwrap();
    let t = read_csv_path(&path, &CsvOptions::default()).unwrap();
    assert_eq!(t.n_rows(), 2);

    let e = read_csv_path(dir.path().join("missing.csv"), &CsvOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
    assert!(e.to_string().contains("missing.csv"));
}

/// A reader that hands out one byte at a time, to exercise chunk boundaries.
struct OneByte<'a>(&'a [u8]);

impl std::io::Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn csv_byte_at_a_time_reader() {
    let data = "\u{feff}name;город\r\n\"a\r\nb\";Казань\r\n c ;é\r\n";
    let t = read_csv_reader(OneByte(data.as_bytes()), &CsvOptions::default()).unwrap();
    assert_eq!(t.names(), ["name", "город"]);
    assert_eq!(lines(&t), [2, 4]);
    assert_eq!(strs(&t, "город").levels, ["Казань", "é"]);

    let mut bad = "a;b\r\n1;é".as_bytes().to_vec();
    bad.push(0xE9);
    bad.extend_from_slice(b"x\r\n");
    let e = read_csv_reader(OneByte(&bad), &CsvOptions::default()).unwrap_err();
    let at = location(&e);
    assert_eq!(
        (at.line, at.column.as_deref(), at.byte),
        (2, Some("b"), Some(9))
    );
}

#[test]
fn csv_write_round_trip() {
    let t = csv_ok(
        "name,amount,note\n\
         Acme,1.5,\"has, comma\"\n\
         \"Quote \"\"Q\"\"\",NA,\"two\nlines\"\n\
         Zed,3,\n",
    );
    let mut out = Vec::new();
    write_csv(&t, &mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert_eq!(
        text,
        "name,amount,note\nAcme,1.5,\"has, comma\"\n\"Quote \"\"Q\"\"\",,\"two\nlines\"\nZed,3,\n"
    );
    let back = read_csv_bytes(&out, &CsvOptions::default()).unwrap();
    assert!(same(&back, &t), "{back:?}");

    // A one-column table with a missing cell survives the round trip.
    let t = csv_ok("x\nA\n\"\"\nB\n");
    let mut out = Vec::new();
    write_csv(&t, &mut out).unwrap();
    let back = read_csv_bytes(&out, &CsvOptions::default()).unwrap();
    assert!(same(&back, &t), "{back:?}");

    // No columns: nothing at all.
    let mut out = Vec::new();
    write_csv(&Table::new(), &mut out).unwrap();
    assert!(out.is_empty());
}

#[test]
fn csv_wa_churn() {
    let t = read_csv_path(data_file("wa_churn.csv"), &CsvOptions::default()).unwrap();
    assert_eq!(t.n_rows(), 7043);
    assert_eq!(t.n_cols(), 20);
    let total = nums(&t, "total_charges");
    assert_eq!(total.iter().filter(|x| x.is_nan()).count(), 11);
    assert_eq!(total[1], 1889.5);
    let contract = strs(&t, "contract");
    assert_eq!(contract.levels.len(), 3);
    assert!(contract.levels.iter().any(|l| l == "Month-to-month"));
    assert_eq!(contract.missing_count(), 0);
    assert!(matches!(t.column("churn"), Some(Column::Num(_))));
    assert!(matches!(t.column("tenure"), Some(Column::Num(_))));
    assert!(matches!(t.column("payment_method"), Some(Column::Str(_))));
    assert_eq!(t.line_of(0), 2);
    assert_eq!(t.line_of(7042), 7044);
}

#[test]
fn csv_fine_foods() {
    let t = read_csv_path(data_file("fine_foods.csv"), &CsvOptions::default()).unwrap();
    assert_eq!(t.names(), ["product", "review", "score", "split"]);
    assert_eq!(t.n_rows(), 5000);
    let review = strs(&t, "review");
    assert!(review
        .get(1)
        .is_some_and(|r| r.contains("craving for something sweet, I")));
    assert!(review.levels.iter().filter(|r| r.contains(',')).count() > 1000);
    let score = nums(&t, "score");
    assert!(score.iter().all(|&s| s == 0.0 || s == 1.0));
    assert_eq!(strs(&t, "split").levels.len(), 2);
    assert_eq!(t.line_of(4999), 5001);
}

// ------------------------------------------------------------------- JSON Lines --

#[test]
fn jsonl_happy_path() {
    let t = jsonl_ok(concat!(
        "\u{feff}{\"calls\": 3, \"city\": \"Kazan\", \"won\": true, \"mixed\": 1}\r\n",
        "\n",
        "{\"city\": \" Moscow \", \"calls\": \"12\", \"won\": false, \"mixed\": \"x\", \"extra\": null}\n",
        "   \n",
        "{\"calls\": null, \"won\": true, \"mixed\": 2.5, \"amount\": \"NA\", \"z\": 1e20}",
    ));
    assert_eq!(
        t.names(),
        ["calls", "city", "won", "mixed", "extra", "amount", "z"]
    );
    assert_eq!(t.n_rows(), 3);
    assert_eq!(lines(&t), [1, 3, 5]);
    let calls = nums(&t, "calls");
    assert_eq!(&calls[..2], [3.0, 12.0]);
    assert!(calls[2].is_nan());
    let city = strs(&t, "city");
    assert_eq!(city.levels, ["Kazan", "Moscow"]);
    assert_eq!(city.get(2), None);
    let won = strs(&t, "won");
    assert_eq!(won.levels, ["true", "false"]);
    assert_eq!(won.codes, [0, 1, 0]);
    let mixed = strs(&t, "mixed");
    assert_eq!(mixed.levels, ["1", "x", "2.5"]);
    assert!(nums(&t, "extra").iter().all(|x| x.is_nan()));
    assert!(nums(&t, "amount").iter().all(|x| x.is_nan()));
    assert_eq!(nums(&t, "z")[2], 1e20);
}

#[test]
fn jsonl_decimal_comma_and_duplicates() {
    let opts = JsonOptions {
        decimal_comma: true,
        ..JsonOptions::default()
    };
    let t = read_jsonl_bytes(
        b"{\"a\": \"1,5\", \"b\": 2.5}\n{\"a\": 3, \"b\": \"0,5\", \"a\": 4}\n",
        &opts,
    )
    .unwrap();
    assert_eq!(nums(&t, "a"), [1.5, 4.0]);
    assert_eq!(nums(&t, "b"), [2.5, 0.5]);
    // Without decimal commas "1,5" is text.
    let t = jsonl_ok("{\"a\": \"1,5\"}\n{\"a\": 2}\n");
    assert_eq!(strs(&t, "a").levels, ["1,5", "2"]);
}

#[test]
fn jsonl_field_that_stops_being_numeric_keeps_its_texts() {
    // Numbers are read straight into a numeric column; a later word turns the field
    // into strings, each earlier cell written as it was (numeric strings) or as the
    // number formats (JSON numbers), duplicates and missing rows included.
    let t = jsonl_ok(concat!(
        "{\"a\": 1, \"b\": 1}\n",
        "{\"a\": \" 007 \", \"b\": 2}\n",
        "{\"b\": 3}\n",
        "{\"a\": 2.50, \"a\": \"1\"}\n",
        "{\"a\": null}\n",
        "{\"a\": \"NA\"}\n",
        "{\"a\": \"x\", \"c\": true}\n",
    ));
    let a = strs(&t, "a");
    assert_eq!(a.levels, ["1", "007", "x"]);
    assert_eq!(a.codes[..4], [0, 1, u32::MAX, 0]);
    assert_eq!((a.get(4), a.get(5), a.get(6)), (None, None, Some("x")));
    assert_eq!(nums(&t, "b")[..3], [1.0, 2.0, 3.0]);
    assert!(nums(&t, "b")[6].is_nan());
    assert_eq!(strs(&t, "c").get(6), Some("true"));
    assert_eq!(strs(&t, "c").get(0), None);
}

#[test]
fn jsonl_reader_and_path() {
    let data = "{\"a\": 1}\n{\"a\": 2}\n";
    let t = read_jsonl_reader(OneByte(data.as_bytes()), &JsonOptions::default()).unwrap();
    assert_eq!(nums(&t, "a"), [1.0, 2.0]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leads.jsonl");
    std::fs::write(&path, data).unwrap();
    assert!(same(
        &read_jsonl_path(&path, &JsonOptions::default()).unwrap(),
        &t
    ));
    let e = read_jsonl_path(dir.path().join("nope.jsonl"), &JsonOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
}

#[test]
fn jsonl_invalid_json() {
    let e = jsonl_err(b"{\"a\": 1}\n{\"a\": 2,, \"b\": 3}\n");
    let at = location(&e);
    assert_eq!(at.line, 2);
    assert_eq!(at.byte, Some(9 + 8));
    let msg = e.to_string();
    assert!(msg.starts_with("line 2 (byte 17): invalid JSON: "), "{msg}");
    assert!(!msg.contains("line 1"), "{msg}");

    let e = jsonl_err(b"{\"a\": 1}\n{\"a\": \n");
    assert_eq!(location(&e).line, 2);
    assert!(e.to_string().contains("invalid JSON"));

    let e = jsonl_err(b"{\"a\": 1} {\"b\": 2}\n");
    assert!(e.to_string().contains("trailing characters"), "{e}");
}

#[test]
fn jsonl_not_an_object() {
    for (line, kind) in [
        ("[1, 2]", "an array"),
        ("3", "a number"),
        ("\"x\"", "a string"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let text = format!("{{\"a\": 1}}\n\n{line}\n");
        let e = jsonl_err(text.as_bytes());
        assert_eq!(
            e.to_string(),
            format!("line 3: expected a JSON object, found {kind}")
        );
    }
}

#[test]
fn jsonl_nested_values() {
    let e = jsonl_err(b"{\"a\": 1}\n{\"a\": 2, \"tags\": [\"x\"]}\n");
    let at = location(&e);
    assert_eq!((at.line, at.column.as_deref()), (2, Some("tags")));
    assert!(e.to_string().contains("array"));
    let e = jsonl_err(b"{\"owner\": {\"id\": 1}}\n");
    let at = location(&e);
    assert_eq!((at.line, at.column.as_deref()), (1, Some("owner")));
    assert!(e.to_string().contains("nested object"));
}

#[test]
fn jsonl_invalid_utf8() {
    let e = jsonl_err(b"{\"a\": \"x\"}\n{\"a\": \"\xFF\"}\n");
    let at = location(&e);
    assert_eq!((at.line, at.byte), (2, Some(11 + 7)));
    assert!(e.to_string().contains("UTF-8"));
}

#[test]
fn jsonl_empty_inputs() {
    let e = jsonl_err(b"");
    assert!(e.to_string().contains("no JSON objects"), "{e}");
    let e = jsonl_err(b"\n  \n\r\n");
    assert!(e.to_string().contains("no JSON objects"), "{e}");
    let e = jsonl_err(b"{}\n{}\n");
    assert!(e.to_string().contains("no fields"), "{e}");
}

// ---------------------------------------------------------------- robustness --

/// Random inputs built from the bytes that matter never panic, and every result is
/// consistent (one line number per row) or a one-line error.
#[test]
fn readers_never_panic() {
    let alphabet: &[&[u8]] = &[
        b",",
        b";",
        b"\t",
        b"\"",
        b"\r",
        b"\n",
        b"\r\n",
        b" ",
        b"a",
        b"1",
        b"2.5",
        b"1,5",
        b"NA",
        b"\xFF",
        b"\xC3",
        b"\xA9",
        b"\xEF\xBB\xBF",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b"\"k\"",
        b"null",
        b"true",
        b"\xE2\x82\xAC",
    ];
    let mut rng = leadscore::rng::Rng::new(7);
    for _ in 0..3000 {
        let mut input = Vec::new();
        for _ in 0..rng.below(40) {
            input.extend_from_slice(alphabet[rng.below(alphabet.len() as u64) as usize]);
        }
        for dc in [false, true] {
            let csv_opts = CsvOptions {
                decimal_comma: dc,
                ..CsvOptions::default()
            };
            let json_opts = JsonOptions {
                decimal_comma: dc,
                ..JsonOptions::default()
            };
            for result in [
                read_csv_bytes(&input, &csv_opts),
                read_csv_reader(OneByte(&input), &csv_opts),
                read_jsonl_bytes(&input, &json_opts),
            ] {
                match result {
                    Ok(t) => {
                        assert!(t.n_rows() > 0 && t.n_cols() > 0);
                        let ls = lines(&t);
                        assert!(ls.windows(2).all(|w| w[0] < w[1]), "{ls:?} for {input:?}");
                        assert!(ls.iter().all(|&l| l >= 1));
                    }
                    Err(e) => assert!(!e.to_string().contains('\n'), "{e} for {input:?}"),
                }
            }
        }
        // Chunked and whole reads agree.
        let whole = read_csv_bytes(&input, &CsvOptions::default());
        let chunked = read_csv_reader(OneByte(&input), &CsvOptions::default());
        match (whole, chunked) {
            (Ok(a), Ok(b)) => assert!(same(&a, &b), "{a:?} vs {b:?}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("whole {a:?} vs chunked {b:?} for {input:?}"),
        }
    }
}

#[test]
fn a_few_odd_cells_keep_a_column_numeric_and_are_reported() {
    use leadscore::data::csv::{read_csv_bytes, CsvOptions};
    let mut text = String::from("amount,city\n");
    for i in 0..500 {
        let amount = match i {
            57 => "n/a".to_owned(),
            300 => "inf".to_owned(),
            _ => format!("{}.{}", i * 37 % 1000, i % 7),
        };
        text.push_str(&format!("{amount},c{}\n", i % 5));
    }
    let t = read_csv_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
    match t.column("amount") {
        Some(leadscore::data::Column::Num(v)) => {
            assert!(v[57].is_nan() && v[300].is_nan());
            assert_eq!(v.iter().filter(|x| x.is_nan()).count(), 2);
        }
        other => panic!("amount read as {other:?}"),
    }
    assert_eq!(t.notes().len(), 1, "{:?}", t.notes());
    let note = &t.notes()[0];
    assert!(
        note.contains("\"amount\"")
            && note.contains("2 of 500")
            && note.contains("\"n/a\", on line 59"),
        "{note}"
    );
    // Beyond one cell in a hundred, the column is text, as before.
    let mut text = String::from("code\n");
    for i in 0..100 {
        text.push_str(if i % 10 == 0 { "X\n" } else { "1\n" });
    }
    let t = read_csv_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
    assert!(matches!(
        t.column("code"),
        Some(leadscore::data::Column::Str(_))
    ));
    assert!(t.notes().is_empty());
}

#[test]
fn the_readers_notes_travel_with_the_model() {
    use leadscore::data::csv::{read_csv_bytes, CsvOptions};
    let mut text = String::from("amount,won\n");
    for i in 0..600 {
        let amount = if i == 10 {
            "n/a".to_owned()
        } else {
            format!("{}.5", (i * 7) % 50)
        };
        text.push_str(&format!(
            "{amount},{}\n",
            u8::from((i * 7) % 50 > 30 || i % 9 == 0)
        ));
    }
    let t = read_csv_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
    let cfg = leadscore::TrainConfig {
        cv_folds: 0,
        min_rows: 100,
        min_positives: 10,
        threads: 1,
        ..leadscore::TrainConfig::default()
    };
    let m = leadscore::Trainer::new(cfg)
        .unwrap()
        .fit(&t, &leadscore::TargetSpec::new("won"))
        .unwrap();
    let recipe = m.recipe();
    assert!(
        recipe.contains("# data: column \"amount\": 1 of 600 cells are not numbers"),
        "{recipe}"
    );
    // The model still reads back, recipe and all.
    let back = leadscore::Model::from_bytes(&m.to_bytes().unwrap()).unwrap();
    assert_eq!(back.recipe(), recipe);
}

// ------------------------------------------------------------------- blocks --

/// Every row of a file read in blocks of `rows`: (line, each cell as text), or the
/// first error.
fn rows_in_blocks(path: &std::path::Path, rows: usize) -> Result<Vec<(u64, Vec<String>)>, String> {
    use leadscore::data::TableChunks;
    let mut out = Vec::new();
    let chunks = TableChunks::open(path, &CsvOptions::default(), &JsonOptions::default(), rows)
        .map_err(|e| e.to_string())?;
    for t in chunks {
        let t = t.map_err(|e| e.to_string())?;
        for i in 0..t.n_rows() {
            let cells = t
                .names()
                .iter()
                .map(|n| format!("{n}={}", cell_text(t.column(n).unwrap().value(i))))
                .filter(|c| !c.ends_with("=Missing"))
                .collect();
            out.push((t.line_of(i), cells));
        }
    }
    Ok(out)
}

/// A cell as text, numbers written alike whether a block read them as numbers or
/// as strings (a model reads either).
fn cell_text(v: leadscore::Value) -> String {
    use leadscore::data::{format_num, parse_num};
    match v {
        leadscore::Value::Num(x) => format_num(x),
        leadscore::Value::Str(s) => parse_num(&s, false).map_or(s, format_num),
        other => format!("{other:?}"),
    }
}

fn rows_whole(path: &std::path::Path) -> Result<Vec<(u64, Vec<String>)>, String> {
    let t = leadscore::data::read_path(path, &CsvOptions::default(), &JsonOptions::default())
        .map_err(|e| e.to_string())?;
    Ok((0..t.n_rows())
        .map(|i| {
            let cells = t
                .names()
                .iter()
                .map(|n| format!("{n}={}", cell_text(t.column(n).unwrap().value(i))))
                .filter(|c| !c.ends_with("=Missing"))
                .collect();
            (t.line_of(i), cells)
        })
        .collect())
}

#[test]
fn blocks_give_the_rows_lines_and_errors_of_a_whole_read() {
    let dir = tempfile::tempdir().unwrap();
    let csv_cases: Vec<String> = vec![
        // Blank lines, quoted line breaks, CRLF, a BOM, a short last line.
        "\u{feff}\n\nid,amount,note\r\n1,2.5,\"a\r\nb\"\r\n\r\n2,x,plain\r\n3,,\"q\"\"q\"\r\n   \r\n4,1e3,last".into(),
        // Classic Mac line ends.
        "id;amount\r1;2,5\r2;3\r\r3;4\r".into(),
        // An error in a late block: named by the file's line.
        "id,amount\n1,2\n2,3\n3,4\n4,5\n5,6,7\n".into(),
        "id,amount\n1,2\n2,\"never closed\n3,4\n".into(),
        // Only a header; an empty file; blank lines after the header only.
        "id,amount\n".into(),
        "".into(),
        "id,amount\n\n  \n".into(),
        // Invalid UTF-8 in a late block: the file's byte.
        "id,name\n1,a\n2,b\n3,\u{e9}\n4,c\n".replace('\u{e9}', "\u{1}"),
    ];
    let jsonl_cases: Vec<String> = vec![
        "\u{feff}{\"a\": 1}\n\n{\"a\": \"x\", \"b\": 2}\r\n{\"b\": null}\n   \n{\"a\": 3.5}".into(),
        "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": [1]}\n".into(),
        "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}\n{\"a\": 4,,}\n".into(),
        "\n\n".into(),
    ];
    let mut files = Vec::new();
    for (k, text) in csv_cases.iter().enumerate() {
        let p = dir.path().join(format!("c{k}.csv"));
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    for (k, text) in jsonl_cases.iter().enumerate() {
        let p = dir.path().join(format!("j{k}.jsonl"));
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    let p = dir.path().join("bad_utf8.csv");
    std::fs::write(&p, b"id,name\n1,a\n2,b\n3,\xFF\n4,c\n").unwrap();
    files.push(p);
    for p in &files {
        let whole = rows_whole(p);
        for rows in [1, 2, 3, 1000] {
            assert_eq!(
                rows_in_blocks(p, rows),
                whole,
                "{} in blocks of {rows}",
                p.display()
            );
        }
    }
    let e = leadscore::data::TableChunks::open(
        &files[0],
        &CsvOptions::default(),
        &JsonOptions::default(),
        0,
    );
    assert!(e.is_err());
}
