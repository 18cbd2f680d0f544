//! Mass training: one model per tenant from one export (a tenant column) or from a
//! folder of per-tenant CSV files, in parallel, into a [`Store`].
//!
//! The export is never held in memory whole. A first pass indexes where each tenant's
//! rows are (byte runs) and draws a seeded reservoir sample of rows for the `_global`
//! fallback model; then workers each read one tenant's bytes, parse, train, and save
//! atomically, so memory stays bounded by the largest tenants in flight plus the index.
//! One tenant's failure never stops the run; tenants with too little data are marked
//! (the store then answers for them with the fallback and says why); tenants whose
//! model is newer than their data are skipped unless `force` is set.

use crate::data::csv::{
    cr_only_lines, read_csv_bytes_single, record_fields, record_key, sniff_delimiter, RecordScanner,
};
use crate::error::{Error, Result};
use crate::options::TrainOptions;
use crate::rng::Rng;
use crate::store::{validate_name, Store, GLOBAL_TENANT};
use crate::Model;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

mod options;
mod table;

pub use options::{MASS_OPTION_NAMES, MAX_GLOBAL_ROWS, MAX_THREADS};

/// The run's report at the store's root, written by [`train_tenants`].
pub const TRAINING_REPORT: &str = "_training.json";

/// Where a mass run reads its tenants' rows from.
#[derive(Debug, Clone, Copy)]
pub enum MassInput<'a> {
    /// A CSV export with the tenant column `by`, or a folder of `<tenant>.csv` files.
    Path(&'a Path),
    /// A table in memory with the tenant column `by`.
    Table(&'a crate::Table),
}

/// Trains every tenant of `input` into `store`, in parallel, reporting progress after
/// each tenant, and writes the run's summary as [`TRAINING_REPORT`] at the store's
/// root (atomically). One tenant's failure never stops the run: it is its outcome.
/// This is the one entry point of the CLI's `train --by` and every binding's
/// `train_tenants`.
pub fn train_tenants(
    input: MassInput<'_>,
    store: &Store,
    config: &MassConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<MassSummary> {
    config.validate()?;
    let summary = match input {
        MassInput::Path(p) => train_all(p, store, config, progress)?,
        MassInput::Table(t) => table::train_table(t, store, config, progress)?,
    };
    let text = serde_json::to_string_pretty(&summary)
        .map_err(|e| Error::Internal(format!("the run's summary: {e}")))?;
    crate::format::write_atomic(&store.root().join(TRAINING_REPORT), text.as_bytes())?;
    Ok(summary)
}

/// Marks `tenant` as having too little data for a model `name` (`rows` rows with
/// `positives` positives, for the record): its outcome file says so, and the store
/// then answers for it with the fallback model and the reason `insufficient_data`
/// instead of `no_model`. A model the tenant already has keeps answering; a later
/// run that trains the tenant replaces the mark.
pub fn mark_insufficient(
    store: &Store,
    tenant: &str,
    name: &str,
    rows: usize,
    positives: usize,
) -> Result<()> {
    validate_name("tenant", tenant)?;
    validate_name("model", name)?;
    if tenant.starts_with('_') {
        return Err(Error::InvalidInput(format!(
            "tenant \"{tenant}\" cannot be marked: names starting with \"_\" are reserved for the store"
        )));
    }
    if positives > rows {
        return Err(Error::InvalidInput(format!(
            "positives ({positives}) cannot exceed rows ({rows})"
        )));
    }
    let outcome = TenantOutcome::new(
        tenant,
        Status::InsufficientData,
        rows,
        Some(positives),
        None,
        Some(format!(
            "marked as having too little data: {rows} rows with {positives} positives"
        )),
        Instant::now(),
    );
    let path = store.summary_path(tenant, name)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let text = serde_json::to_string_pretty(&outcome)
        .map_err(|e| Error::Internal(format!("the tenant's outcome: {e}")))?;
    crate::format::write_atomic(&path, text.as_bytes())?;
    store.forget(tenant, name);
    Ok(())
}

/// What to train and how.
#[derive(Debug, Clone)]
pub struct MassConfig {
    /// The target, training configuration and CSV options for every tenant.
    pub train: TrainOptions,
    /// The tenant column of a single export (`None` for a folder of per-tenant files).
    pub by: Option<String>,
    /// The model name inside each tenant's folder. Defaults to `lead`.
    pub name: String,
    /// Retrain tenants whose model is newer than their data. Defaults to `false`.
    pub force: bool,
    /// Parallel workers; `0` uses the available cores. Defaults to `0`.
    pub threads: usize,
    /// Train the `_global` fallback model. Defaults to `true`.
    pub global: bool,
    /// Let the fallback model use the tenant as a categorical feature. Defaults to
    /// `false`.
    pub global_tenant_feature: bool,
    /// Rows sampled (seeded, uniformly over the export) for the fallback model.
    /// Defaults to `200_000`.
    pub global_max_rows: usize,
    /// Set it (from any thread) to stop the run between tenants: tenants in flight
    /// finish, the others are left out of the summary, the fallback is not trained and
    /// the summary says `cancelled`. Defaults to `None` (the run cannot be stopped).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl MassConfig {
    /// Whether the run was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Defaults around the given training options.
    pub fn new(train: TrainOptions) -> Self {
        MassConfig {
            train,
            by: None,
            name: crate::defaults::MODEL_NAME.into(),
            force: false,
            threads: 0,
            global: true,
            global_tenant_feature: false,
            global_max_rows: crate::defaults::GLOBAL_MAX_ROWS,
            cancel: None,
        }
    }
}

/// How one tenant ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A model was trained and saved.
    Trained,
    /// The model was newer than the data.
    Skipped,
    /// Too little data: no model (the fallback answers).
    InsufficientData,
    /// Reading or training failed; the message says why.
    Failed,
}

/// One tenant's outcome; also written as `<tenant>/<name>.json` beside the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantOutcome {
    /// The tenant.
    pub tenant: String,
    /// How it ended.
    pub status: Status,
    /// Rows of the tenant's data.
    pub rows: usize,
    /// Positive rows (when the target could be read).
    pub positives: Option<usize>,
    /// Cross-validated ROC AUC (when trained with CV).
    pub roc_auc: Option<f64>,
    /// Cross-validated PR AUC.
    pub pr_auc: Option<f64>,
    /// Seconds spent on the tenant (reading, training, saving).
    pub seconds: f64,
    /// The error message of a failure or the insufficient-data message.
    pub error: Option<String>,
    /// When the outcome was produced (Unix seconds).
    pub finished_unix: u64,
}

