//! Tests of the CSV reader and writer (kept apart: the reader is long enough).
use super::*;

fn scan(chunks: &[&[u8]]) -> Option<u64> {
    let mut s = Utf8Scan::default();
    for c in chunks {
        s.feed(c);
    }
    s.finish();
    s.first_invalid
}

#[test]
fn utf8_scan_across_chunks() {
    let e = "é".as_bytes();
    assert_eq!(scan(&[b"ab", &e[..1], &e[1..], b"c"]), None);
    let euro = "€".as_bytes();
    assert_eq!(scan(&[&euro[..1], &euro[1..2], &euro[2..]]), None);
    assert_eq!(scan(&[b"abc\xFFd"]), Some(3));
    assert_eq!(scan(&[b"ab", &e[..1], b"x"]), Some(2));
    assert_eq!(scan(&[b"ab", &e[..1]]), Some(2));
    assert_eq!(scan(&[b"ab\xE2\x82", b"\xE2"]), Some(2));
    assert_eq!(scan(&[b"ok", b"\xC3\xA9\xFF"]), Some(4));
}

/// The byte-at-a-time rule the bulk scan must agree with.
fn reference_scan(delimiter: u8, data: &[u8]) -> (QuoteState, u64, u64) {
    use QuoteState::*;
    let (mut state, mut line, mut open) = (FieldStart, 1u64, 0u64);
    for &b in data {
        state = match (state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (FieldStart, b'"') => {
                open = line;
                Quoted
            }
            (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => FieldStart,
            (_, d) if d == delimiter => FieldStart,
            _ => Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state, line, open)
}

#[test]
fn quote_scan_agrees_with_the_byte_rule_over_any_chunking() {
    let mut rng = crate::rng::Rng::new(11);
    let alphabet = b"ab\"\",;\n\n\t ";
    for case in 0..2000 {
        let len = rng.below(40) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect();
        let delimiter = if case % 3 == 0 { b';' } else { b',' };
        let mut scan = QuoteScan::new(delimiter);
        let mut rest = &data[..];
        while !rest.is_empty() {
            let k = 1 + rng.below(rest.len() as u64) as usize;
            scan.feed(&rest[..k]);
            rest = &rest[k..];
        }
        let (state, line, open) = reference_scan(delimiter, &data);
        let input = String::from_utf8_lossy(&data);
        assert!(scan.state == state, "state after {input:?}");
        assert_eq!(scan.line, line, "line after {input:?}");
        if state == QuoteState::Quoted {
            assert_eq!(scan.open_quote_line(), Some(open), "open line in {input:?}");
        }
        assert_eq!(scan.last, data.last().copied());
    }
}

#[test]
fn short_cell_cache_gives_the_interned_codes() {
    // Cells that differ only by length, trailing NULs, padding, a no-break space,
    // or collide in the cache: each distinct trimmed text gets one code, in order
    // of first appearance, exactly as interning alone gives.
    let mut rng = crate::rng::Rng::new(3);
    let pool: Vec<Vec<u8>> = [
        &b"a"[..],
        b"a\0",
        b"\0",
        b"",
        b" a ",
        b"a ",
        b"12345678",
        b"123456789",
        b"1234567",
        b"yes",
        b"no",
        "\u{a0}yes".as_bytes(),
        b"NA",
    ]
    .iter()
    .map(|c| c.to_vec())
    .chain((0..600).map(|k| format!("{k}").into_bytes()))
    .collect();
    let na = columns::NaSet::new(&["NA".to_owned()], false);
    let mut col = ColBuilder::second_pass(&na, false, true);
    let mut reference: std::collections::HashMap<String, u32> = Default::default();
    let mut expected = Vec::new();
    for _ in 0..20_000 {
        let cell = &pool[rng.below(pool.len() as u64) as usize];
        col.push(cell).ok().unwrap();
        let text = std::str::from_utf8(cell).unwrap().trim().to_owned();
        let next = reference.len() as u32;
        expected.push(if text == "NA" {
            crate::data::MISSING_CODE
        } else {
            *reference.entry(text).or_insert(next)
        });
    }
    assert_eq!(col.codes, expected);
}

/// Records and fields as the `csv` crate's reader gives them.
fn csv_crate_records(data: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);
    let mut out = Vec::new();
    let mut rec = ::csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).unwrap() {
        out.push(rec.iter().map(<[u8]>::to_vec).collect());
    }
    out
}

