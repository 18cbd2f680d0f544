//! A store of many tenants' models: `<root>/<tenant>/<name>.lsm`, with
//! `<root>/_global/<name>.lsm` as the fallback.
//!
//! Models load lazily into an LRU cache bounded in bytes (each model's in-memory size)
//! and shared by all threads. A file that changes on disk is reloaded — validated first,
//! then swapped in; readers that hold the old `Arc<Model>` keep it — and files are
//! checked at most once per `check_interval`, so scoring does not stat files on every
//! call. Every answer says which model gave it (the tenant's own or the fallback) and
//! why the fallback was used.
//!
//! ```
//! use leadscore::store::{Store, StoreConfig, Source};
//! # fn main() -> leadscore::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let model = leadscore::Model::from_bytes(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/models/wa_churn_v1.lsm")).unwrap())?;
//! let store = Store::open(dir.path(), StoreConfig::default())?;
//! store.save("acme", "lead", &model)?;           // atomic write into <root>/acme/lead.lsm
//! let lead = leadscore::Record::new().with("tenure", 3).with("contract", "Month-to-month");
//! let s = store.score("acme", "lead", &lead)?;
//! assert_eq!(s.source, Source::Tenant);
//! # Ok(()) }
//! ```

use crate::data::Record;
mod drift_report;
mod paths;

use crate::drift::{self, ScoreCounts, BINS};
use crate::error::{Error, Result};
use crate::model::{Explanation, Model, Score};
pub use drift_report::drift_report;
pub use paths::{
    counts_file, model_file, summary_file, validate_name, COUNTS_EXT, GLOBAL_TENANT, MODEL_EXT,
    SUMMARY_EXT,
};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Store settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    /// Upper bound of the cached models' in-memory size. Defaults to 256 MiB.
    pub cache_bytes: usize,
    /// How long a cached model is trusted before its file is checked again. Defaults
    /// to 2 seconds; `Duration::ZERO` checks on every call.
    pub check_interval: Duration,
    /// Whether a tenant without a usable model falls back to `_global`. Defaults to
    /// `true`.
    pub fallback: bool,
    /// How often the score counts for drift are written beside the models (also on
    /// [`Store::flush_drift`] and when the store is dropped); `None` writes them only
    /// then. Defaults to 60 seconds.
    pub drift_flush_interval: Option<Duration>,
    /// Largest model file the store reads; a larger one is unreadable (and the
    /// fallback answers). Defaults to [`crate::format::DEFAULT_MAX_FILE_BYTES`].
    pub max_file_bytes: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            cache_bytes: 256 << 20,
            check_interval: Duration::from_secs(2),
            fallback: true,
            drift_flush_interval: Some(Duration::from_secs(60)),
            max_file_bytes: crate::format::DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// The store option names [`StoreConfig::from_json`] accepts (camelCase too).
pub const STORE_OPTION_NAMES: &[&str] = &[
    "cache_bytes",
    "check_interval",
    "fallback",
    "drift_flush_interval",
    "max_file_bytes",
];