impl TenantOutcome {
    /// An outcome for `tenant` with the model's cross-validated AUCs (when it has a
    /// model with metrics), timed from `started`.
    fn new(
        tenant: &str,
        status: Status,
        rows: usize,
        positives: Option<usize>,
        model: Option<&Model>,
        error: Option<String>,
        started: Instant,
    ) -> TenantOutcome {
        let metrics = model.and_then(|m| m.metrics());
        TenantOutcome {
            tenant: tenant.to_owned(),
            status,
            rows,
            positives,
            roc_auc: metrics.map(|m| m.roc_auc),
            pr_auc: metrics.map(|m| m.pr_auc),
            seconds: started.elapsed().as_secs_f64(),
            error,
            finished_unix: now_unix(),
        }
    }

    /// Writes the outcome beside the tenant's model (`<tenant>/<name>.json`) atomically.
    /// The summary is advisory (the store reads its status): a failed write is ignored.
    fn write(&self, store: &Store, name: &str) {
        if let Ok(p) = store.summary_path(&self.tenant, name) {
            if let Ok(text) = serde_json::to_string_pretty(self) {
                let _ = p.parent().map(std::fs::create_dir_all);
                let _ = crate::format::write_atomic(&p, text.as_bytes());
            }
        }
    }
}

/// Progress of a run, reported after each tenant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Tenants finished.
    pub done: usize,
    /// Tenants in all.
    pub total: usize,
    /// Data rows of the finished tenants.
    pub rows_done: usize,
    /// Seconds since the run started.
    pub elapsed: f64,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MassSummary {
    /// Every tenant's outcome, sorted by tenant.
    pub tenants: Vec<TenantOutcome>,
    /// The fallback model's outcome (when trained).
    pub global: Option<TenantOutcome>,
    /// Rows without a tenant value (left out).
    pub rows_without_tenant: usize,
    /// Seconds spent indexing the input.
    pub index_seconds: f64,
    /// Seconds of the whole run.
    pub seconds: f64,
    /// The run was stopped (`MassConfig::cancel`) before every tenant was trained.
    #[serde(default)]
    pub cancelled: bool,
}

