//! Reading a large file in parallel by shares of its bytes: each thread reads the
//! lines that start in its share (for formats where a line feed always ends a record:
//! a quote-free CSV, JSON Lines), so no thread waits for another to find where its
//! records begin.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// The lines of a `size`-byte file that start in bytes `lo..hi` (`lo` itself starts a
/// line when `at_line_start`): the bytes read and the range of them that holds those
/// lines, through the line feed that ends the last (or the end of the file). `None`
/// when the file cannot be read as it was measured.
pub(crate) fn line_share(
    file: &File,
    size: u64,
    lo: u64,
    hi: u64,
    at_line_start: bool,
) -> Option<(Vec<u8>, std::ops::Range<usize>)> {
    let read = |from: u64, len: u64| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; usize::try_from(len).ok()?];
        file.read_exact_at(&mut buf, from).ok()?;
        Some(buf)
    };
    // From the byte before the share (to see whether a line starts at `lo`) to the
    // line feed that ends the line running past `hi`.
    let from = if at_line_start {
        lo
    } else {
        lo.checked_sub(1)?
    };
    let mut buf = read(from, hi.checked_sub(from)?)?;
    if hi < size && buf.last() != Some(&b'\n') {
        let mut at = hi;
        loop {
            let more = read(at, (size - at).min(1 << 16))?;
            if more.is_empty() {
                break;
            }
            if let Some(i) = memchr::memchr(b'\n', &more) {
                buf.extend_from_slice(more.get(..=i)?);
                break;
            }
            at += more.len() as u64;
            buf.extend_from_slice(&more);
        }
    }
    let start = if at_line_start {
        0
    } else {
        memchr::memchr(b'\n', &buf).map_or(buf.len(), |i| i + 1)
    };
    let end = if hi >= size {
        buf.len()
    } else {
        // The share's last line ends at the first line feed at or after `hi - 1`.
        let last = usize::try_from(hi.saturating_sub(1).saturating_sub(from)).ok()?;
        last + memchr::memchr(b'\n', buf.get(last.min(buf.len())..)?)? + 1
    };
    Some((buf, start.min(end)..end))
}

/// `f` of every block `0..n` on `threads` threads, in order; `None` as soon as one
/// block gives `None` (the others stop taking blocks).
pub(crate) fn run_blocks<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(usize) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<std::sync::Mutex<Option<T>>> =
        (0..n).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, n.max(1)) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = results.get(k) else { break };
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let out = f(k);
                if out.is_none() {
                    failed.store(true, Ordering::Relaxed);
                }
                if let Ok(mut slot) = slot.lock() {
                    *slot = out;
                }
            });
        }
    });
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect()
}
