//! `roster users export` and `roster users import`: an account's users as CSV, straight on the
//! database (the installation's administrator, like `roster demo`).
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use roster_service::{Identity, ImportOptions, Internal, MemberListParams, Meta, ServiceError, csv_header, csv_rows};

use crate::Failure;
use crate::commands::{open_store, progress_bar, runtime, service};
use crate::config::{Config, bad};

/// Who the command line acts as: the installation itself, named as such in every audit row it
/// writes. Whoever runs `roster` has the database and its URL already, so the service does not
/// check the policy for it.
const CLI: Identity<'static> = Identity::Internal(Internal::Cli);

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Write an account's users as CSV (all, or those matching the filters). Cells a spreadsheet
    /// would run as formulas begin with '.
    Export {
        /// The account's slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
        /// Text in the name, email or company; a whole email address finds that user.
        #[arg(long)]
        q: Option<String>,
        /// Only this role.
        #[arg(long)]
        role: Option<String>,
        /// Comma-separated statuses (active, disabled, archived); default active,disabled.
        #[arg(long)]
        status: Option<String>,
        /// name, email, company, role or last_sign_in_at.
        #[arg(long)]
        sort: Option<String>,
        /// asc or desc.
        #[arg(long)]
        order: Option<String>,
        /// The file to write (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import users from a CSV file with a header line: email and any of first_name, last_name,
    /// phone, username, company, role. Idempotent by email; bad rows are listed with their line.
    Import {
        file: PathBuf,
        /// The account's slug.
        #[arg(long, value_name = "SLUG")]
        account: String,
        /// Check every row and report what would happen, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn user_error(flag: &str, e: ServiceError) -> Failure {
    match e {
        ServiceError::NotFound => Failure::Config(bad("--account", "no account has this slug")),
        ServiceError::Invalid(errs) => Failure::Config(bad(
            flag,
            errs.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
        )),
        e => runtime(e),
    }
}

pub async fn run(config: Config, command: UsersCommand) -> Result<(), Failure> {
    match command {
        UsersCommand::Export { account, q, role, status, sort, order, out } => {
            let params = MemberListParams { q, role, status, sort, order, cursor: None, limit: None };
            export(config, &account, &params, out).await
        }
        UsersCommand::Import { file, account, dry_run } => import(config, &account, file, dry_run).await,
    }
}

async fn export(config: Config, slug: &str, params: &MemberListParams, out: Option<PathBuf>) -> Result<(), Failure> {
    let store = open_store(&config).await?;
    let service = service(store.clone())?;
    let account_id = service.account_id_by_slug(slug).await.map_err(|e| user_error("--account", e))?;
    let mut export =
        service.export_members(CLI, account_id, params).await.map_err(|e| user_error("users export", e))?;
    let sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::Config(bad("--out", format!("cannot write {} ({e})", path.display()))))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 20, sink);
    let io = |e: std::io::Error| Failure::Runtime(format!("cannot write the export: {e}"));
    let started = Instant::now();
    w.write_all(&csv_header()).map_err(io)?;
    let mut n: u64 = 0;
    while let Some(rows) = export.next_chunk().await.map_err(runtime)? {
        n += rows.len() as u64;
        w.write_all(&csv_rows(&rows).map_err(runtime)?).map_err(io)?;
    }
    w.flush().map_err(io)?;
    drop(w);
    store.close().await;
    let secs = started.elapsed().as_secs_f64();
    if let Some(path) = out {
        eprintln!("Exported {n} users to {} in {secs:.1} s ({:.0} rows/s).", path.display(), n as f64 / secs.max(1e-9));
    }
    Ok(())
}

async fn import(config: Config, slug: &str, file: PathBuf, dry_run: bool) -> Result<(), Failure> {
    let bytes_total = std::fs::metadata(&file)
        .map_err(|e| Failure::Config(bad("FILE", format!("cannot read {} ({e})", file.display()))))?
        .len();
    let input = std::fs::File::open(&file)
        .map_err(|e| Failure::Config(bad("FILE", format!("cannot read {} ({e})", file.display()))))?;
    let store = open_store(&config).await?;
    let service = service(store.clone())?;
    let account_id = service.account_id_by_slug(slug).await.map_err(|e| user_error("--account", e))?;
    // Rows are not known before reading: the bar estimates them at 80 bytes a row.
    let bar = progress_bar((bytes_total / 80).max(1), "rows");
    let started = Instant::now();
    let opts = ImportOptions { dry_run, ..ImportOptions::default() };
    let report = service
        .import_members(
            CLI,
            account_id,
            std::io::BufReader::with_capacity(1 << 20, input),
            opts,
            &Meta::default(),
            &|n| {
                if n > bar.length().unwrap_or(0) {
                    bar.set_length(n);
                }
                bar.set_position(n);
            },
        )
        .await;
    bar.finish_and_clear();
    store.close().await;
    let report = report.map_err(|e| user_error("FILE", e))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}{} rows in {secs:.1} s ({:.0} rows/s): {} created, {} invited, {} updated, {} unchanged, {} refused.",
        if dry_run { "Dry run, nothing changed. " } else { "" },
        report.rows,
        report.rows as f64 / secs.max(1e-9),
        report.created,
        report.invited,
        report.updated,
        report.unchanged,
        report.failed
    );
    if !report.ignored_columns.is_empty() {
        println!("Ignored columns: {}", report.ignored_columns.join(", "));
    }
    for e in &report.errors {
        println!("  line {}, {}: {}", e.line, e.field, e.reason);
    }
    if report.failed > report.errors.len() as u64 {
        println!("  … and {} more refused rows.", report.failed - report.errors.len() as u64);
    }
    if report.failed > 0 {
        return Err(Failure::Runtime(format!(
            "{} rows were refused (listed above); the others were imported",
            report.failed
        )));
    }
    Ok(())
}
