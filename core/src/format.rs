//! The model file: a small envelope around a postcard payload.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "LSCM"
//! 4       2     format version, little-endian u16 (this release writes 5, reads 1 to 5)
//! 6       4     payload length in bytes, little-endian u32
//! 10      4     CRC-32 (IEEE) of the payload, little-endian u32
//! 14      n     payload: the model, serialised with postcard
//! ```
//!
//! Reading checks the magic, the version, that the length matches the bytes present
//! exactly (trailing bytes are rejected), the checksum, that the payload decodes with
//! nothing left over, and every invariant scoring relies on. Decoding is charged to a
//! memory budget of four bytes per payload byte ([`budget`]), so a crafted file cannot
//! make the reader allocate much more than it holds; [`load`] reads only regular files,
//! the header first, and at most [`DEFAULT_MAX_FILE_BYTES`] ([`load_limited`] takes
//! another limit). A file never executes anything.
//!
//! Saving is atomic: a temporary file in the same folder is written and fsynced, then
//! renamed over the target, then the folder is fsynced, so a crash leaves either the
//! old file or the new one, never a torn one.
//!
//! Version 5 added the byte figures of `max_model_bytes` to the pruning report
//! (`max_model_bytes`, `model_bytes`, after its other fields); versions 3 and 4 decode
//! their shorter report (`format::pruning`).
//!
//! Version 3 added the penalty (`penalty`, `l1_ratio` in the meta), the pruning report
//! of `max_features`, and writes the coefficients sparse (the index and value of each
//! non-zero one) when fewer than half are non-zero. Version 2 files decode into their
//! own layout (`v2`) and convert.
//!
//! Version 2 added the recipe language: the pipeline's derived sources and recipe
//! text, the steps `Missing`, `Terms` and `Hashed` (appended to the step enum, so a
//! version 1 step decodes as it did), and whether `c` was chosen automatically.
//! Version 1 files decode into their own layout (`v1`) and convert; they score and
//! explain exactly as before.

use crate::error::{Error, Result};
use crate::model::Model;
use std::io::{Read, Write};
use std::path::Path;

pub mod budget;

/// The four bytes every model file starts with.
pub const MAGIC: [u8; 4] = *b"LSCM";
/// The format version this release writes.
pub const FORMAT_VERSION: u16 = 5;
/// Format versions this release reads.
pub const READABLE_VERSIONS: &[u16] = &[1, 2, 3, 4, 5];
/// Envelope size before the payload.
pub const HEADER_LEN: usize = 14;
/// Largest payload [`from_bytes`] accepts (256 MiB): far above any real model, low
/// enough that a corrupt length cannot exhaust memory.
pub const MAX_PAYLOAD: usize = 256 << 20;
/// The most inputs [`Model::info`] lists (`input_count` counts them all), so a model's
/// summary stays small however many columns its file declares.
pub const INFO_MAX_INPUTS: usize = 1000;
/// Largest model file [`load`] reads by default (64 MiB: a text model of a million
/// terms is about 40 MiB); [`load_limited`] takes another limit.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;

/// Serialises a model into the file format.
pub fn to_bytes(model: &Model) -> Result<Vec<u8>> {
    let payload = postcard::to_stdvec(model)
        .map_err(|e| Error::Internal(format!("cannot encode model: {e}")))?;
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&l| (l as usize) <= MAX_PAYLOAD)
        .ok_or_else(|| {
            Error::InvalidInput(format!("model too large to save ({} bytes)", payload.len()))
        })?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Reads a model from bytes in the file format; every failure is a
