//! Where the command line writes its results: never over one of its inputs; into a
//! regular file atomically (written as it comes to a temporary file beside it, renamed
//! over the file at the end: a failure leaves the old file as it was); straight into a
//! device or a pipe named by `--out` (`/dev/stdout`, a FIFO), which are never replaced;
//! and to standard output only when it is open.

use leadscore::Error;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Fails when `out` names the same file as one of `inputs` (by device and inode, so
/// another spelling or a link of the same file counts too).
pub fn check_not_input(out: &Path, inputs: &[&Path]) -> Result<(), Error> {
    let Ok(o) = std::fs::metadata(out) else {
        return Ok(());
    };
    for input in inputs {
        if let Ok(i) = std::fs::metadata(input) {
            if o.dev() == i.dev() && o.ino() == i.ino() {
                return Err(Error::InvalidInput(format!(
                    "--out {} is the input {}: choose another path (an input is never overwritten)",
                    out.display(),
                    input.display()
                )));
            }
        }
    }
    Ok(())
}

/// Whether the process started with standard output closed. Rust's runtime then
/// opens `/dev/null` read-write in its place (so writes vanish without an error); a
/// shell's `>/dev/null` opens it write-only, so the two tell apart (Linux's
/// `/proc/self/fdinfo`; elsewhere nothing is said).
fn stdout_was_closed() -> bool {
    let target = std::fs::read_link("/proc/self/fd/1");
    let info = std::fs::read_to_string("/proc/self/fdinfo/1");
    let (Ok(target), Ok(info)) = (target, info) else {
        return false;
    };
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    // O_ACCMODE is 3, O_RDWR 2.
    target == Path::new("/dev/null") && flags.is_some_and(|f| f & 3 == 2)
}

/// A result being written.
pub enum Sink {
    /// Into a regular file (new or replaced), atomically.
    Atomic(leadscore::format::AtomicFile),
    /// Straight into an existing device, FIFO or socket.
    Direct(std::fs::File),
    /// To standard output.
    Stdout(std::io::StdoutLock<'static>),
}

impl Sink {
    /// The sink of `--out` (standard output without one), after checking it is not
    /// one of `inputs`.
    pub fn open(out: Option<&Path>, inputs: &[&Path]) -> Result<Sink, Error> {
        let Some(path) = out else {
            if stdout_was_closed() {
                return Err(Error::io(
                    "standard output",
                    std::io::Error::other("closed: the scores would go nowhere"),
                ));
            }
            return Ok(Sink::Stdout(std::io::stdout().lock()));
        };
        check_not_input(path, inputs)?;
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(Error::InvalidInput(format!(
                "--out {} is a directory",
                path.display()
            ))),
            Ok(m) if !m.is_file() => Ok(Sink::Direct(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?,
            )),
            _ => Ok(Sink::Atomic(leadscore::format::AtomicFile::create(path)?)),
        }
    }

    /// Ends the output: flushes it, or writes the file atomically.
    pub fn finish(self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Sink::Atomic(f) => f.commit()?,
            Sink::Direct(mut f) => f.flush()?,
            Sink::Stdout(mut s) => s.flush()?,
        }
        Ok(())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Atomic(f) => f.write(buf),
            Sink::Direct(f) => f.write(buf),
            Sink::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Atomic(f) => f.flush(),
            Sink::Direct(f) => f.flush(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}