impl MassSummary {
    /// How many tenants ended with a status.
    pub fn count(&self, s: Status) -> usize {
        self.tenants.iter().filter(|t| t.status == s).count()
    }

    /// Minimum, quartiles and maximum of the trained tenants' ROC AUC.
    pub fn auc_quantiles(&self) -> Option<[f64; 5]> {
        let mut a: Vec<f64> = self.tenants.iter().filter_map(|t| t.roc_auc).collect();
        if a.is_empty() {
            return None;
        }
        a.sort_by(f64::total_cmp);
        let q = |f: f64| a[((a.len() - 1) as f64 * f).round() as usize];
        Some([q(0.0), q(0.25), q(0.5), q(0.75), q(1.0)])
    }
}

/// Where one tenant's rows are.
#[derive(Debug, Clone)]
struct TenantRows {
    name: String,
    file: PathBuf,
    /// Its data rows in `file` (contiguous rows merged into one run).
    runs: Vec<Run>,
    rows: usize,
}

/// Consecutive rows of one tenant in a file: bytes `start..end`, the first of them on
/// 1-based line `line` (the line of byte `start`).
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    end: u64,
    line: u64,
}

/// Where the bytes of a buffer built by [`read_ranges`] came from, so that a line or
/// byte offset the CSV reader reports in the buffer can be given as the file's.
#[derive(Debug, Default)]
struct Origin {
    /// (buffer byte, file byte, buffer line, file line) at the start of each copied
    /// piece, in buffer order.
    pieces: Vec<(u64, u64, u64, u64)>,
}

impl Origin {
    /// The file line of a buffer line.
    fn line(&self, line: u64) -> u64 {
        match self.pieces.iter().rev().find(|p| p.2 <= line) {
            Some(&(_, _, buf_line, file_line)) => file_line + (line - buf_line),
            None => line,
        }
    }

    /// The file byte of a buffer byte.
    fn byte(&self, byte: u64) -> u64 {
        match self.pieces.iter().rev().find(|p| p.0 <= byte) {
            Some(&(buf_byte, file_byte, _, _)) => file_byte + (byte - buf_byte),
            None => byte,
        }
    }

    /// An error about the buffer, located in the file instead.
    fn relocate(&self, e: Error) -> Error {
        match e {
            Error::Parse { mut at, message } => {
                if at.line > 0 {
                    at.line = self.line(at.line);
                }
                at.byte = at.byte.map(|b| self.byte(b));
                Error::Parse { at, message }
            }
            other => other,
        }
    }
}

/// The index of one CSV file: its header bytes and row locations.
struct FileIndex {
    header: Vec<u8>,
    delimiter: u8,
    /// Lines end in a bare `\r` (see [`cr_only_lines`]).
    cr_only: bool,
    groups: Vec<TenantRows>,
    without_tenant: usize,
}

/// A seeded reservoir sample (Algorithm R) of rows across every input file: entries
/// are (file number, tenant group in that file, row start, row end).
struct Reservoir {
    rows: Vec<(usize, usize, u64, u64)>,
    max: usize,
    seen: u64,
    rng: Rng,
}

impl Reservoir {
    fn offer(&mut self, row: (usize, usize, u64, u64)) {
        self.seen += 1;
        if self.rows.len() < self.max {
            self.rows.push(row);
        } else if self.max > 0 {
            let j = self.rng.below(self.seen) as usize;
            if j < self.max {
                self.rows[j] = row;
            }
        }
    }
}