/// [`Error::ModelFormat`] saying what is wrong and at which byte.
pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
    let err = |m: String| Err(Error::ModelFormat(m));
    if bytes.len() < HEADER_LEN {
        if !bytes.is_empty() && !MAGIC.starts_with(&bytes[..bytes.len().min(4)]) {
            return err("not a leadscore model (bad magic at byte 0)".into());
        }
        return err(format!(
            "truncated: {} bytes, the header alone is {HEADER_LEN}",
            bytes.len()
        ));
    }
    if bytes[..4] != MAGIC {
        return err(format!(
            "not a leadscore model (bad magic at byte 0: {:02x} {:02x} {:02x} {:02x}, expected \"LSCM\")",
            bytes[0], bytes[1], bytes[2], bytes[3]
        ));
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if !READABLE_VERSIONS.contains(&version) {
        return err(format!(
            "format version {version} (byte 4) is not supported by leadscore {}; it reads versions {READABLE_VERSIONS:?}",
            crate::defaults::VERSION
        ));
    }
    let len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
    let present = bytes.len() - HEADER_LEN;
    if len > MAX_PAYLOAD {
        return err(format!(
            "payload length {len} (byte 6) exceeds the limit of {MAX_PAYLOAD}"
        ));
    }
    if present < len {
        return err(format!(
            "truncated: the header promises {len} payload bytes, {present} are present"
        ));
    }
    if present > len {
        return err(format!(
            "{} trailing bytes after the payload (from byte {})",
            present - len,
            HEADER_LEN + len
        ));
    }
    let payload = &bytes[HEADER_LEN..];
    let actual = crc32fast::hash(payload);
    if actual != crc {
        return err(format!("checksum mismatch: the header says {crc:08x}, the payload hashes to {actual:08x} (corrupt file)"));
    }
    // Decoding is charged to a memory budget of a few times the payload, so a
    // crafted file is refused before it can take much more than it holds.
    let (decoded, refused) = budget::with_budget(budget::for_payload(len), || {
        let _layout = pruning::Layout::set(if version < 5 {
            pruning::Layout::V3
        } else {
            pruning::Layout::Current
        });
        if version == 1 {
            postcard::take_from_bytes::<v1::Model>(payload)
                .map(|(m, rest)| (v2::Model::from(m).into(), rest))
        } else if version == 2 {
            postcard::take_from_bytes::<v2::Model>(payload).map(|(m, rest)| (m.into(), rest))
        } else if version == 3 {
            // Version 4 only appends `evaluation: Option<Evaluation>` to version 3's
            // fields. Postcard writes a struct as its fields in order and `None` as
            // the single byte 0, so a version 3 payload followed by a 0 is exactly the
            // version 4 payload of the same model without an evaluation (both hold the
            // shorter pruning report).
            let mut extended = Vec::with_capacity(payload.len() + 1);
            extended.extend_from_slice(payload);
            extended.push(0);
            postcard::take_from_bytes::<Model>(&extended)
                .map(|(m, rest)| (m, &payload[..rest.len().min(payload.len())]))
        } else {
            postcard::take_from_bytes::<Model>(payload)
        }
    });
    let (mut model, rest): (Model, &[u8]) = decoded.map_err(|e| {
        Error::ModelFormat(if refused {
            budget::EXCEEDED.to_owned()
        } else {
            format!("payload does not decode: {e}")
        })
    })?;
    if !rest.is_empty() {
        return err(format!(
            "{} undecoded bytes at the end of the payload",
            rest.len()
        ));
    }
    model.validate()?;
    model.prepared.read_version = version;
    model.prepare()?;
    Ok(model)
}

/// The pruning report as each version writes it: versions 3 and 4 without the byte
/// figures of `max_model_bytes`, which version 5 appends to it. The layout to read is
/// set for the thread while a payload decodes (`Layout::set`).
pub(crate) mod pruning {
    use crate::model::Pruning;
    use serde::{Deserialize, Deserializer};
    use std::cell::Cell;

