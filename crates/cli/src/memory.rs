//! Memory freed under load goes back to the system while the server is quiet (decision 0106).
//! mimalloc returns freed segments to the system only when an allocation or a free later passes
//! through its arenas: after a burst of sign-ins (argon2id: 19 MiB a hash, one hash per core at
//! a time) an idle server kept those megabytes for good. A forced collection every few seconds
//! hands them back; it costs microseconds when there is nothing to return.
use std::time::Duration;

/// How often freed memory is handed back.
const EVERY: Duration = Duration::from_secs(5);
/// The first time: just after start-up, whose passing allocations (the router, the OpenAPI
/// document before it is written out) are then handed back (start-up takes ~50 ms).
const FIRST: Duration = Duration::from_millis(300);

/// Runs until the task is aborted.
pub async fn give_back_freed() {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + FIRST, EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut released = false;
    loop {
        tick.tick().await;
        // SAFETY: mi_collect takes no pointers; it walks mimalloc's own structures, which
        // mimalloc synchronises, and is documented as callable from any thread at any time.
        unsafe { libmimalloc_sys::mi_collect(true) };
        if !released {
            released = true;
            release_startup_code();
        }
    }
}

/// Unmaps this program's machine code from the process once start-up is over; the pages stay in
/// the page cache and each is mapped again, without I/O, the next time code on it runs.
///
/// Start-up (migrations, the router, the templates, the OpenAPI document) runs code from all
/// over the binary once, and the kernel maps code in 64 KiB runs around each page touched, so
/// 15 of the binary's 22 MiB of code stayed mapped in an idle server (decision 0109). Only the
/// executable mapping of the program's own file is touched: its pages are never written, so
/// dropping them loses nothing (the relocated data mappings are left alone).
#[cfg(target_os = "linux")]
pub fn release_startup_code() {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else { return };
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else { return };
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else { continue };
        let path = f.nth(3).map(std::path::Path::new);
        // Private, readable, executable, not writable: code.
        if perms != "r-xp" || path != Some(exe.as_path()) {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else { continue };
        let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16)) else {
            continue;
        };
        // SAFETY: the range is a whole read-only, private, file-backed mapping of this
        // program's code, as /proc/self/maps names it; MADV_DONTNEED on such a mapping only
        // drops page-table entries, and the next access maps the file's unchanged page again.
        let done = unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
        if done != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "could not release start-up code");
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn release_startup_code() {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// KiB of this program's code mapped now (its file's executable mappings in /proc/self/smaps).
    fn code_resident_kib() -> u64 {
        let exe = std::fs::read_link("/proc/self/exe").unwrap_or_default();
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
        let (mut in_code, mut kib) = (false, 0);
        for line in smaps.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.first().is_some_and(|r| r.contains('-') && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-')) {
                in_code = f.get(1) == Some(&"r-xp") && f.get(5).map(std::path::Path::new) == Some(exe.as_path());
            } else if in_code && f.first() == Some(&"Rss:") {
                kib += f.get(1).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            }
        }
        kib
    }

    /// Issue 18 (idle memory): start-up's code is unmapped, and code runs as before after it.
    #[test]
    fn start_up_code_is_unmapped_and_runs_again_when_called() {
        let before = code_resident_kib();
        assert!(before > 0, "the test binary's code is mapped");
        release_startup_code();
        let after = code_resident_kib();
        assert!(after < before, "{after} KiB mapped after, {before} KiB before");
        let text: String = ["code", "runs"].join(" ");
        assert_eq!(text.len(), 9);
        assert!(code_resident_kib() > 0);
    }
}
