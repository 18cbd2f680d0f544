//! Mass training: every tenant of one export (or a folder) into a store, failures
//! isolated, too-small tenants marked, the fallback trained, up-to-date tenants skipped.

use leadscore::data::csv::write_csv;
use leadscore::data::{Column, StrColumn};
use leadscore::mass::{train_tenants, MassConfig, MassInput, Status};
use leadscore::options::TrainOptions;
use leadscore::store::{FallbackReason, Source, Store, StoreConfig};
use leadscore::{synth, Record, Table};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A tenant's rows as CSV lines without the header, with the tenant column first.
fn rows_csv(name: &str, table: &Table) -> Vec<u8> {
    let n = table.n_rows();
    let mut cols = vec![(
        synth::TENANT_COLUMN.to_owned(),
        Column::Str(StrColumn {
            codes: vec![0; n],
            levels: vec![name.to_owned()],
        }),
    )];
    cols.extend(
        table
            .names()
            .iter()
            .cloned()
            .zip(table.columns().iter().cloned()),
    );
    let mut buf = Vec::new();
    write_csv(&Table::from_columns(cols).unwrap(), &mut buf).unwrap();
    let cut = buf.iter().position(|&b| b == b'\n').unwrap() + 1;
    buf[cut..].to_vec()
}

fn options() -> TrainOptions {
    TrainOptions::from_json_str(r#"{"target": "converted", "cv": 2}"#).unwrap()
}

fn lead() -> Record {
    Record::new()
        .with("source", "web")
        .with("calls", 2)
        .with("lifetime_days", 9)
}

#[test]
fn export_to_store() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let mut f = std::fs::File::create(&export).unwrap();
    synth::write_export(9, 4, &mut f).unwrap();
    // A tenant with too little data, and one whose target has a third class.
    f.write_all(&rows_csv(
        "tiny",
        &synth::tenant_with_rows(9, 50, 300).table,
    ))
    .unwrap();
    let mut broken = synth::tenant_with_rows(9, 51, 2100).table;
    let n = broken.n_rows();
    broken
        .replace_column(
            synth::TARGET,
            Column::Str(StrColumn::from_options(
                (0..n).map(|i| Some(["0", "1", "maybe"][i % 3])),
            )),
        )
        .unwrap();
    f.write_all(&rows_csv("broken", &broken)).unwrap();
    // A row without a tenant is left out and counted.
    let last = rows_csv("x", &synth::tenant_with_rows(9, 52, 2000).table);
    let first_line = &last[..last.iter().position(|&b| b == b'\n').unwrap() + 1];
    f.write_all(&first_line[1..]).unwrap();
    drop(f);

    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir, StoreConfig::default()).unwrap();
    let mut cfg = MassConfig::new(options());
    cfg.by = Some(synth::TENANT_COLUMN.into());
    cfg.threads = 2;
    let calls = AtomicUsize::new(0);
    let summary = train_tenants(MassInput::Path(&export), &store, &cfg, &|p| {
        calls.fetch_add(1, Ordering::Relaxed);
        assert!(p.done <= p.total);
    })
    .unwrap();
    assert_eq!(summary.tenants.len(), 6);
    assert_eq!(calls.load(Ordering::Relaxed), 6);
    assert_eq!(summary.count(Status::Trained), 4, "{:#?}", summary.tenants);
    assert_eq!(summary.count(Status::InsufficientData), 1);
    assert_eq!(summary.count(Status::Failed), 1);
    assert_eq!(summary.rows_without_tenant, 1);
    let broken = summary
        .tenants
        .iter()
        .find(|t| t.tenant == "broken")
        .unwrap();
    assert!(
        broken.error.as_deref().unwrap().contains("\"maybe\""),
        "{broken:?}"
    );
    // The line named is the export's, not the tenant's own buffer's.
    let text = std::fs::read_to_string(&export).unwrap();
    let maybe_line = 1 + text
        .lines()
        .position(|l| l.starts_with("broken,") && l.split(',').any(|f| f == "maybe"))
        .unwrap();
    assert!(
        broken
            .error
            .as_deref()
            .unwrap()
            .contains(&format!("line {maybe_line}")),
        "expected line {maybe_line}: {broken:?}"
    );
    for t in summary
        .tenants
        .iter()
        .filter(|t| t.status == Status::Trained)
    {
        let auc = t.roc_auc.unwrap();
        assert!((0.65..0.95).contains(&auc), "{}: {auc}", t.tenant);
        assert!(store_dir.join(&t.tenant).join("lead.lsm").exists());
        assert!(store_dir.join(&t.tenant).join("lead.json").exists());
    }
    let g = summary.global.as_ref().unwrap();
    assert_eq!(g.status, Status::Trained, "{g:?}");
    assert!(store_dir.join("_global/lead.lsm").exists());

    // The store answers for the small tenant with the fallback and says why.
    let s = store.score("tiny", "lead", &lead()).unwrap();
    assert_eq!(
        (s.source, s.reason),
        (Source::Fallback, Some(FallbackReason::InsufficientData))
    );
    let first = &summary
        .tenants
        .iter()
        .find(|t| t.status == Status::Trained)
        .unwrap()
        .tenant;
    assert_eq!(
        store.score(first, "lead", &lead()).unwrap().source,
        Source::Tenant
    );

    // A second run skips every up-to-date tenant; --force retrains them.
    let again = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    assert_eq!(again.count(Status::Skipped), 4);
    cfg.force = true;
    let forced = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    assert_eq!(forced.count(Status::Trained), 4);
}