    /// Which pruning report a payload holds.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Layout {
        /// Versions 3 and 4: without `max_model_bytes` and `model_bytes`.
        V3,
        /// This release's.
        Current,
    }

    thread_local! {
        static LAYOUT: Cell<Layout> = const { Cell::new(Layout::Current) };
    }

    /// Restores the previous layout when dropped.
    pub(crate) struct Restore(Layout);

    impl Drop for Restore {
        fn drop(&mut self) {
            LAYOUT.with(|l| l.set(self.0));
        }
    }

    impl Layout {
        /// Reads `layout` on this thread until the guard is dropped.
        pub(crate) fn set(layout: Layout) -> Restore {
            Restore(LAYOUT.with(|l| l.replace(layout)))
        }
    }

    /// The report of versions 3 and 4.
    #[derive(Deserialize)]
    struct V3 {
        max_features: u64,
        features_before: u64,
        features_after: u64,
        #[serde(deserialize_with = "super::budget::vec")]
        dropped: Vec<String>,
        dropped_count: u64,
        cv_roc_auc_before: Option<f64>,
        cv_roc_auc_after: Option<f64>,
    }

    impl From<V3> for Pruning {
        fn from(p: V3) -> Self {
            Pruning {
                max_features: p.max_features,
                features_before: p.features_before,
                features_after: p.features_after,
                dropped: p.dropped,
                dropped_count: p.dropped_count,
                cv_roc_auc_before: p.cv_roc_auc_before,
                cv_roc_auc_after: p.cv_roc_auc_after,
                max_model_bytes: None,
                model_bytes: None,
            }
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Pruning>, D::Error> {
        match LAYOUT.with(Cell::get) {
            Layout::V3 => Ok(Option::<V3>::deserialize(d)?.map(Pruning::from)),
            Layout::Current => Option::<Pruning>::deserialize(d),
        }
    }
}

/// The coefficients as version 3 writes them: all of them, or only the non-zero ones
/// (index and value) when fewer than half are non-zero.
pub(crate) mod coefs {
    use super::budget;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize)]
    enum Out<'a> {
        Dense(&'a [f64]),
        Sparse {
            len: u64,
            index: Vec<u32>,
            value: Vec<f64>,
        },
    }

    #[derive(Deserialize)]
    enum In {
        Dense(#[serde(deserialize_with = "budget::vec")] Vec<f64>),
        Sparse {
            len: u64,
            #[serde(deserialize_with = "budget::vec")]
            index: Vec<u32>,
            #[serde(deserialize_with = "budget::vec")]
            value: Vec<f64>,
        },
    }

    pub(crate) fn serialize<S: Serializer>(coef: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let nonzero = coef.iter().filter(|&&c| c != 0.0).count();
        if 2 * nonzero >= coef.len() || u32::try_from(coef.len()).is_err() {
            return Out::Dense(coef).serialize(s);
        }
        let (mut index, mut value) = (Vec::with_capacity(nonzero), Vec::with_capacity(nonzero));
        for (j, &c) in coef.iter().enumerate() {
            if c != 0.0 {
                index.push(j as u32);
                value.push(c);
            }
        }
        Out::Sparse {
            len: coef.len() as u64,
            index,
            value,
        }
        .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        match In::deserialize(d)? {
            In::Dense(v) => Ok(v),
            In::Sparse { len, index, value } => {
                let len = usize::try_from(len)
                    .map_err(|_| D::Error::custom("coefficient count out of range"))?;
                if index.len() != value.len() {
                    return Err(D::Error::custom(format!(
                        "{} coefficient indexes for {} values",
                        index.len(),
                        value.len()
                    )));
                }
                // The dense vector is charged like a decoded sequence.
                budget::charge_bytes::<D::Error>(len.saturating_mul(8))?;
                let mut coef = vec![0.0; len];
                let mut last = None;
                for (&j, &v) in index.iter().zip(&value) {
                    if last.is_some_and(|l| j <= l) || j as usize >= len {
                        return Err(D::Error::custom(format!(
                            "coefficient index {j} out of order or beyond {len}"
                        )));
                    }
                    last = Some(j);
                    coef[j as usize] = v;
                }
                Ok(coef)
            }
        }
    }
}

/// The layout of format version 2, read into the current model.
pub(crate) mod v2 {
    use crate::data::Schema;
    use crate::eval::Metrics;
    use crate::recipe::Pipeline;
    use serde::Deserialize;

    /// `ModelMeta` of version 2: version 1's and `c_auto` (postcard writes a nested
    /// struct's fields in line, so this reads version 2's flat layout).
    #[derive(Deserialize)]
    pub(crate) struct Meta {
        pub(super) v1: super::v1::Meta,
        pub(super) c_auto: bool,
    }

    /// `Model` of version 2 (dense coefficients, no penalty, pruning report or
    /// insights).
    #[derive(Deserialize)]
    pub(crate) struct Model {
        pub(super) meta: Meta,
        pub(super) schema: Schema,
        pub(super) pipeline: Pipeline,
        pub(super) coef: Vec<f64>,
        pub(super) intercept: f64,
        pub(super) threshold: f64,
        pub(super) feature_means: Vec<f64>,
        pub(super) metrics: Option<Metrics>,
    }