impl StoreConfig {
    /// Store options from a JSON object (how the C ABI, PHP and Node pass them):
    /// `cache_bytes` (whole bytes), `check_interval` (seconds), `fallback` (bool),
    /// `drift_flush_interval` (seconds, or null for flushing only on demand),
    /// `max_file_bytes` (whole bytes, at least the 14-byte header); camelCase
    /// spellings are accepted too. Unknown names and wrong types are errors naming the
    /// option; absent ones — and `null` ones, except `drift_flush_interval` — keep their
    /// defaults.
    pub fn from_json(v: &serde_json::Value) -> Result<StoreConfig> {
        let obj = v.as_object().ok_or_else(|| {
            Error::InvalidInput("store options must be an object of name -> value".into())
        })?;
        let mut c = StoreConfig::default();
        for (given, v) in obj {
            let seconds = || -> Result<Duration> {
                v.as_f64()
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "store option \"{given}\" must be a number of seconds >= 0, got {v}"
                        ))
                    })
            };
            let key = crate::options::snake_case(given);
            if v.is_null()
                && key != "drift_flush_interval"
                && STORE_OPTION_NAMES.contains(&key.as_str())
            {
                continue;
            }
            match key.as_str() {
                "cache_bytes" => {
                    c.cache_bytes = crate::options::whole_number(v)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| {
                            Error::InvalidInput(format!(
                            "store option \"{given}\" must be a whole number of bytes >= 0, got {v}"
                        ))
                        })?;
                }
                "check_interval" => c.check_interval = seconds()?,
                "max_file_bytes" => {
                    c.max_file_bytes = crate::options::whole_number(v)
                        .filter(|&n| n >= crate::format::HEADER_LEN as u64)
                        .ok_or_else(|| {
                            Error::InvalidInput(format!(
                                "store option \"{given}\" must be a whole number of bytes >= {}, got {v}",
                                crate::format::HEADER_LEN
                            ))
                        })?;
                }
                "fallback" => {
                    c.fallback = v.as_bool().ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "store option \"{given}\" must be a boolean, got {v}"
                        ))
                    })?;
                }
                "drift_flush_interval" => {
                    c.drift_flush_interval = if v.is_null() { None } else { Some(seconds()?) };
                }
                _ => {
                    let known: Vec<String> = STORE_OPTION_NAMES
                        .iter()
                        .map(|n| match crate::options::camel_case(n) {
                            c if c != *n => format!("{n} ({c})"),
                            _ => (*n).to_owned(),
                        })
                        .collect();
                    return Err(Error::InvalidInput(format!(
                        "unknown store option \"{given}\"; known options: {}",
                        known.join(", ")
                    )));
                }
            }
        }
        Ok(c)
    }
}

/// Which model answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The tenant's own model.
    Tenant,
    /// The `_global` fallback model.
    Fallback,
}

/// Why the fallback answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FallbackReason {
    /// The tenant has no model file (never trained).
    NoModel,
    /// Training found too little data for this tenant (its training summary says so).
    InsufficientData,
    /// The tenant's file exists but is not a readable model (the message says why).
    Unreadable(String),
}

impl FallbackReason {
    /// A stable short name: `no_model`, `insufficient_data`, `unreadable`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FallbackReason::NoModel => "no_model",
            FallbackReason::InsufficientData => "insufficient_data",
            FallbackReason::Unreadable(_) => "unreadable",
        }
    }
}

/// A model found in the store, with where it came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The model (keep the `Arc` as long as you like; reloads do not disturb it).
    pub model: Arc<Model>,
    /// Which model it is.
    pub source: Source,
    /// Why the fallback answered (`None` when the tenant's own model did).
    pub reason: Option<FallbackReason>,
}

/// A score from the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreScore {
    /// The score.
    pub score: Score,
    /// Which model answered.
    pub source: Source,
    /// Why the fallback answered.
    pub reason: Option<FallbackReason>,
}

/// Counters of one tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantStats {
    /// Look-ups answered from the cache.
    pub hits: u64,
    /// Look-ups that had to read the disk.
    pub misses: u64,
    /// Model files loaded (first loads and reloads).
    pub loads: u64,
    /// Total time spent loading, in microseconds.
    pub load_micros: u64,
    /// Records scored or explained.
    pub scores: u64,
    /// Answers that came from the fallback model.
    pub fallbacks: u64,
}

/// Counters of the whole store.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Models in the cache.
    pub cached_models: usize,
    /// Their in-memory size in bytes.
    pub cached_bytes: usize,
    /// The cache bound.
    pub cache_bytes_limit: usize,
    /// Models evicted to stay within the bound.
    pub evictions: u64,
    /// Sums over tenants.
    pub totals: TenantStats,
    /// Per tenant.
    pub tenants: std::collections::BTreeMap<String, TenantStats>,
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    loads: AtomicU64,
    load_micros: AtomicU64,
    scores: AtomicU64,
    fallbacks: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> TenantStats {
        TenantStats {
            hits: self.hits.load(Relaxed),
            misses: self.misses.load(Relaxed),
            loads: self.loads.load(Relaxed),
            load_micros: self.load_micros.load(Relaxed),
            scores: self.scores.load(Relaxed),
            fallbacks: self.fallbacks.load(Relaxed),
        }
    }
}

/// What identifies one version of a file: length, modification time and (on Unix)
/// the inode, which an atomic rename always changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    mtime_nanos: u128,
    inode: u64,
}

