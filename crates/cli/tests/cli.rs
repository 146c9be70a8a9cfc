//! The `roster` binary from outside: exit codes and messages for bad settings, `migrate`,
//! `demo` twice, `operator create` from standard input, and `serve` answering `/readyz`.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `roster ARGS` in `dir` with a clean `ROSTER_*` environment plus `vars`.
fn roster(dir: &PathBuf, args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("ROSTER_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(vars.iter().copied());
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A user's mistake: exit code 2 and one line that names the setting, no panic, no backtrace.
fn assert_setting_error(o: &Output, setting: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "exit code for {setting}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(setting), "names {setting}: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
}

#[test]
fn bad_settings_exit_2_with_one_line_naming_the_setting() {
    let dir = scratch();
    let o = roster(&dir, &["migrate"], &[("ROSTER_DATABASE_URL", "mysql://localhost/x")], None);
    assert_setting_error(&o, "ROSTER_DATABASE_URL");
    let o = roster(&dir, &["serve"], &[("ROSTER_LISTEN", "localhost")], None);
    assert_setting_error(&o, "ROSTER_LISTEN");
    let o = roster(&dir, &["serve"], &[("ROSTER_PUBLIC_URL", "ftp://x")], None);
    assert_setting_error(&o, "ROSTER_PUBLIC_URL");
    let o = roster(&dir, &["migrate"], &[("ROSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:1/nope")], None);
    assert_setting_error(&o, "ROSTER_DATABASE_URL");

    std::fs::write(dir.join("roster.toml"), "lisen = \"127.0.0.1:1\"\n").unwrap();
    let o = roster(&dir, &["migrate"], &[], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("lisen"), "{}", stderr(&o));
    std::fs::remove_file(dir.join("roster.toml")).unwrap();

    let o = roster(&dir, &["--config", "missing.toml", "migrate"], &[], None);
    assert_setting_error(&o, "--config");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn unwritable_data_dir_exits_2() {
    let dir = scratch();
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let data = blocker.join("data");
    let o = roster(&dir, &["migrate"], &[("ROSTER_DATA_DIR", data.to_str().unwrap())], None);
    assert_setting_error(&o, "ROSTER_DATA_DIR");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn port_in_use_exits_2() {
    let dir = scratch();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = roster(&dir, &["serve"], &[("ROSTER_LISTEN", addr.as_str())], None);
    assert_setting_error(&o, "ROSTER_LISTEN");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn migrate_demo_twice_and_operator_create() {
    let dir = scratch();
    let o = roster(&dir, &["migrate"], &[], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("roster-data/roster.db").exists(), "default data dir is ./roster-data");

    let first = roster(&dir, &["demo"], &[], None);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = String::from_utf8_lossy(&first.stdout);
    for role in ["owner", "admin", "standard", "salesperson", "customer"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(role) && l.contains("password")), "{role} in {out}");
    }
    assert!(
        out.contains("6 client contacts, 6 projects, 12 to-dos, 13 events, 3 tickets, 16 time entries (one timer running), 2 workflow templates and 2 runs of them"),
        "every record kind: {out}"
    );
    let second = roster(&dir, &["demo"], &[], None);
    assert!(second.status.success());
    let out2 = String::from_utf8_lossy(&second.stdout);
    assert!(out2.contains("already exists") && out2.contains("nothing changed"), "{out2}");
    assert!(!out2.contains("password demo-"), "no passwords the second time");
    assert!(!out2.contains("to-dos"), "no records the second time: {out2}");
    let bulk = roster(&dir, &["demo", "--projects", "120", "--events", "300"], &[], None);
    assert!(bulk.status.success(), "{}", stderr(&bulk));
    let out3 = String::from_utf8_lossy(&bulk.stdout);
    assert!(out3.contains("Added 120 generated projects") && out3.contains("projects/s"), "{out3}");
    assert!(out3.contains("Added 300 generated events") && out3.contains("events/s"), "{out3}");

    let o = roster(&dir, &["operator", "create", "--email", "op@example.com"], &[], Some("correct horse battery\n"));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = roster(&dir, &["operator", "create", "--email", "op@example.com"], &[], Some("correct horse battery\n"));
    assert_eq!(o.status.code(), Some(2), "a duplicate is the user's to fix: {}", stderr(&o));
    let o = roster(&dir, &["operator", "create", "--email", "op2@example.com"], &[], Some("short\n"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("8 characters"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn help_reads_well() {
    let dir = scratch();
    let o = roster(&dir, &["--help"], &[], None);
    let out = String::from_utf8_lossy(&o.stdout);
    for cmd in ["serve", "migrate", "demo", "operator"] {
        assert!(out.contains(cmd), "{cmd} in {out}");
    }
    std::fs::remove_dir_all(dir).ok();
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

#[test]
fn serve_prints_the_setup_link_answers_readyz_and_drains_on_sigterm() {
    let dir = scratch();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .current_dir(&dir)
        .arg("serve")
        .env("ROSTER_LISTEN", &addr)
        .env_remove("ROSTER_DATABASE_URL")
        .env_remove("ROSTER_DATA_DIR")
        .env("ROSTER_SHUTDOWN_DRAIN", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(20) {
        if http_get(&addr, "/readyz").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(ready, "/readyz never answered 200");
    let term = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(term.success());
    // The drain (decision 0103): /readyz says 503 while requests are still served.
    let draining = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        http_get(&addr, "/readyz").is_some_and(|r| r.starts_with("HTTP/1.1 503") && r.contains("Shutting down"))
    });
    assert!(draining, "/readyz answers 503 during the drain");
    assert!(http_get(&addr, "/healthz").is_some_and(|r| r.starts_with("HTTP/1.1 200")), "still serving");
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(out.contains(&format!("http://{addr}")), "{out}");
    assert!(out.contains(&format!("http://{addr}/setup?token=setup_")), "one-time setup link: {out}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn users_import_dry_run_then_import_idempotent_then_export_quietly() {
    let dir = scratch();
    let data = dir.join("data");
    let vars = [("ROSTER_DATA_DIR", data.to_str().unwrap())];
    assert!(roster(&dir, &["demo"], &vars, None).status.success());
    let csv = "email,first_name,last_name,company,role\n\
               ivy@example.test,Ivy,Import,=cmd|' /C calc'!A0,employee\n\
               jon@example.test,Jon,Import,Acme,standard\n\
               not-an-email,Bad,Row,,employee\n";
    let file = dir.join("people.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();

    // A dry run reports and changes nothing; the bad rows are named by line and field.
    let dry = roster(&dir, &["users", "import", file, "--account", "demo", "--dry-run"], &vars, None);
    let out = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(out.contains("Dry run"), "{out}");
    assert!(out.contains("line 4, email"), "{out}");
    let export = |dir: &PathBuf| {
        let o = roster(dir, &["users", "export", "--account", "demo"], &vars, None);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    assert!(!export(&dir).contains("jon@example.test"), "the dry run wrote nothing");

    // The real import: good rows in, a formula refused per row, the bad one refused.
    let first = roster(&dir, &["users", "import", file, "--account", "demo"], &vars, None);
    let out = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(out.contains("line 4, email"), "{out}");
    let all = export(&dir);
    assert!(all.contains("jon@example.test"), "{all}");
    // Re-running creates nothing twice.
    let again = roster(&dir, &["users", "import", file, "--account", "demo"], &vars, None);
    let out = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(out.contains(" 0 created"), "{out}");
    assert_eq!(export(&dir).matches("jon@example.test").count(), 1);
    // Not a terminal: no progress bar drawing in either stream.
    for o in [&first, &again] {
        let both = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(o));
        assert!(!both.contains('\r') && !both.contains('\u{1b}'), "{both:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