#[test]
fn record_scanner_agrees_with_the_csv_crate() {
    let mut rng = crate::rng::Rng::new(17);
    let alphabet = b"ab \"\",,;\n\n\r";
    for case in 0..3000 {
        let len = rng.below(60) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect();
        let delimiter = if case % 4 == 0 { b';' } else { b',' };
        let expected = csv_crate_records(&data, delimiter);
        // A tiny buffer exercises records split across reads.
        let mut scan = RecordScanner::new(&data[..], delimiter, false);
        scan.buf = vec![0; 1 + case % 7];
        let mut got = Vec::new();
        let mut last_end = 0;
        while let Some(r) = scan.next_record().unwrap() {
            assert_eq!(r.start, last_end, "records tile the input: {data:?}");
            assert!(r.end > r.start);
            let content = scan.content(&r).to_vec();
            let line = 1 + data[..r.start as usize]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(r.line, line as u64, "line of {data:?}");
            let fields: Vec<Vec<u8>> = record_fields(&content, delimiter)
                .iter()
                .map(|f| f.to_vec())
                .collect();
            let (blank, first) = record_key(&content, delimiter, Some(1));
            assert_eq!(
                blank,
                fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
            );
            assert_eq!(first.map(|f| f.to_vec()), fields.get(1).cloned());
            got.push(fields);
            last_end = r.end;
        }
        let input = String::from_utf8_lossy(&data);
        assert_eq!(got, expected, "records of {input:?}");
    }
}

#[test]
fn sniffing() {
    assert_eq!(sniff_delimiter(b"a,b,c"), b',');
    assert_eq!(sniff_delimiter(b"a;b;\"c,d,e\""), b';');
    assert_eq!(sniff_delimiter(b"a\tb\tc,d"), b'\t');
    assert_eq!(sniff_delimiter(b"abc"), b',');
}

/// The one-thread reading of `bytes`, and the reading in blocks of about `block`
/// bytes on two threads (`None` when that path declines).
fn one_and_blocks(bytes: &[u8], opts: &CsvOptions, block: usize) -> (String, Option<String>) {
    let na = columns::NaSet::new(&opts.na_values, opts.decimal_comma);
    let one = format!("{:?}", read_csv_slice(bytes, opts, "x", 1));
    let blocks = read_blocks(bytes, opts, "x", &na, 2, block).map(|pass| {
        format!(
            "{:?}",
            finish_table(pass, "x", &|l| l, |again| read_pass(
                &[],
                bytes,
                opts,
                "x",
                &na,
                Some(again),
                0
            ))
        )
    });
    (one, blocks)
}

#[test]
fn reading_in_blocks_gives_the_one_thread_table() {
    let mut rng = crate::rng::Rng::new(23);
    let cells: &[&str] = &[
        "1",
        "-2.5",
        "1e3",
        "007",
        "NA",
        "",
        " 4 ",
        "x",
        "\"a,b\"",
        "\"line\nbreak\"",
        "\"q\"\"uote\"",
        "won",
        "\u{a0}7\u{a0}",
        "1.50",
    ];
    let mut compared = 0;
    for case in 0..300 {
        let n_cols = 1 + rng.below(4) as usize;
        let n_rows = 1 + rng.below(200) as usize;
        let eol = ["\n", "\r\n", "\r"][rng.below(3) as usize];
        let mut text = String::new();
        if case % 5 == 0 {
            text.push('\u{feff}');
        }
        if case % 7 == 0 {
            text.push_str(eol);
        }
        let header: Vec<String> = (0..n_cols).map(|k| format!("c{k}")).collect();
        text.push_str(&header.join(","));
        text.push_str(eol);
        // Each column has a favourite kind of cell, so that numeric, string and
        // mixed columns all occur, with a late change in some.
        let favourite: Vec<usize> = (0..n_cols)
            .map(|_| rng.below(cells.len() as u64) as usize)
            .collect();
        let late = rng.below(n_rows as u64 + 1) as usize;
        for r in 0..n_rows {
            if rng.below(40) == 0 {
                text.push_str(eol); // a blank line
            }
            let row: Vec<&str> = (0..n_cols)
                .map(|k| {
                    if r >= late && k == 0 {
                        "late text"
                    } else if rng.below(4) == 0 {
                        cells[rng.below(cells.len() as u64) as usize]
                    } else {
                        cells[favourite[k]]
                    }
                })
                .collect();
            text.push_str(&row.join(","));
            if r + 1 < n_rows || rng.below(2) == 0 {
                text.push_str(eol);
            }
        }
        let opts = CsvOptions::default();
        let (one, blocks) = one_and_blocks(text.as_bytes(), &opts, 1 + rng.below(300) as usize);
        if let Some(blocks) = blocks {
            assert_eq!(one, blocks, "case {case}: {text:?}");
            compared += 1;
        }
    }
    assert!(compared > 200, "only {compared} inputs were read in blocks");
}