fn stamp_of(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    Stamp {
        len: meta.len(),
        mtime_nanos: meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos()),
        inode,
    }
}

#[derive(Debug)]
enum State {
    Loaded {
        model: Arc<Model>,
        size: usize,
    },
    /// No file (`stamp` None) or an unreadable one.
    Missing {
        insufficient: bool,
    },
    Unreadable(String),
}

/// Scores given by one model version, per training-decile bin (see [`crate::drift`]).
#[derive(Debug)]
struct Hist {
    created: u64,
    cuts: Vec<f64>,
    counts: [AtomicU64; BINS],
}

impl Hist {
    fn new(model: &Model) -> Option<Hist> {
        Some(Hist {
            created: model.meta().created_unix,
            cuts: drift::cuts(model)?,
            counts: Default::default(),
        })
    }

    /// Takes the counts out (leaving zeros).
    fn take(&self) -> [u64; BINS] {
        std::array::from_fn(|i| self.counts[i].swap(0, Relaxed))
    }
}

#[derive(Debug)]
struct Entry {
    state: State,
    hist: Option<Hist>,
    stamp: Option<Stamp>,
    /// Nanoseconds since the store opened when the file was last checked.
    checked: AtomicU64,
    /// LRU clock value of the last use.
    used: AtomicU64,
}

impl Entry {
    fn size(&self) -> usize {
        match &self.state {
            State::Loaded { size, .. } => *size,
            _ => 64,
        }
    }
}

type Key = (String, String);

#[derive(Debug, Default)]
struct Cache {
    map: HashMap<Key, Arc<Entry>>,
    bytes: usize,
    /// Eviction order, least recently used first: `(last use, key)` queued when a key
    /// enters the cache. Uses do not touch the queue (a hit only bumps the entry's
    /// atomic clock); an item found stale when it reaches the front is queued again at
    /// its entry's last use, so the front is always the true least recently used entry
    /// and each eviction costs `O(log n)` amortised instead of a scan of the cache.
    order: BinaryHeap<Reverse<(u64, Key)>>,
}

impl Cache {
    /// Removes least recently used entries (never `keep`) until the cache fits in
    /// `limit` bytes; returns them.
    fn evict(&mut self, limit: usize, keep: &Key) -> Vec<(Key, Arc<Entry>)> {
        let mut out = Vec::new();
        let mut held = None;
        while self.bytes > limit && self.map.len() > 1 {
            let Some(Reverse((queued, k))) = self.order.pop() else {
                break;
            };
            let Some(used) = self.map.get(&k).map(|e| e.used.load(Relaxed)) else {
                continue; // left the cache another way (save, clear)
            };
            if &k == keep {
                held = Some(Reverse((used, k)));
            } else if used > queued {
                self.order.push(Reverse((used, k)));
            } else if let Some(v) = self.map.remove(&k) {
                self.bytes = self.bytes.saturating_sub(v.size());
                out.push((k, v));
            }
        }
        if let Some(h) = held {
            self.order.push(h);
        }
        // Items of keys that left or were replaced pile up; rebuild when they
        // outnumber the live ones.
        if self.order.len() > 2 * self.map.len() + 64 {
            self.order = self
                .map
                .iter()
                .map(|(k, e)| Reverse((e.used.load(Relaxed), k.clone())))
                .collect();
        }
        out
    }
}

/// Many tenants' models behind one cache (see the module documentation).
/// `Store` is `Send + Sync`: share one per process.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    config: StoreConfig,
    epoch: Instant,
    clock: AtomicU64,
    evictions: AtomicU64,
    cache: RwLock<Cache>,
    counters: RwLock<HashMap<String, Arc<Counters>>>,
    /// Drift counts of entries that left the cache, not yet written.
    pending: Mutex<HashMap<Key, (u64, [u64; BINS])>>,
    last_flush: AtomicU64,
}

