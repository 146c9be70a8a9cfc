//! The log's lines on their way to standard error, written in batches: one `write(2)` per line
//! was a tenth of a users list request and a fifth of `GET /me` at `info` (decision 0109).
//!
//! Lines wait in memory until one of: a line at `warn` or worse (written at once, after every
//! line before it, so the order holds), [`BATCH`] bytes waiting, [`EVERY`] passed (a thread
//! writes what waits), or the process ending normally ([`flush`], called by `main`). A process
//! killed with SIGKILL loses at most the last [`EVERY`] of `info` lines, never a warning.
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// Bytes that wait before they are written.
const BATCH: usize = 32 * 1024;
/// The longest a line waits.
pub const EVERY: Duration = Duration::from_millis(200);

static WAITING: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Writes what waits now.
pub fn flush() {
    if let Ok(mut w) = WAITING.lock() {
        write_out(&mut w);
    }
}

fn write_out(w: &mut Vec<u8>) {
    if !w.is_empty() {
        // Nowhere to report a failed write of the log itself.
        let _ = std::io::stderr().lock().write_all(w);
        w.clear();
    }
}

/// The writer the subscriber asks for, one per line.
#[derive(Clone, Copy, Default)]
pub struct Batched;

impl Batched {
    /// Starts the thread that writes waiting lines every [`EVERY`].
    pub fn start() -> Self {
        let _ = std::thread::Builder::new().name("roster-log".into()).spawn(|| {
            loop {
                std::thread::sleep(EVERY);
                flush();
            }
        });
        Batched
    }
}

pub struct Line {
    urgent: bool,
}

/// Adds `line` to what waits and writes it all to `out` when the line is urgent or enough waits.
fn take(waiting: &mut Vec<u8>, line: &[u8], urgent: bool, out: &mut dyn Write) -> std::io::Result<()> {
    waiting.extend_from_slice(line);
    if urgent || waiting.len() >= BATCH {
        let written = out.write_all(waiting);
        waiting.clear();
        written?;
    }
    Ok(())
}

/// A line at `warn` or worse is written at once.
fn urgent(level: Level) -> bool {
    level <= Level::WARN
}

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut w = WAITING.lock().map_err(|_| std::io::Error::other("the log buffer is poisoned"))?;
        take(&mut w, buf, self.urgent, &mut std::io::stderr().lock())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Batched {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line { urgent: true }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Line {
        Line { urgent: urgent(*meta.level()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_lines_wait_and_a_warning_writes_them_all_in_order() {
        let (mut waiting, mut out) = (Vec::new(), Vec::new());
        for line in [&b"a\n"[..], b"b\n"] {
            assert!(take(&mut waiting, line, urgent(Level::INFO), &mut out).is_ok());
        }
        assert!(out.is_empty(), "info lines wait");
        assert!(take(&mut waiting, b"warn\n", urgent(Level::WARN), &mut out).is_ok());
        assert_eq!(out, b"a\nb\nwarn\n");
        assert!(waiting.is_empty());
        assert!(urgent(Level::ERROR) && !urgent(Level::DEBUG));
    }

    #[test]
    fn a_full_batch_is_written_without_waiting() {
        let (mut waiting, mut out) = (Vec::new(), Vec::new());
        let line = vec![b'x'; 1000];
        while out.is_empty() {
            assert!(take(&mut waiting, &line, false, &mut out).is_ok());
            assert!(waiting.len() < BATCH + line.len());
        }
        assert!(out.len() >= BATCH && waiting.is_empty());
    }
}