#[test]
fn a_failing_block_leaves_the_error_to_the_one_thread_reading() {
    let mut text = String::from("a,b\n");
    for k in 0..100 {
        text.push_str(&format!("{k},x\n"));
    }
    text.push_str("1,2,3\n");
    let opts = CsvOptions::default();
    let na = columns::NaSet::new(&opts.na_values, false);
    assert!(read_blocks(text.as_bytes(), &opts, "x", &na, 2, 64).is_none());
    let e = read_csv_slice(text.as_bytes(), &opts, "x", 2).unwrap_err();
    assert!(e.to_string().contains("line 102"), "{e}");
}

const NO_HINT: Hint = Hint { rows: 0, bytes: 0 };

#[test]
fn the_plain_reading_gives_the_general_parsers_table() {
    // Inputs without quotes, as the fast path takes them: both readings agree on the
    // table or on the error, whatever the delimiter, line ends, blank lines, BOM,
    // ragged rows and bytes.
    let mut rng = crate::rng::Rng::new(29);
    let cells: &[&[u8]] = &[
        b"1",
        b"-2.5",
        b"1e3",
        b"007",
        b"NA",
        b"",
        b" 4 ",
        b"x",
        b"won",
        b"1,5",
        b"\t",
        b" ",
        b"\xC2\xA07",
        b"\xFF",
        b"a;b",
    ];
    let mut plain = 0;
    for case in 0..2000 {
        let delim = [b',', b';', b'\t'][rng.below(3) as usize];
        let eol: &[u8] = if rng.below(2) == 0 { b"\n" } else { b"\r\n" };
        let n_cols = 1 + rng.below(3) as usize;
        let mut text: Vec<u8> = Vec::new();
        if case % 9 == 0 {
            text.extend_from_slice(BOM);
        }
        for _ in 0..rng.below(3) {
            text.extend_from_slice([&b""[..], b" ", b"\t"][rng.below(3) as usize]);
            text.extend_from_slice(eol);
        }
        for k in 0..n_cols {
            if k > 0 {
                text.push(delim);
            }
            text.extend_from_slice(format!("c{k}").as_bytes());
        }
        text.extend_from_slice(eol);
        for _ in 0..rng.below(12) {
            let width = if rng.below(15) == 0 {
                n_cols + 1
            } else {
                n_cols
            };
            for k in 0..width {
                if k > 0 {
                    text.push(delim);
                }
                text.extend_from_slice(cells[rng.below(cells.len() as u64) as usize]);
            }
            if rng.below(8) != 0 {
                text.extend_from_slice(eol);
            }
        }
        let opts = CsvOptions {
            decimal_comma: case % 4 == 0,
            delimiter: if case % 5 == 0 { Some(delim) } else { None },
            ..CsvOptions::default()
        };
        let na = columns::NaSet::new(&opts.na_values, opts.decimal_comma);
        let finish = |first: Result<Pass>| {
            format!(
                "{:?}",
                first.and_then(|p| finish_table(p, "x", &|l| l, |again| {
                    read_quoted(&text[..], &opts, "x", &na, Some(again), NO_HINT)
                }))
            )
        };
        if memchr::memchr(b'"', &text).is_some() {
            continue;
        }
        plain += 1;
        let fast = finish(read_plain(&[], &text, &opts, &na, None, NO_HINT));
        let general = finish(read_quoted(&text[..], &opts, "x", &na, None, NO_HINT));
        assert_eq!(
            fast,
            general,
            "case {case}: {:?}",
            String::from_utf8_lossy(&text)
        );
    }
    assert!(plain > 1500);
}