#[test]
fn folder_of_tenant_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for i in 0..3 {
        let t = synth::tenant_with_rows(4, i, 2200);
        let f = std::fs::File::create(data.join(format!("client{i}.csv"))).unwrap();
        write_csv(&t.table, f).unwrap();
    }
    let store = Store::open(dir.path().join("store"), StoreConfig::default()).unwrap();
    let mut cfg = MassConfig::new(options());
    cfg.global_max_rows = 1500;
    let summary = train_tenants(MassInput::Path(&data), &store, &cfg, &|_| {}).unwrap();
    assert_eq!(summary.count(Status::Trained), 3, "{:#?}", summary.tenants);
    assert_eq!(
        store.tenants().unwrap(),
        vec!["client0", "client1", "client2"]
    );
    // The fallback trained on the bounded sample: 1500 rows is below min_rows.
    let g = summary.global.unwrap();
    assert_eq!((g.status, g.rows), (Status::InsufficientData, 1500));

    // A file with different columns is refused before any training.
    std::fs::write(data.join("odd.csv"), "a,b\n1,2\n").unwrap();
    let e = train_tenants(MassInput::Path(&data), &store, &cfg, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("header differs"), "{e}");
}

/// Tenants whose rows are interleaved: a ragged row of one tenant and an invalid
/// UTF-8 byte in another fail those tenants only, and each error names the line (and
/// byte) in the export, not in the tenant's own rows.
#[test]
fn errors_name_the_export_line() {
    errors_name_the_line_with(b"\n");
}

#[test]
fn errors_name_the_line_of_crlf_and_cr_only_exports() {
    errors_name_the_line_with(b"\r\n");
    errors_name_the_line_with(b"\r");
}