    impl From<Model> for crate::Model {
        fn from(m: Model) -> Self {
            let v = m.meta.v1;
            crate::Model {
                meta: crate::ModelMeta {
                    leadscore_version: v.leadscore_version,
                    created_unix: v.created_unix,
                    target: v.target,
                    positive_label: v.positive_label,
                    negative_label: v.negative_label,
                    rows: v.rows,
                    positives: v.positives,
                    balance: v.balance,
                    c: v.c,
                    seed: v.seed,
                    iterations: v.iterations,
                    converged: v.converged,
                    grad_norm: v.grad_norm,
                    resampling_ratio: v.resampling_ratio,
                    c_auto: m.meta.c_auto,
                    penalty: "l2".to_owned(),
                    l1_ratio: 0.0,
                },
                schema: m.schema,
                pipeline: m.pipeline,
                coef: m.coef,
                intercept: m.intercept,
                threshold: m.threshold,
                feature_means: m.feature_means,
                metrics: m.metrics,
                pruning: None,
                insights: None,
                evaluation: None,
                prepared: Default::default(),
            }
        }
    }
}

/// The layout of format version 1, read into the current model through version 2's.
pub(crate) mod v1 {
    use crate::data::Schema;
    use crate::eval::Metrics;
    use crate::recipe::{Input, Step};
    use serde::Deserialize;

    /// `ModelMeta` of version 1 (no `c_auto`).
    #[derive(Deserialize)]
    pub(crate) struct Meta {
        pub(super) leadscore_version: String,
        pub(super) created_unix: u64,
        pub(super) target: String,
        pub(super) positive_label: String,
        pub(super) negative_label: String,
        pub(super) rows: u64,
        pub(super) positives: u64,
        pub(super) balance: String,
        pub(super) c: f64,
        pub(super) seed: u64,
        pub(super) iterations: u32,
        pub(super) converged: bool,
        pub(super) grad_norm: f64,
        pub(super) resampling_ratio: f64,
    }

    /// `Pipeline` of version 1 (no derived sources, no recipe text).
    #[derive(Deserialize)]
    pub(crate) struct Pipeline {
        #[serde(deserialize_with = "crate::format::budget::vec")]
        inputs: Vec<Input>,
        #[serde(deserialize_with = "crate::format::budget::vec")]
        steps: Vec<Step>,
        n_features: usize,
    }

    /// `Model` of version 1.
    #[derive(Deserialize)]
    pub(crate) struct Model {
        meta: Meta,
        schema: Schema,
        pipeline: Pipeline,
        coef: Vec<f64>,
        intercept: f64,
        threshold: f64,
        feature_means: Vec<f64>,
        metrics: Option<Metrics>,
    }

    /// A version 1 model is a version 2 one with `c_auto` false and a pipeline
    /// without derived sources or recipe text.
    impl From<Model> for super::v2::Model {
        fn from(m: Model) -> Self {
            super::v2::Model {
                meta: super::v2::Meta {
                    v1: m.meta,
                    c_auto: false,
                },
                schema: m.schema,
                pipeline: crate::recipe::Pipeline {
                    inputs: m.pipeline.inputs,
                    steps: m.pipeline.steps,
                    n_features: m.pipeline.n_features,
                    derived: Vec::new(),
                    recipe: String::new(),
                    scoring: Default::default(),
                },
                coef: m.coef,
                intercept: m.intercept,
                threshold: m.threshold,
                feature_means: m.feature_means,
                metrics: m.metrics,
            }
        }
    }
}

/// Reads a model file of at most [`DEFAULT_MAX_FILE_BYTES`] (see [`load_limited`]).
pub fn load(path: impl AsRef<Path>) -> Result<Model> {
    load_limited(path, DEFAULT_MAX_FILE_BYTES)
}

/// Reads a model file of at most `max_bytes`: only a regular file (a directory, a
/// device such as `/dev/zero` or a FIFO is refused without reading it), its header
/// first, then exactly the payload the header announces, so neither a huge nor an
/// endless file is read into memory.
pub fn load_limited(path: impl AsRef<Path>, max_bytes: u64) -> Result<Model> {
    let path = path.as_ref();
    let bytes = read_model_file(path, max_bytes)?;
    from_bytes(&bytes).map_err(|e| match e {
        Error::ModelFormat(m) => Error::ModelFormat(format!("{}: {m}", path.display())),
        other => other,
    })
}