impl Store {
    /// Opens a store rooted at `root` (created when missing).
    pub fn open(root: impl AsRef<Path>, config: StoreConfig) -> Result<Store> {
        let root = root.as_ref().to_path_buf();
        std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
        if !root.is_dir() {
            return Err(Error::InvalidInput(format!(
                "{}: not a folder",
                root.display()
            )));
        }
        Ok(Store {
            root,
            config,
            epoch: Instant::now(),
            clock: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            cache: RwLock::new(Cache::default()),
            counters: RwLock::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            last_flush: AtomicU64::new(0),
        })
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// The file of a tenant's model (names validated).
    pub fn model_path(&self, tenant: &str, name: &str) -> Result<PathBuf> {
        paths::model_file(&self.root, tenant, name)
    }

    /// The training summary beside a tenant's model.
    pub fn summary_path(&self, tenant: &str, name: &str) -> Result<PathBuf> {
        paths::summary_file(&self.root, tenant, name)
    }

    /// Saves a model into the store atomically; a cached older version is replaced at
    /// its next check.
    pub fn save(&self, tenant: &str, name: &str, model: &Model) -> Result<()> {
        let path = self.model_path(tenant, name)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        model.save(&path)?;
        // Make this process see its own write at once.
        self.forget(tenant, name);
        Ok(())
    }

    /// Drops the cached entry of (tenant, name), keeping its drift counts, so that the
    /// next request reads the tenant's files again (after this process wrote them).
    pub(crate) fn forget(&self, tenant: &str, name: &str) {
        let key = (tenant.to_owned(), name.to_owned());
        let removed = self.cache.write().ok().and_then(|mut c| {
            let e = c.map.remove(&key)?;
            c.bytes = c.bytes.saturating_sub(e.size());
            Some(e)
        });
        if let Some(e) = removed {
            self.park(&key, &e);
        }
    }

    /// The drift of every tenant's model `name` (or of one tenant's), worst first:
    /// this process's pending score counts are flushed first, then the counts beside
    /// each model are compared with its training deciles (see [`drift_report()`]).
    pub fn drift(&self, name: &str, tenant: Option<&str>) -> Result<Vec<crate::drift::DriftRow>> {
        self.flush_drift()?;
        drift_report(&self.root, name, tenant)
    }

    /// Keeps the drift counts of an entry leaving the cache until the next flush.
    fn park(&self, key: &Key, e: &Entry) {
        if let Some(h) = &e.hist {
            let taken = h.take();
            if taken.iter().any(|&c| c > 0) {
                if let Ok(mut p) = self.pending.lock() {
                    let slot = p.entry(key.clone()).or_insert((h.created, [0; BINS]));
                    if slot.0 != h.created {
                        *slot = (h.created, [0; BINS]);
                    }
                    for (a, b) in slot.1.iter_mut().zip(taken) {
                        *a = a.saturating_add(b);
                    }
                }
            }
        }
    }

    /// Tenants that have a folder in the store, sorted (the fallback folder excluded).
    pub fn tenants(&self) -> Result<Vec<String>> {
        let mut out = paths::tenant_dirs(&self.root)?;
        out.retain(|n| n != GLOBAL_TENANT);
        out.sort();
        Ok(out)
    }

    fn counters(&self, tenant: &str) -> Arc<Counters> {
        if let Ok(m) = self.counters.read() {
            if let Some(c) = m.get(tenant) {
                return c.clone();
            }
        }
        match self.counters.write() {
            Ok(mut m) => m.entry(tenant.to_owned()).or_default().clone(),
            Err(_) => Arc::new(Counters::default()),
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Reads one (tenant, name) from disk into a cache entry.
    fn load_entry(&self, tenant: &str, name: &str, counters: &Counters) -> Result<Entry> {
        let path = self.model_path(tenant, name)?;
        let start = Instant::now();
        let entry = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Entry {
                state: State::Missing {
                    insufficient: self.summary_says_insufficient(tenant, name),
                },
                hist: None,
                stamp: None,
                checked: AtomicU64::new(self.now()),
                used: AtomicU64::new(0),
            },
            // Any other failure (a directory in its place, no permission) makes the
            // tenant's model unreadable: the cached one or the fallback answers.
            Err(e) => Entry {
                state: State::Unreadable(Error::io(&path, e).to_string()),
                hist: None,
                stamp: None,
                checked: AtomicU64::new(self.now()),
                used: AtomicU64::new(0),
            },
            Ok(meta) => {
                let stamp = stamp_of(&meta);
                let state = match crate::format::load_limited(&path, self.config.max_file_bytes) {
                    Ok(m) => {
                        let size = m.heap_size();
                        State::Loaded {
                            model: Arc::new(m),
                            size,
                        }
                    }
                    Err(Error::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::NotFound =>
                    {
                        State::Missing {
                            insufficient: self.summary_says_insufficient(tenant, name),
                        }
                    }
                    Err(e) => State::Unreadable(e.to_string()),
                };
                counters.loads.fetch_add(1, Relaxed);
                let hist = match &state {
                    State::Loaded { model, .. } => Hist::new(model),
                    _ => None,
                };
                Entry {
                    state,
                    hist,
                    stamp: Some(stamp),
                    checked: AtomicU64::new(self.now()),
                    used: AtomicU64::new(0),
                }
            }
        };
        counters
            .load_micros
            .fetch_add(start.elapsed().as_micros() as u64, Relaxed);
        Ok(entry)
    }

    fn summary_says_insufficient(&self, tenant: &str, name: &str) -> bool {
        let Ok(p) = self.summary_path(tenant, name) else {
            return false;
        };
        let Ok(text) = std::fs::read_to_string(p) else {
            return false;
        };
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                v.get("status")
                    .and_then(|s| s.as_str())
                    .map(|s| s == "insufficient_data")
            })
            .unwrap_or(false)
    }

    /// The cache entry of (tenant, name): cached, revalidated when due, or loaded.
    fn entry(&self, tenant: &str, name: &str, counters: &Counters) -> Result<Arc<Entry>> {
        let key: Key = (tenant.to_owned(), name.to_owned());
        let tick = self.clock.fetch_add(1, Relaxed);
        let cached = self
            .cache
            .read()
            .ok()
            .and_then(|c| c.map.get(&key).cloned());
        if let Some(e) = cached {
            e.used.store(tick, Relaxed);
            let now = self.now();
            let due = now.saturating_sub(e.checked.load(Relaxed))
                >= self.config.check_interval.as_nanos() as u64;
            if !due {
                counters.hits.fetch_add(1, Relaxed);
                return Ok(e);
            }
            // Only one thread needs to check: the others keep using the entry.
            let seen = e.checked.load(Relaxed);
            if now.saturating_sub(seen) < self.config.check_interval.as_nanos() as u64
                || e.checked
                    .compare_exchange(seen, now, Relaxed, Relaxed)
                    .is_err()
            {
                counters.hits.fetch_add(1, Relaxed);
                return Ok(e);
            }
            let path = self.model_path(tenant, name)?;
            let current = std::fs::metadata(&path).ok().map(|m| stamp_of(&m));
            if current == e.stamp {
                counters.hits.fetch_add(1, Relaxed);
                return Ok(e);
            }
            // Changed on disk: load and validate the new version before replacing.
            counters.misses.fetch_add(1, Relaxed);
            let fresh = self.load_entry(tenant, name, counters)?;
            // A file that became unreadable (a torn copy by a foreign tool) does not
            // replace a good model: keep serving the old one until a good file appears.
            if matches!(fresh.state, State::Unreadable(_))
                && matches!(e.state, State::Loaded { .. })
            {
                return Ok(e);
            }
            return Ok(self.insert(key, fresh, tick));
        }
        counters.misses.fetch_add(1, Relaxed);
        let fresh = self.load_entry(tenant, name, counters)?;
        Ok(self.insert(key, fresh, tick))
    }

    fn insert(&self, key: Key, entry: Entry, tick: u64) -> Arc<Entry> {
        entry.used.store(tick, Relaxed);
        let entry = Arc::new(entry);
        let Ok(mut c) = self.cache.write() else {
            return entry;
        };
        c.bytes += entry.size();
        let mut parked: Vec<(Key, Arc<Entry>)> = Vec::new();
        match c.map.insert(key.clone(), entry.clone()) {
            Some(old) => {
                c.bytes = c.bytes.saturating_sub(old.size());
                parked.push((key.clone(), old));
            }
            None => c.order.push(Reverse((tick, key.clone()))),
        }
        let evicted = c.evict(self.config.cache_bytes, &key);
        self.evictions.fetch_add(evicted.len() as u64, Relaxed);
        parked.extend(evicted);
        drop(c);
        for (k, e) in parked {
            self.park(&k, &e);
        }
        entry
    }

    /// Finds the model that answers for a tenant: its own when it has a readable one,
    /// else (with `fallback` on) `_global`'s, saying why. No model at all is
    /// [`Error::ModelNotFound`].
    pub fn get(&self, tenant: &str, name: &str) -> Result<Resolved> {
        let (_, resolved) = self.resolve(tenant, name)?;
        Ok(resolved)
    }

    /// [`Store::get`], also returning the answering model's cache entry.
    fn resolve(&self, tenant: &str, name: &str) -> Result<(Arc<Entry>, Resolved)> {
        validate_name("tenant", tenant)?;
        validate_name("model", name)?;
        let counters = self.counters(tenant);
        let own = self.entry(tenant, name, &counters)?;
        let reason = match &own.state {
            State::Loaded { model, .. } => {
                let r = Resolved {
                    model: model.clone(),
                    source: Source::Tenant,
                    reason: None,
                };
                return Ok((own, r));
            }
            State::Missing { insufficient: true } => FallbackReason::InsufficientData,
            State::Missing {
                insufficient: false,
            } => FallbackReason::NoModel,
            State::Unreadable(m) => FallbackReason::Unreadable(m.clone()),
        };
        if self.config.fallback && tenant != GLOBAL_TENANT {
            let g = self.entry(GLOBAL_TENANT, name, &counters)?;
            if let State::Loaded { model, .. } = &g.state {
                counters.fallbacks.fetch_add(1, Relaxed);
                let r = Resolved {
                    model: model.clone(),
                    source: Source::Fallback,
                    reason: Some(reason),
                };
                return Ok((g, r));
            }
        }
        Err(Error::ModelNotFound {
            tenant: tenant.to_owned(),
            name: name.to_owned(),
            reason: match reason {
                FallbackReason::Unreadable(m) => m,
                r => r.as_str().to_owned(),
            },
        })
    }

    /// Scores a record with the tenant's model (or the fallback).
    pub fn score(&self, tenant: &str, name: &str, record: &Record) -> Result<StoreScore> {
        self.score_with(tenant, name, |m| m.score(record))
    }

    /// Explains a record with the tenant's model (or the fallback); counted for drift
    /// like a score.
    pub fn explain(
        &self,
        tenant: &str,
        name: &str,
        record: &Record,
        k: usize,
    ) -> Result<(Explanation, Source, Option<FallbackReason>)> {
        self.explain_with(tenant, name, |m| m.explain(record, k))
    }

    /// [`Store::score`] for a lead that is read once the answering model is known:
    /// `score` gets that model (the shared `Arc`, which a binding may key a cache of
    /// its own by) and returns its score of the lead (a binding reads just the fields
    /// the model uses, with its own errors). Counted like [`Store::score`].
    pub fn score_with(
        &self,
        tenant: &str,
        name: &str,
        score: impl FnOnce(&Arc<Model>) -> Result<Score>,
    ) -> Result<StoreScore> {
        let (entry, r) = self.resolve(tenant, name)?;
        let score = score(&r.model)?;
        self.counters(tenant).scores.fetch_add(1, Relaxed);
        self.count_score(&entry, score.probability);
        Ok(StoreScore {
            score,
            source: r.source,
            reason: r.reason,
        })
    }

    /// [`Store::explain`] for a lead that is read once the answering model is known:
    /// `explain` gets that model and returns its explanation of the lead. Counted like
    /// [`Store::explain`].
    pub fn explain_with(
        &self,
        tenant: &str,
        name: &str,
        explain: impl FnOnce(&Arc<Model>) -> Result<Explanation>,
    ) -> Result<(Explanation, Source, Option<FallbackReason>)> {
        let (entry, r) = self.resolve(tenant, name)?;
        let e = explain(&r.model)?;
        self.counters(tenant).scores.fetch_add(1, Relaxed);
        self.count_score(&entry, e.score.probability);
        Ok((e, r.source, r.reason))
    }

    /// Counts a given score for drift and flushes the counts when the interval is due.
    fn count_score(&self, entry: &Entry, p: f64) {
        if let Some(h) = &entry.hist {
            h.counts[drift::bin_of(&h.cuts, p)].fetch_add(1, Relaxed);
        }
        if let Some(every) = self.config.drift_flush_interval {
            let now = self.now();
            let last = self.last_flush.load(Relaxed);
            if now.saturating_sub(last) >= every.as_nanos() as u64
                && self
                    .last_flush
                    .compare_exchange(last, now, Relaxed, Relaxed)
                    .is_ok()
            {
                // Drift counts are advisory: a failed write keeps them for the next try.
                let _ = self.flush_drift();
            }
        }
    }

    /// Writes the score counts gathered since the last flush beside each model
    /// (`<tenant>/<name>.scores.json`, added to what is there for the same model
    /// version), for `leadscore drift`. Counts that cannot be written are kept.
    pub fn flush_drift(&self) -> Result<()> {
        let mut batch: HashMap<Key, (u64, [u64; BINS])> = self
            .pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        let live: Vec<(Key, Arc<Entry>)> = self
            .cache
            .read()
            .map(|c| c.map.iter().map(|(k, e)| (k.clone(), e.clone())).collect())
            .unwrap_or_default();
        for (k, e) in live {
            if let Some(h) = &e.hist {
                let taken = h.take();
                if taken.iter().all(|&c| c == 0) {
                    continue;
                }
                let slot = batch.entry(k).or_insert((h.created, [0; BINS]));
                if slot.0 != h.created {
                    *slot = (h.created, [0; BINS]);
                }
                for (a, b) in slot.1.iter_mut().zip(taken) {
                    *a = a.saturating_add(b);
                }
            }
        }
        let mut first_err = None;
        for ((tenant, name), (created, counts)) in batch {
            // The names were validated when the scores were counted.
            let path = match paths::counts_file(&self.root, &tenant, &name) {
                Ok(p) => p,
                Err(e) => {
                    first_err.get_or_insert(e);
                    continue;
                }
            };
            let merged = match drift::read_counts(&path) {
                Ok(Some(old)) if old.model_created_unix == created => {
                    // Saturating: a crafted counts file cannot wrap or panic.
                    std::array::from_fn(|i| old.counts[i].saturating_add(counts[i]))
                }
                _ => counts,
            };
            let doc = ScoreCounts {
                model_created_unix: created,
                counts: merged,
                updated_unix: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            };
            let written = serde_json::to_vec(&doc)
                .map_err(|e| Error::Internal(e.to_string()))
                .and_then(|bytes| crate::format::write_atomic(&path, &bytes));
            if let Err(e) = written {
                if let Ok(mut p) = self.pending.lock() {
                    p.insert((tenant, name), (created, counts));
                }
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Counters of one tenant (zeros when it was never asked for).
    pub fn tenant_stats(&self, tenant: &str) -> TenantStats {
        self.counters
            .read()
            .ok()
            .and_then(|m| m.get(tenant).map(|c| c.snapshot()))
            .unwrap_or_default()
    }

    /// Counters of the whole store.
    pub fn stats(&self) -> StoreStats {
        let (cached_models, cached_bytes) = self
            .cache
            .read()
            .map(|c| {
                (
                    c.map
                        .values()
                        .filter(|e| matches!(e.state, State::Loaded { .. }))
                        .count(),
                    c.bytes,
                )
            })
            .unwrap_or((0, 0));
        let mut s = StoreStats {
            cached_models,
            cached_bytes,
            cache_bytes_limit: self.config.cache_bytes,
            evictions: self.evictions.load(Relaxed),
            ..StoreStats::default()
        };
        if let Ok(m) = self.counters.read() {
            for (t, c) in m.iter() {
                let x = c.snapshot();
                s.totals.hits += x.hits;
                s.totals.misses += x.misses;
                s.totals.loads += x.loads;
                s.totals.load_micros += x.load_micros;
                s.totals.scores += x.scores;
                s.totals.fallbacks += x.fallbacks;
                s.tenants.insert(t.clone(), x);
            }
        }
        s
    }

    /// Drops every cached model (counters and drift counts are kept).
    pub fn clear(&self) {
        let removed: Vec<(Key, Arc<Entry>)> = self
            .cache
            .write()
            .map(|mut c| {
                c.bytes = 0;
                c.order.clear();
                c.map.drain().collect()
            })
            .unwrap_or_default();
        for (k, e) in removed {
            self.park(&k, &e);
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Advisory data: a store going away writes what it counted, errors ignored.
        let _ = self.flush_drift();
    }
}