fn file_mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Indexes a CSV file: per tenant (the `by` column, or the whole file as `whole`),
/// the byte runs of its rows; every row is offered to the reservoir.
fn index_csv(
    path: &Path,
    file_no: usize,
    delimiter: Option<u8>,
    by: Option<&str>,
    whole: Option<&str>,
    reservoir: &mut Reservoir,
) -> Result<FileIndex> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::new();
    BufReader::new(&file)
        .take(1 << 20)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let first_line = head
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or(&[]);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(first_line));
    let cr_only = cr_only_lines(&head);
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut scan = RecordScanner::new(file, delimiter, cr_only);
    let read = |scan: &mut RecordScanner<std::fs::File>| {
        scan.next_record().map_err(|e| Error::io(path, e))
    };
    let Some(head_rec) = read(&mut scan)? else {
        return Err(Error::parse(
            1,
            None,
            format!("{}: empty file: no header row", path.display()),
        ));
    };
    let header_end = head_rec.end;
    let col = match by {
        None => None,
        Some(by) => {
            let names: Vec<String> = record_fields(scan.content(&head_rec), delimiter)
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let f: &[u8] = f;
                    let f = if i == 0 {
                        f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f)
                    } else {
                        f
                    };
                    String::from_utf8_lossy(f).trim().to_owned()
                })
                .collect();
            Some(
                names
                    .iter()
                    .position(|n| n == by)
                    .ok_or_else(|| Error::unknown_column(by, names.iter().map(String::as_str)))?,
            )
        }
    };
    let mut header = vec![0u8; header_end as usize];
    {
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        f.read_exact(&mut header).map_err(|e| Error::io(path, e))?;
    }
    let mut groups: Vec<TenantRows> = Vec::new();
    let mut by_name: HashMap<Vec<u8>, usize, foldhash::fast::RandomState> = HashMap::default();
    let (mut last, mut last_key): (Option<usize>, Vec<u8>) = (None, Vec::new());
    let mut without = 0usize;
    while let Some(rec) = read(&mut scan)? {
        let (start, end, line) = (rec.start, rec.end, rec.line);
        let (blank, field) = record_key(scan.content(&rec), delimiter, col);
        if blank {
            continue;
        }
        let key: &[u8] = match (col, whole) {
            (Some(_), _) => match field.as_deref().map(<[u8]>::trim_ascii) {
                Some(k) if !k.is_empty() => k,
                _ => {
                    without += 1;
                    continue;
                }
            },
            (None, Some(w)) => w.as_bytes(),
            (None, None) => return Err(Error::Internal("index_csv without a tenant".into())),
        };
        // Exports usually keep a tenant's rows together: try the last tenant first.
        let g = match last.filter(|_| last_key.as_slice() == key) {
            Some(g) => g,
            None => match by_name.get(key) {
                Some(&g) => g,
                None => {
                    let name = String::from_utf8_lossy(key).into_owned();
                    groups.push(TenantRows {
                        name,
                        file: path.to_path_buf(),
                        runs: Vec::new(),
                        rows: 0,
                    });
                    by_name.insert(key.to_vec(), groups.len() - 1);
                    groups.len() - 1
                }
            },
        };
        if last != Some(g) {
            last = Some(g);
            last_key.clear();
            last_key.extend_from_slice(key);
        }
        let t = &mut groups[g];
        t.rows += 1;
        match t.runs.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ => t.runs.push(Run { start, end, line }),
        }
        reservoir.offer((file_no, g, start, end));
    }
    Ok(FileIndex {
        header,
        delimiter,
        cr_only,
        groups,
        without_tenant: without,
    })
}