/// The bytes of a model file, read as [`load_limited`] says.
pub(crate) fn read_model_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let io = |e: std::io::Error| Error::io(path, e);
    let not_regular = |m: &std::fs::Metadata| {
        let what = if m.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        Err(io(std::io::Error::other(format!(
            "{what}, not a model file"
        ))))
    };
    // Looked at before opening: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return not_regular(&meta);
    }
    let mut f = std::fs::File::open(path).map_err(io)?;
    // And again on what was opened, in case the path changed in between.
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return not_regular(&meta);
    }
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    (&mut f)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() < HEADER_LEN || bytes[..4] != MAGIC {
        // from_bytes names what is wrong.
        return Ok(bytes);
    }
    let len = u64::from(u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]));
    if HEADER_LEN as u64 + len > max_bytes {
        return Err(Error::ModelFormat(format!(
            "{}: the header announces a {} byte file (byte 6), over the limit of {max_bytes} \
             bytes (a load option)",
            path.display(),
            HEADER_LEN as u64 + len
        )));
    }
    // One byte more than announced, so trailing bytes are seen (and reported).
    bytes.reserve_exact(usize::try_from(len).map_err(|_| Error::ModelFormat("too large".into()))?);
    f.take(len + 1).read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

/// Writes a model file atomically (temporary file, fsync, rename, fsync the folder).
pub fn save(model: &Model, path: impl AsRef<Path>) -> Result<()> {
    write_atomic(path.as_ref(), &to_bytes(model)?)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written
/// and fsynced, renamed over `path`, and the folder is fsynced. On failure the
/// temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.commit()
}