/// Three interleaved tenants, one with a ragged row and one with an invalid byte,
/// with lines ending in `eol`: the errors name the export's line and byte.
fn errors_name_the_line_with(eol: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let header = {
        let t = synth::tenant_with_rows(3, 1, 10).table;
        let mut cols = vec![synth::TENANT_COLUMN.to_owned()];
        cols.extend(t.names().iter().cloned());
        format!("{}\n", cols.join(","))
    };
    let rows = |name: &str, seed: usize| -> Vec<Vec<u8>> {
        rows_csv(name, &synth::tenant_with_rows(3, seed, 2100).table)
            .split_inclusive(|&c| c == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    let (la, mut lb, mut lc) = (rows("a", 1), rows("b", 2), rows("c", 3));
    // b's 500th row loses its last field; c's 300th row gets a 0xFF byte after the
    // tenant name's comma.
    let row = &mut lb[499];
    let cut = row.iter().rposition(|&c| c == b',').unwrap();
    row.truncate(cut);
    row.push(b'\n');
    lc[299].insert(2, 0xFF);
    let mut out = header.into_bytes();
    let (mut ragged_line, mut bad_byte, mut line) = (0, 0, 1);
    for i in 0..2100 {
        for (k, rows) in [&la, &lb, &lc].into_iter().enumerate() {
            line += 1;
            match (k, i) {
                (1, 499) => ragged_line = line,
                (2, 299) => bad_byte = out.len() + 2,
                _ => {}
            }
            if (k, i) == (2, 299) {
                // The byte's offset grows by the longer line ends before it.
                bad_byte += (eol.len() - 1) * (line - 1);
            }
            out.extend_from_slice(&rows[i]);
        }
    }
    let mut data = Vec::with_capacity(out.len() * 2);
    for &b in &out {
        match b {
            b'\n' => data.extend_from_slice(eol),
            _ => data.push(b),
        }
    }
    std::fs::write(&export, &data).unwrap();

    let store = Store::open(dir.path().join("store"), StoreConfig::default()).unwrap();
    let mut cfg = MassConfig::new(options());
    cfg.by = Some(synth::TENANT_COLUMN.into());
    cfg.global = false;
    let summary = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    let get = |name: &str| summary.tenants.iter().find(|t| t.tenant == name).unwrap();
    assert_eq!(get("a").status, Status::Trained, "{:?}", get("a"));
    let (b, c) = (get("b"), get("c"));
    assert_eq!((b.status, c.status), (Status::Failed, Status::Failed));
    let msg = b.error.as_deref().unwrap();
    assert!(
        msg.starts_with(&format!("line {ragged_line}: ")) && msg.contains("the header has"),
        "expected line {ragged_line}: {msg}"
    );
    let msg = c.error.as_deref().unwrap();
    assert!(
        msg.contains(&format!("(byte {bad_byte})")) && msg.contains("invalid UTF-8"),
        "expected byte {bad_byte}: {msg}"
    );
}

/// An export whose lines end in a bare `\r` (tenants in runs of many rows, so a
/// tenant's buffer joins several records) trains exactly as the same export with
/// `\n`: same rows, positives and cross-validated AUC per tenant.
#[test]
fn cr_only_export_trains_like_the_lf_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut lf = Vec::new();
    synth::write_export(5, 3, &mut lf).unwrap();
    let cr: Vec<u8> = lf
        .iter()
        .map(|&b| if b == b'\n' { b'\r' } else { b })
        .collect();
    let run = |name: &str, data: &[u8]| {
        let export = dir.path().join(format!("{name}.csv"));
        std::fs::write(&export, data).unwrap();
        let store = Store::open(dir.path().join(name), StoreConfig::default()).unwrap();
        let mut cfg = MassConfig::new(options());
        cfg.by = Some(synth::TENANT_COLUMN.into());
        let mut s = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
        s.tenants.sort_by(|a, b| a.tenant.cmp(&b.tenant));
        s.tenants
            .iter()
            .map(|t| (t.tenant.clone(), t.status, t.rows, t.positives, t.roc_auc))
            .collect::<Vec<_>>()
    };
    let (a, b) = (run("lf", &lf), run("cr", &cr));
    assert_eq!(a.len(), 3, "{a:?}");
    assert!(a.iter().all(|t| t.1 == Status::Trained), "{a:?}");
    assert_eq!(a, b);
}

#[test]
fn reserved_tenant_names_and_what_a_killed_run_left() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let mut f = std::fs::File::create(&export).unwrap();
    synth::write_export(9, 1, &mut f).unwrap();
    for name in ["_global", "_training.json"] {
        f.write_all(&rows_csv(name, &synth::tenant_with_rows(9, 60, 2100).table))
            .unwrap();
    }
    drop(f);
    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir, StoreConfig::default()).unwrap();
    let mut cfg = MassConfig::new(options());
    cfg.by = Some(synth::TENANT_COLUMN.into());
    cfg.threads = 1;
    let summary = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    for name in ["_global", "_training.json"] {
        let t = summary.tenants.iter().find(|t| t.tenant == name).unwrap();
        assert_eq!(t.status, Status::Failed, "{t:?}");
        assert!(t.error.as_deref().unwrap().contains("reserved"), "{t:?}");
    }
    // Neither was written as a tenant (the report is the run's own file); the
    // fallback is the run's own.
    assert!(store_dir.join("_training.json").is_file());
    assert!(!store_dir.join("_training.json/lead.json").exists());
    let g = summary.global.as_ref().unwrap();
    assert_eq!(g.status, Status::Trained);
    let trained: Vec<_> = summary
        .tenants
        .iter()
        .filter(|t| t.status == Status::Trained)
        .collect();
    assert_eq!(trained.len(), 1);
    let tenant = trained[0].tenant.clone();

    // A run killed after saving the model, before its outcome: the next run trains
    // the tenant again (not "skipped" for good) and clears the temporary files a
    // dead process left.
    std::fs::remove_file(store_dir.join(&tenant).join("lead.json")).unwrap();
    let orphan = store_dir.join(&tenant).join(".lead.json.999999999.123.tmp");
    std::fs::write(&orphan, b"{").unwrap();
    let live = store_dir
        .join(&tenant)
        .join(format!(".lead.json.{}.7.tmp", std::process::id()));
    std::fs::write(&live, b"{").unwrap();
    let again = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    let t = again.tenants.iter().find(|t| t.tenant == tenant).unwrap();
    assert_eq!(t.status, Status::Trained, "{t:?}");
    assert!(store_dir.join(&tenant).join("lead.json").exists());
    assert!(!orphan.exists(), "the dead process's temporary file stays");
    assert!(live.exists(), "a live process's temporary file was removed");
    // With both files in place, the third run skips it.
    let third = train_tenants(MassInput::Path(&export), &store, &cfg, &|_| {}).unwrap();
    let t = third.tenants.iter().find(|t| t.tenant == tenant).unwrap();
    assert_eq!(t.status, Status::Skipped, "{t:?}");
}