/// Reads the header plus the given runs of a file into one CSV buffer, with where
/// each piece came from. A file whose lines end in a bare `\r` has every `\r` made a
/// `\n`, as its parser would read it, so that buffers of files with either line end
/// can be joined and their lines counted alike.
fn read_ranges(
    path: &Path,
    header: &[u8],
    runs: &[Run],
    cr_only: bool,
) -> Result<(Vec<u8>, Origin)> {
    let total: u64 = runs.iter().map(|r| r.end - r.start).sum();
    let mut buf = Vec::with_capacity(header.len() + total as usize + 1);
    let mut origin = Origin::default();
    origin.pieces.push((0, 0, 1, 1));
    let lf = |piece: &mut [u8]| {
        if cr_only {
            piece
                .iter_mut()
                .filter(|b| **b == b'\r')
                .for_each(|b| *b = b'\n');
        }
    };
    buf.extend_from_slice(header);
    lf(&mut buf);
    if !buf.ends_with(b"\n") {
        buf.push(b'\n');
    }
    let mut lines = 1 + memchr::memchr_iter(b'\n', &buf).count() as u64;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    for r in runs {
        f.seek(SeekFrom::Start(r.start))
            .map_err(|e| Error::io(path, e))?;
        let at = buf.len();
        origin.pieces.push((at as u64, r.start, lines, r.line));
        buf.resize(at + (r.end - r.start) as usize, 0);
        f.read_exact(&mut buf[at..])
            .map_err(|e| Error::io(path, e))?;
        lf(&mut buf[at..]);
        if !buf.ends_with(b"\n") {
            buf.push(b'\n');
        }
        lines += memchr::memchr_iter(b'\n', &buf[at..]).count() as u64;
    }
    Ok((buf, origin))
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Trains every tenant of `data` (a CSV export with `config.by` set, or a folder of
/// `<tenant>.csv` files) into `store`, reporting progress after each tenant.
pub(crate) fn train_all(
    data: &Path,
    store: &Store,
    config: &MassConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<MassSummary> {
    let start = Instant::now();
    validate_name("model", &config.name)?;
    // What a killed run left half-written at the root (the report) and in the
    // fallback's folder; tenants' folders are cleaned as each is trained.
    let global_path = store.model_path(GLOBAL_TENANT, &config.name)?;
    for dir in [
        global_path.parent(),
        global_path.parent().and_then(Path::parent),
    ]
    .into_iter()
    .flatten()
    {
        crate::format::remove_orphan_temps(dir);
    }
    let mut reservoir = Reservoir {
        rows: Vec::new(),
        max: if config.global {
            config.global_max_rows
        } else {
            0
        },
        seen: 0,
        rng: Rng::derive(config.train.config.seed, 0x61_0BA1),
    };
    let mut indexes: Vec<FileIndex> = Vec::new();
    if data.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(data)
            .map_err(|e| Error::io(data, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{}: no .csv files in the folder",
                data.display()
            )));
        }
        for f in &files {
            let stem = f
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let idx = index_csv(
                f,
                indexes.len(),
                config.train.csv.delimiter,
                config.by.as_deref(),
                Some(&stem),
                &mut reservoir,
            )?;
            if let Some(first) = indexes.first() {
                if first.header.trim_ascii() != idx.header.trim_ascii() {
                    return Err(Error::InvalidInput(format!(
                        "{}: its header differs from {}'s; every tenant file must have the same columns",
                        f.display(),
                        files[0].display()
                    )));
                }
            }
            indexes.push(idx);
        }
    } else {
        let by = config.by.as_deref().ok_or_else(|| {
            Error::InvalidInput("a single export needs the tenant column (--by)".into())
        })?;
        indexes.push(index_csv(
            data,
            0,
            config.train.csv.delimiter,
            Some(by),
            None,
            &mut reservoir,
        )?);
    }
    let index_seconds = start.elapsed().as_secs_f64();
    let rows_without_tenant = indexes.iter().map(|i| i.without_tenant).sum();

    // Tenants across files; the same tenant in two files is an error.
    let mut work: Vec<(usize, TenantRows)> = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (fi, idx) in indexes.iter().enumerate() {
        for g in &idx.groups {
            if !names.insert(g.name.clone()) {
                return Err(Error::InvalidInput(format!(
                    "tenant \"{}\" appears in more than one file",
                    g.name
                )));
            }
            work.push((fi, g.clone()));
        }
    }
    // Largest first, for an even finish across workers.
    work.sort_by(|a, b| {
        b.1.rows
            .cmp(&a.1.rows)
            .then_with(|| a.1.name.cmp(&b.1.name))
    });
    let data_mtime = |t: &TenantRows| file_mtime(&t.file);
    // Folds inside a tenant run on one thread: the tenants are the parallel work.
    let mut per_tenant = config.train.clone();
    per_tenant.config.threads = 1;
    let tenants = run_tenants(
        store,
        config,
        &work,
        |(_, t)| (t.name.as_str(), t.rows),
        |(fi, t)| train_one(store, config, &per_tenant, &indexes[*fi], t, data_mtime(t)),
        progress,
        start,
    );

    let cancelled = config.cancelled();
    let global = if config.global && !cancelled {
        let failed = tenants
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| t.tenant.as_str())
            .collect();
        Some(train_global(
            store,
            config,
            &indexes,
            reservoir.rows,
            &failed,
        )?)
    } else {
        None
    };
    Ok(MassSummary {
        tenants,
        global,
        rows_without_tenant,
        index_seconds,
        seconds: start.elapsed().as_secs_f64(),
        cancelled,
    })
}