#[test]
fn reading_a_file_in_blocks_gives_the_one_thread_table() {
    // Quote-free files of every shape the block reader takes (and some it declines),
    // read by two threads in eight blocks: the same table, lines and notes included.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let mut rng = crate::rng::Rng::new(31);
    let cells: &[&str] = &["1", "-2.5", "1e3", "007", "NA", "", " 4 ", "x", "won", "\t"];
    let mut compared = 0;
    for case in 0..300 {
        let eol = if rng.below(2) == 0 { "\n" } else { "\r\n" };
        let n_cols = 1 + rng.below(4) as usize;
        let mut text = String::new();
        if case % 7 == 0 {
            text.push('\u{feff}');
        }
        if case % 5 == 0 {
            text.push_str(eol);
        }
        let header: Vec<String> = (0..n_cols).map(|k| format!("c{k}")).collect();
        text.push_str(&header.join(","));
        text.push_str(eol);
        let favourite: Vec<usize> = (0..n_cols)
            .map(|_| rng.below(cells.len() as u64) as usize)
            .collect();
        let n_rows = rng.below(300) as usize;
        let late = rng.below(n_rows as u64 + 1) as usize;
        for r in 0..n_rows {
            if rng.below(30) == 0 {
                text.push_str(eol);
            }
            // A long row now and then: longer than a block's share.
            let long = "y".repeat(if rng.below(50) == 0 { 400 } else { 0 });
            let row: Vec<String> = (0..n_cols)
                .map(|k| {
                    if r >= late && k == 0 {
                        format!("late{long}")
                    } else if rng.below(4) == 0 {
                        cells[rng.below(cells.len() as u64) as usize].to_owned()
                    } else {
                        cells[favourite[k]].to_owned()
                    }
                })
                .collect();
            text.push_str(&row.join(","));
            if r + 1 < n_rows || rng.below(2) == 0 {
                text.push_str(eol);
            }
        }
        if case % 11 == 0 {
            text.push_str("1,2,3,4,5\n"); // a ragged row: the blocks decline
        }
        std::fs::write(&path, &text).unwrap();
        let opts = CsvOptions::default();
        let na = columns::NaSet::new(&opts.na_values, false);
        let one = format!("{:?}", read_csv_slice(text.as_bytes(), &opts, "x", 1));
        if let Some(pass) = read_file_blocks(&path, &opts, "x", &na, 2, 0) {
            let blocks = format!(
                "{:?}",
                finish_table(pass, "x", &|l| l, |again| {
                    read_pass(&[], text.as_bytes(), &opts, "x", &na, Some(again), 0)
                })
            );
            assert_eq!(one, blocks, "case {case}: {text:?}");
            compared += 1;
        }
    }
    assert!(compared > 150, "only {compared} files were read in blocks");
}

#[test]
fn room_is_never_reserved_for_more_rows_than_the_input_holds() {
    // A wide header over megabytes of blank lines: the line feeds would ask for
    // billions of cells; the room is bounded by the input's bytes instead.
    let hint = Hint {
        rows: 4_000_000,
        bytes: 4_000_000 + 10_000,
    };
    assert_eq!(hint.rows_of(5000), 802);
    assert_eq!(hint.rows_of(1), 4_000_000);
    assert_eq!(hint.rows_of(0), 4_000_000);
    let mut text = (0..5000)
        .map(|k| format!("c{k}"))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    text.push_str(&"\n".repeat(4_000_000));
    text.push_str(&vec!["1"; 5000].join(","));
    text.push('\n');
    let t = read_csv_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
    assert_eq!((t.n_rows(), t.n_cols()), (1, 5000));
}