/// A table in memory trains like the export it was read from: the same tenants, the
/// same outcomes, the same models (the fallback's seeded sample included), and the
/// run's report lands at the store's root.
#[test]
fn table_trains_like_its_export() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let mut f = std::fs::File::create(&export).unwrap();
    synth::write_export(11, 3, &mut f).unwrap();
    f.write_all(&rows_csv(
        "tiny",
        &synth::tenant_with_rows(11, 50, 200).table,
    ))
    .unwrap();
    drop(f);
    let cfg = MassConfig::from_json_str(&format!(
        r#"{{"target": "converted", "cv": 2, "by": "{}", "threads": 2, "globalMaxRows": 3000}}"#,
        synth::TENANT_COLUMN
    ))
    .unwrap();
    let table = leadscore::data::csv::read_csv_path(&export, &Default::default()).unwrap();
    let stores: Vec<Store> = ["from_file", "from_table"]
        .iter()
        .map(|n| Store::open(dir.path().join(n), StoreConfig::default()).unwrap())
        .collect();
    let by_file = train_tenants(MassInput::Path(&export), &stores[0], &cfg, &|_| {}).unwrap();
    let calls = AtomicUsize::new(0);
    let by_table = train_tenants(MassInput::Table(&table), &stores[1], &cfg, &|p| {
        calls.fetch_add(1, Ordering::Relaxed);
        assert!(p.done <= p.total);
    })
    .unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 4);
    let brief = |s: &leadscore::mass::MassSummary| {
        s.tenants
            .iter()
            .chain(&s.global)
            .map(|t| (t.tenant.clone(), t.status, t.rows, t.positives, t.roc_auc))
            .collect::<Vec<_>>()
    };
    assert_eq!(brief(&by_file), brief(&by_table));
    assert_eq!(by_table.count(Status::InsufficientData), 1);
    for t in ["_global"]
        .into_iter()
        .chain(by_table.tenants.iter().map(|t| t.tenant.as_str()))
        .filter(|t| *t != "tiny")
    {
        let a = stores[0].score(t, "lead", &lead()).unwrap();
        let b = stores[1].score(t, "lead", &lead()).unwrap();
        assert_eq!(a.score.probability, b.score.probability, "{t}");
    }
    let report: leadscore::mass::MassSummary = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("from_table/_training.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(brief(&report), brief(&by_table));

    // The tenant column must exist; a table has no file to point at.
    let mut no_by = cfg.clone();
    no_by.by = Some("nope".into());
    let e = train_tenants(MassInput::Table(&table), &stores[1], &no_by, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    no_by.by = None;
    let e = train_tenants(MassInput::Table(&table), &stores[1], &no_by, &|_| {}).unwrap_err();
    assert!(e.to_string().contains("tenant column"), "{e}");
}

/// Marking a tenant as having too little data makes the store say so, at once.
#[test]
fn mark_insufficient_and_drift() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
    let model = options()
        .train_table(&synth::tenant_with_rows(3, 1, 2500).table)
        .unwrap();
    store.save("_global", "lead", &model).unwrap();
    store.save("acme", "lead", &model).unwrap();
    let s = store.score("newbie", "lead", &lead()).unwrap();
    assert_eq!(s.reason, Some(FallbackReason::NoModel));
    leadscore::mass::mark_insufficient(&store, "newbie", "lead", 40, 2).unwrap();
    let s = store.score("newbie", "lead", &lead()).unwrap();
    assert_eq!(
        (s.source, s.reason),
        (Source::Fallback, Some(FallbackReason::InsufficientData))
    );
    let mark = |t: &str, rows, pos| {
        leadscore::mass::mark_insufficient(&store, t, "lead", rows, pos)
            .unwrap_err()
            .to_string()
    };
    assert!(mark("_global", 1, 0).contains("reserved"));
    assert!(mark("../x", 1, 0).contains("tenant"));
    assert!(mark("b", 1, 2).contains("exceed"));

    // drift() counts this process's scores without an explicit flush.
    for _ in 0..600 {
        store.score("acme", "lead", &lead()).unwrap();
    }
    let rows = store.drift("lead", None).unwrap();
    let acme = rows.iter().find(|r| r.tenant == "acme").unwrap();
    assert_eq!(acme.scores, 600);
    assert!(acme.psi.is_some(), "{acme:?}");
    assert_eq!(store.drift("lead", Some("acme")).unwrap().len(), 1);
    assert!(store.drift("lead", Some("..")).is_err());
}