/// Trains `work` (sorted largest first) on the configured number of workers: each
/// item's outcome (a failure or panic included) is written beside its model and
/// reported to `progress`. Names starting with `_` are the store's own and never
/// trained. Returns the outcomes sorted by tenant.
fn run_tenants<W: Sync>(
    store: &Store,
    config: &MassConfig,
    work: &[W],
    tenant_of: impl Fn(&W) -> (&str, usize) + Sync,
    train: impl Fn(&W) -> Result<TenantOutcome> + Sync,
    progress: &(dyn Fn(Progress) + Sync),
    start: Instant,
) -> Vec<TenantOutcome> {
    let total = work.len();
    let threads = if config.threads > 0 {
        config.threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
    .min(total.max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows_done = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<TenantOutcome>> = Mutex::new(Vec::with_capacity(total));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                if config.cancelled() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(w) = work.get(i) else { break };
                let (name, rows) = tenant_of(w);
                let t0 = Instant::now();
                let reserved = name.starts_with('_');
                let outcome = if reserved {
                    // The store's own names (the fallback `_global`, the run's report
                    // `_training.json`): never trained or written as a tenant.
                    Err(Error::InvalidInput(format!(
                        "tenant \"{name}\" is not trained: names starting with \"_\" are reserved \
                         for the store (the fallback {GLOBAL_TENANT}, the run's report)"
                    )))
                } else {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| train(w)))
                        .unwrap_or_else(|_| Err(Error::Internal("training panicked".into())))
                };
                let outcome = outcome.unwrap_or_else(|e| {
                    let err = Some(e.to_string());
                    TenantOutcome::new(name, Status::Failed, rows, None, None, err, t0)
                });
                if outcome.status != Status::Skipped && !reserved {
                    outcome.write(store, &config.name);
                }
                if let Ok(mut o) = outcomes.lock() {
                    o.push(outcome);
                }
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                let r = rows_done.fetch_add(rows, Ordering::Relaxed) + rows;
                progress(Progress {
                    done: d,
                    total,
                    rows_done: r,
                    elapsed: start.elapsed().as_secs_f64(),
                });
            });
        }
    });
    let mut tenants = outcomes.into_inner().unwrap_or_default();
    tenants.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    tenants
}

fn train_one(
    store: &Store,
    config: &MassConfig,
    opts: &TrainOptions,
    idx: &FileIndex,
    t: &TenantRows,
    data_mtime: Option<SystemTime>,
) -> Result<TenantOutcome> {
    let t0 = Instant::now();
    let model_path = store.model_path(&t.name, &config.name)?;
    let outcome = |status, positives, model: Option<&Model>, error| {
        TenantOutcome::new(&t.name, status, t.rows, positives, model, error, t0)
    };
    // What a killed run left half-written in the tenant's folder.
    if let Some(dir) = model_path.parent() {
        crate::format::remove_orphan_temps(dir);
    }
    if !config.force {
        // Up to date: a model newer than the data, with its outcome beside it (a run
        // killed between the two writes trains the tenant again).
        let summary = store.summary_path(&t.name, &config.name)?;
        if let (Some(m), Some(d), Some(_)) =
            (file_mtime(&model_path), data_mtime, file_mtime(&summary))
        {
            if m >= d {
                return Ok(outcome(Status::Skipped, None, None, None));
            }
        }
    }
    let (bytes, origin) = read_ranges(&t.file, &idx.header, &t.runs, idx.cr_only)?;
    let mut csv = opts.csv.clone();
    csv.delimiter = Some(idx.delimiter);
    // Lines and bytes named by any error are the file's, not the buffer's.
    let mut table = read_csv_bytes_single(&bytes, &csv).map_err(|e| origin.relocate(e))?;
    drop(bytes);
    table.map_lines(|l| origin.line(l));
    if let Some(by) = &config.by {
        table.remove_column(by);
    }
    settle(
        store,
        &config.name,
        &t.name,
        t.rows,
        opts.train_table(&table),
        t0,
    )
}