/// A file written in place of `path` only when complete: the bytes go to a temporary
/// file in the same folder (`.<name>.<pid>.<nonce>.tmp`); [`AtomicFile::commit`]
/// fsyncs it, renames it over `path` and fsyncs the folder. Dropped without a commit
/// (an error, a panic), it removes the temporary file and `path` is untouched, so a
/// long result (scores streamed out) needs no memory and leaves no half file.
pub struct AtomicFile {
    path: std::path::PathBuf,
    dir: std::path::PathBuf,
    tmp: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Starts a file that will replace `path`. Refuses a `path` that is not a regular
    /// file (a folder, device or FIFO would be replaced by the rename).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        if let Ok(m) = std::fs::metadata(path) {
            if !m.is_file() {
                return Err(Error::InvalidInput(format!(
                    "{}: not a regular file (a folder, device or FIFO); a file is written only \
                     to a regular file's path",
                    path.display()
                )));
            }
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| Error::InvalidInput(format!("{}: not a file path", path.display())))?;
        // Unique within the process (threads saving the same file at once) and across
        // processes (the pid in the name).
        static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nonce = (SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed) << 32)
            | u64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos()),
            );
        let tmp = dir.join(format!(
            ".{}.{}.{nonce}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::io(path, e))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            dir,
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Makes the written bytes the file at `path` (see [`AtomicFile`]).
    pub fn commit(mut self) -> Result<()> {
        let path = self.path.clone();
        let result = (|| -> std::io::Result<()> {
            let file = self
                .file
                .take()
                .ok_or_else(|| std::io::Error::other("already committed"))?;
            let file = file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&self.tmp, &self.path)?;
            // Make the rename itself durable.
            #[cfg(unix)]
            std::fs::File::open(&self.dir)?.sync_all()?;
            Ok(())
        })();
        result.map_err(|e| Error::io(&path, e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() || self.tmp.exists() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Removes the temporary files [`write_atomic`] left in `dir` when its process was
/// killed mid-write (`.<name>.<pid>.<nonce>.tmp` of a process that no longer runs);
/// returns how many. A temporary file of a live process is left alone. Only where
/// `/proc` tells which processes run; elsewhere nothing is removed.
pub fn remove_orphan_temps(dir: &Path) -> usize {
    let proc_root = Path::new("/proc/self");
    if !proc_root.exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
            continue;
        };
        // <name>.<pid>.<nonce>
        let mut parts = inner.rsplitn(3, '.');
        let (Some(nonce), Some(pid), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(_), Ok(pid)) = (nonce.parse::<u64>(), pid.parse::<u32>()) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        if !alive
            && e.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(e.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

impl Model {
    /// Reads a model file (see [`load`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        load(path)
    }

    /// Writes the model file atomically (see [`save`]).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        save(self, path)
    }

    /// The model in the file format (see [`to_bytes`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        to_bytes(self)
    }

    /// Reads a model from bytes in the file format (see [`from_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        from_bytes(bytes)
    }

    /// A short summary as JSON: versions, target, data size, inputs and kinds (the
    /// first [`INFO_MAX_INPUTS`]; `input_count` counts them all), feature count,
    /// threshold, training settings and the headline metrics. What the bindings'
    /// `info()` returns; its size is bounded whatever the model holds.
    pub fn info(&self) -> serde_json::Value {
        let m = &self.meta;
        serde_json::json!({
            "leadscore_version": m.leadscore_version,
            "format_version": self.format_version(),
            "created_unix": m.created_unix,
            "target": m.target,
            "positive_label": m.positive_label,
            "negative_label": m.negative_label,
            "rows": m.rows,
            "positives": m.positives,
            "inputs": self.schema.fields.iter().take(INFO_MAX_INPUTS).map(|f| serde_json::json!({"name": f.name, "kind": f.kind.as_str()})).collect::<Vec<_>>(),
            "input_count": self.schema.fields.len(),
            "features": self.coef.len(),
            "nonzero_features": self.coef.iter().filter(|&&c| c != 0.0).count(),
            "threshold": self.threshold,
            "threshold_policy": self.threshold_policy(),
            "evaluation_split": self.evaluation.as_ref().map(|e| e.split.as_str()),
            "balance": m.balance,
            "c": m.c,
            "penalty": m.penalty,
            "l1_ratio": m.l1_ratio,
            "pruning": self.pruning,
            "seed": m.seed,
            "iterations": m.iterations,
            "converged": m.converged,
            "roc_auc": self.metrics.as_ref().map(|x| x.roc_auc),
            "pr_auc": self.metrics.as_ref().map(|x| x.pr_auc),
        })
    }

    /// The whole model as JSON for inspection: training facts, schema, every feature
    /// with its coefficient and training mean, the threshold and the metrics.
    pub fn to_json(&self) -> serde_json::Value {
        let features: Vec<serde_json::Value> = self
            .feature_names()
            .into_iter()
            .zip(&self.coef)
            .zip(&self.feature_means)
            .map(|((name, c), m)| serde_json::json!({ "name": name, "coef": c, "mean": m }))
            .collect();
        serde_json::json!({
            "format_version": self.format_version(),
            "meta": self.meta,
            "recipe": self.recipe(),
            "schema": self.schema.fields.iter().map(|f| serde_json::json!({"name": f.name, "kind": f.kind.as_str()})).collect::<Vec<_>>(),
            "inputs": self.input_names(),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "features": features,
            "pipeline": self.pipeline,
            "metrics": self.metrics,
            "pruning": self.pruning,
            "evaluation": self.evaluation,
            "insights": self.insights().ok().flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Field;

    #[test]
    fn info_stays_small_whatever_the_schema_declares() {
        let t = crate::synth::tenant_with_rows(3, 0, 2500).table;
        let cfg = crate::TrainConfig {
            cv_folds: 0,
            threads: 1,
            ..crate::TrainConfig::default()
        };
        let m = crate::Trainer::new(cfg)
            .unwrap()
            .fit(&t, &crate::TargetSpec::new(crate::synth::TARGET))
            .unwrap();
        let n = m.schema.fields.len();
        assert_eq!(m.info()["input_count"], n);
        assert_eq!(m.info()["inputs"].as_array().map(Vec::len), Some(n));
        // A schema of 50,000 columns: the summary lists the first INFO_MAX_INPUTS.
        let mut wide = m.clone();
        wide.schema.fields = (0..50_000)
            .map(|i| Field {
                name: format!("c{i}"),
                kind: crate::Kind::Numeric,
            })
            .collect();
        let info = wide.info();
        assert_eq!(info["input_count"], 50_000);
        assert_eq!(
            info["inputs"].as_array().map(Vec::len),
            Some(INFO_MAX_INPUTS)
        );
    }
}