/// The cross-language mass-training fixture (`tests/fixtures/mass.json`): every
/// binding trains `examples/data/wa_churn.csv` by `contract` into a fresh store with
/// the fixture's options and must reproduce each tenant's status, rows, positives and
/// cross-validated ROC AUC. Rewritten after a deliberate change with
/// `LEADSCORE_WRITE_MASS=1 cargo test -p leadscore --test mass`.
#[test]
fn cross_language_fixture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root.join("tests/fixtures/mass.json");
    let options = serde_json::json!({
        "target": "churn", "by": "contract", "cv": 2, "minRows": 1000, "threads": 2
    });
    let cfg = MassConfig::from_json(&options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
    let data = root.join("examples/data/wa_churn.csv");
    let summary = train_tenants(MassInput::Path(&data), &store, &cfg, &|_| {}).unwrap();
    let brief = |t: &leadscore::mass::TenantOutcome| {
        serde_json::json!({
            "tenant": t.tenant, "status": t.status, "rows": t.rows,
            "positives": t.positives, "roc_auc": t.roc_auc,
        })
    };
    let got = serde_json::json!({
        "data": "examples/data/wa_churn.csv",
        "options": options,
        "tenants": summary.tenants.iter().map(brief).collect::<Vec<_>>(),
        "global": summary.global.as_ref().map(brief),
    });
    if std::env::var_os("LEADSCORE_WRITE_MASS").is_some() {
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        got, want,
        "differs from {} (after a deliberate change: LEADSCORE_WRITE_MASS=1 cargo test -p leadscore --test mass)",
        path.display()
    );
    // The same rows as a table in memory (tenants interleaved, as in the file).
    let table = leadscore::data::csv::read_csv_path(&data, &Default::default()).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let store2 = Store::open(dir2.path(), StoreConfig::default()).unwrap();
    let from_table = train_tenants(MassInput::Table(&table), &store2, &cfg, &|_| {}).unwrap();
    assert_eq!(
        from_table.tenants.iter().map(brief).collect::<Vec<_>>(),
        got["tenants"].as_array().unwrap().clone()
    );
    assert_eq!(
        from_table.global.as_ref().map(brief).unwrap(),
        got["global"]
    );
    let statuses: Vec<Status> = summary.tenants.iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        [Status::Trained, Status::Trained, Status::InsufficientData]
    );
}

/// A run asked to stop finishes the tenants in flight, trains no more and no fallback,
/// and says so in its summary and report.
#[test]
fn cancel_between_tenants() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let data = root.join("examples/data/wa_churn.csv");
    let mut cfg = MassConfig::from_json_str(
        r#"{"target": "churn", "by": "contract", "cv": 0, "minRows": 1000, "threads": 1}"#,
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    cfg.cancel = Some(stop.clone());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), StoreConfig::default()).unwrap();
    let summary = train_tenants(MassInput::Path(&data), &store, &cfg, &|_| {
        stop.store(true, Ordering::Relaxed);
    })
    .unwrap();
    assert!(summary.cancelled);
    assert_eq!(summary.tenants.len(), 1, "{:?}", summary.tenants);
    assert!(summary.global.is_none());
    let report: leadscore::mass::MassSummary =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("_training.json")).unwrap())
            .unwrap();
    assert!(report.cancelled && report.tenants.len() == 1);
    // The same from a table; and a run that is not stopped says so.
    let table = leadscore::data::csv::read_csv_path(&data, &Default::default()).unwrap();
    stop.store(false, Ordering::Relaxed);
    let from_table = train_tenants(MassInput::Table(&table), &store, &cfg, &|_| {
        stop.store(true, Ordering::Relaxed);
    })
    .unwrap();
    assert!(from_table.cancelled && from_table.tenants.len() == 1);
    cfg.cancel = None;
    let whole = train_tenants(MassInput::Table(&table), &store, &cfg, &|_| {}).unwrap();
    assert!(!whole.cancelled && whole.tenants.len() == 3 && whole.global.is_some());
}