/// A tenant's outcome from its training result: the model is saved, too little data
/// is an outcome; any other error is returned (the caller records the failure).
fn settle(
    store: &Store,
    name: &str,
    tenant: &str,
    rows: usize,
    fit: Result<Model>,
    t0: Instant,
) -> Result<TenantOutcome> {
    let outcome = |status, positives, model: Option<&Model>, error| {
        TenantOutcome::new(tenant, status, rows, positives, model, error, t0)
    };
    match fit {
        Ok(model) => {
            store.save(tenant, name, &model)?;
            let positives = model.meta().positives as usize;
            Ok(outcome(
                Status::Trained,
                Some(positives),
                Some(&model),
                None,
            ))
        }
        Err(e @ Error::InsufficientData { positives, .. }) => Ok(outcome(
            Status::InsufficientData,
            Some(positives),
            None,
            Some(e.to_string()),
        )),
        Err(e) => Err(e),
    }
}

/// Trains the fallback model on the sampled rows (the tenant column dropped, or made
/// a category with `global_tenant_feature`), saves it and writes its outcome.
fn fit_global(
    store: &Store,
    config: &MassConfig,
    mut table: crate::Table,
    t0: Instant,
) -> TenantOutcome {
    let rows = table.n_rows();
    let mut opts = config.train.clone();
    if let Some(by) = &config.by {
        if config.global_tenant_feature {
            opts.config
                .kinds
                .push((by.clone(), crate::Kind::Categorical));
        } else {
            table.remove_column(by);
        }
    }
    let fit = opts.train_table(&table);
    drop(table);
    let out = settle(store, &config.name, GLOBAL_TENANT, rows, fit, t0).unwrap_or_else(|e| {
        let err = Some(e.to_string());
        TenantOutcome::new(GLOBAL_TENANT, Status::Failed, rows, None, None, err, t0)
    });
    out.write(store, &config.name);
    out
}

fn train_global(
    store: &Store,
    config: &MassConfig,
    indexes: &[FileIndex],
    mut sample: Vec<(usize, usize, u64, u64)>,
    failed: &std::collections::HashSet<&str>,
) -> Result<TenantOutcome> {
    let t0 = Instant::now();
    // The sampled rows of tenants that did not fail (a broken tenant must not break
    // the fallback), read back file by file in file order, then one table: files
    // share a header (checked while indexing).
    sample.retain(|r| {
        indexes
            .get(r.0)
            .and_then(|idx| idx.groups.get(r.1))
            .is_some_and(|g| !failed.contains(g.name.as_str()))
    });
    sample.sort_unstable();
    let rows = sample.len();
    let mut buf: Vec<u8> = Vec::new();
    for (i, idx) in indexes.iter().enumerate() {
        let Some(path) = idx.groups.first().map(|g| g.file.clone()) else {
            continue;
        };
        let ranges: Vec<Run> = sample
            .iter()
            .filter(|r| r.0 == i)
            .map(|r| Run {
                start: r.2,
                end: r.3,
                line: 0,
            })
            .collect();
        if ranges.is_empty() {
            continue;
        }
        let (part, _) = read_ranges(&path, &idx.header, &ranges, idx.cr_only)?;
        if buf.is_empty() {
            buf = part;
        } else {
            buf.extend_from_slice(&part[idx.header.len()..]);
        }
    }
    let outcome = |status, positives, model: Option<&Model>, error| {
        TenantOutcome::new(GLOBAL_TENANT, status, rows, positives, model, error, t0)
    };
    if rows == 0 {
        return Ok(outcome(
            Status::InsufficientData,
            Some(0),
            None,
            Some("no rows".into()),
        ));
    }
    let mut csv = config.train.csv.clone();
    csv.delimiter = indexes.first().map(|i| i.delimiter);
    match read_csv_bytes_single(&buf, &csv) {
        Ok(table) => {
            drop(buf);
            Ok(fit_global(store, config, table, t0))
        }
        Err(e) => {
            let out = outcome(Status::Failed, None, None, Some(e.to_string()));
            out.write(store, &config.name);
            Ok(out)
        }
    }
}
