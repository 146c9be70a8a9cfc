//! What each subcommand does.
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use roster_service::secret::SecretKey;
use roster_service::{
    DeliveryOptions, DemoOutcome, DemoRecords, Hasher, MailConfig, MailPolicy, NewPerson, Service, ServiceError,
    SessionPolicy,
};
use roster_store::{Store, StoreError};
use roster_web::{AppState, WebConfig};

use crate::Failure;
use crate::config::{Config, bad};

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // JSON lines carry the request's span once ("span"), not again as a list of one ("spans"):
    // a request's line is 40 % shorter (decision 0107). They are written in batches (decision
    // 0109); a terminal sees each line at once.
    let _ = if std::io::stderr().is_terminal() {
        builder.with_writer(std::io::stderr).try_init()
    } else {
        builder.json().with_span_list(false).with_writer(crate::log_buffer::Batched::start()).try_init()
    };
}

/// Opens and migrates the database; unreachable or unusable databases are the user's to fix.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, Failure> {
    if config.uses_sqlite() {
        config.prepare_data_dir()?;
    }
    let store = roster_store::open(&config.database_url).await.map_err(|e| match e {
        StoreError::Unavailable(m) => Failure::Config(bad(
            "ROSTER_DATABASE_URL",
            format!("cannot reach the database ({m}); start it or fix the URL"),
        )),
        StoreError::Config(m) => Failure::Config(bad("ROSTER_DATABASE_URL", format!("{m}; fix the URL"))),
        other => Failure::Runtime(other.to_string()),
    })?;
    store.migrate().await.map_err(|e| Failure::Runtime(e.to_string()))?;
    Ok(store)
}

pub fn service(store: Arc<dyn Store>) -> Result<Service, Failure> {
    let hasher = Hasher::new().map_err(|e| Failure::Runtime(e.to_string()))?;
    Ok(Service::new(store, hasher, SessionPolicy::default()))
}

/// The installation's mail settings; the secret key comes from `ROSTER_SECRET_KEY` or the
/// data directory (made on first start).
fn mail_config(config: &Config) -> Result<MailConfig, Failure> {
    let key = match &config.secret_key {
        Some(k) => k.clone(),
        None => {
            config.prepare_data_dir()?;
            if !config.uses_sqlite() {
                tracing::warn!(
                    "ROSTER_SECRET_KEY is not set: this replica keeps its key in {}; replicas on one database must share one key",
                    config.data_dir.display()
                );
            }
            SecretKey::load_or_create(&config.data_dir).map_err(|e| Failure::Config(bad("ROSTER_DATA_DIR", e)))?
        }
    };
    Ok(MailConfig {
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        from: config.mail_from.clone().unwrap_or_else(|| "Roster <roster@localhost>".to_owned()),
        smtp: config.smtp.clone(),
        key,
        policy: MailPolicy {
            allow_private_smtp: config.smtp_allow_private,
            account_mail_per_hour: config.account_mail_per_hour,
            ..MailPolicy::default()
        },
    })
}

pub fn runtime(e: ServiceError) -> Failure {
    Failure::Runtime(e.to_string())
}

pub async fn serve(config: Config) -> Result<(), Failure> {
    init_logs(&config);
    let listener = tokio::net::TcpListener::bind(config.listen).await.map_err(|e| {
        Failure::Config(bad(
            "ROSTER_LISTEN",
            format!("cannot listen on {} ({e}); choose another address or port", config.listen),
        ))
    })?;
    let store = open_store(&config).await?;
    let service = service(store.clone())?
        .with_mail(mail_config(&config)?)
        .with_open_registration(config.open_registration)
        .with_page_cache(config.page_cache_mib << 20)
        .with_shared_reads(config.shared_reads);
    tracing::info!(
        database = if config.uses_sqlite() { "sqlite" } else { "postgres" },
        mail_from = ?config.mail_from,
        open_registration = config.open_registration,
        "settings loaded"
    );
    if config.smtp.is_none() {
        tracing::info!(
            "ROSTER_SMTP_URL is not set: emails stay in the outbox (accounts with their own server still send)"
        );
    }
    let worker = service.delivery_worker(DeliveryOptions::default()).map_err(runtime)?;
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let delivery = tokio::spawn(worker.run(async move {
        let _ = worker_stopped.await;
    }));
    // The job runner (decision 0096): due jobs once whatever the replicas, among them the
    // reminder sweep of every minute (R-MAIL-5, once per member per local day).
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let jobs = tokio::spawn(service.clone().run_job_runner(roster_service::RunnerOptions::default(), async move {
        let _ = jobs_stopped.await;
    }));
    // The query planner's statistics, refreshed hourly as the tables grow (decision 0092).
    let stats_store = store.clone();
    let statistics = tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            if let Err(e) = stats_store.refresh_statistics().await {
                tracing::warn!(error = %e, "refreshing the planner's statistics failed");
            }
        }
    });
    let give_back = tokio::spawn(crate::memory::give_back_freed());
    println!("Roster is listening on {}", config.public_url);
    if let Some(secret) = service.issue_setup_token().await.map_err(runtime)? {
        println!("This installation has no operator yet. Open this one-time link to set it up:");
        println!("  {}/setup?token={secret}", config.public_url);
    }
    let _ = std::io::stdout().flush();
    let mut web = WebConfig::new(config.public_url.clone());
    web.trusted_proxies = config.trusted_proxies.clone();
    // PRODUCT.md §10: as many files as the system allows, and connections well within them.
    let files = raise_open_file_limit();
    web.max_connections = match files {
        Some(n) => config.max_connections.min(usize::try_from(n.saturating_sub(256)).unwrap_or(usize::MAX).max(64)),
        None => config.max_connections,
    };
    tracing::info!(
        open_files = files,
        max_connections = web.max_connections,
        trusted_proxies = !config.trusted_proxies.is_empty(),
        "connection limits"
    );
    let state = AppState::new(service, web);
    // On SIGTERM: `/readyz` answers 503 for the drain period while requests are still served,
    // then the listener closes and requests in flight finish (decision 0103).
    let draining = state.draining.clone();
    let drain = config.shutdown_drain;
    let shutdown = async move {
        shutdown_signal().await;
        draining.store(true, std::sync::atomic::Ordering::Release);
        tracing::info!(drain_seconds = drain.as_secs_f64(), "shutting down: /readyz answers 503 while draining");
        tokio::time::sleep(drain).await;
    };
    let served = roster_web::serve(listener, state, shutdown).await;
    let _ = stop_worker.send(());
    let _ = delivery.await;
    let _ = stop_jobs.send(());
    let _ = jobs.await;
    statistics.abort();
    give_back.abort();
    served.map_err(|e| Failure::Runtime(e.to_string()))?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (often 1,024 by default: a thousand idle
/// connections would otherwise use every descriptor); answers the soft limit now in force.
#[cfg(unix)]
fn raise_open_file_limit() -> Option<u64> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        // An unlimited hard limit is not a value the kernel takes for files: a million is.
        let target = if lim.rlim_max == libc::RLIM_INFINITY { 1 << 20 } else { lim.rlim_max };
        if lim.rlim_cur < target {
            let raised = libc::rlimit { rlim_cur: target, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            } else {
                tracing::warn!(soft = lim.rlim_cur, hard = lim.rlim_max, "cannot raise the open-file limit");
            }
        }
    }
    #[allow(clippy::useless_conversion)]
    Some(u64::from(lim.rlim_cur))
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> Option<u64> {
    None
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub async fn migrate(config: Config) -> Result<(), Failure> {
    init_logs(&config);
    let store = open_store(&config).await?;
    store.close().await;
    println!("The database is up to date.");
    Ok(())
}

/// How many generated records `roster demo` adds.
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoSizes {
    pub users: u32,
    pub contacts: u32,
    pub projects: u32,
    pub events: u32,
    pub tickets: u32,
    pub time_entries: u32,
    pub workflow_runs: u32,
}

pub async fn demo(config: Config, sizes: DemoSizes, account: Option<String>) -> Result<(), Failure> {
    let store = open_store(&config).await?;
    let service = service(store.clone())?;
    if let Some(slug) = account {
        let started = std::time::Instant::now();
        let added = add_demo_members(&service, Some(&slug), sizes.users).await?;
        let secs = started.elapsed().as_secs_f64();
        if added > 0
            || sizes.contacts + sizes.projects + sizes.events + sizes.tickets + sizes.time_entries + sizes.workflow_runs
                == 0
        {
            println!(
                "Added {added} generated members to the account {slug} in {secs:.1} s ({:.0} rows/s).",
                f64::from(added) / secs.max(1e-9)
            );
        }
        add_demo_records(&service, Some(&slug), sizes).await?;
        store.close().await;
        return Ok(());
    }
    let outcome = service.demo().await.map_err(runtime)?;
    let records = service.demo_fill_records().await.map_err(runtime)?;
    let started = std::time::Instant::now();
    let added = add_demo_members(&service, None, sizes.users).await?;
    let secs = started.elapsed().as_secs_f64();
    add_demo_records(&service, None, sizes).await?;
    store.close().await;
    match outcome {
        DemoOutcome::Created(people) => {
            println!(
                "Created the demo account \"Demo Studio\" (slug demo). Sign in at {}/sign-in as:",
                config.public_url
            );
            for p in people {
                println!("  {:<12} {:<32} password {}", p.role, p.email, p.password.unwrap_or_default());
            }
        }
        DemoOutcome::AlreadyExists(people) => {
            println!("The demo account already exists (slug demo); nothing changed. Its sign-ins:");
            for p in people {
                println!("  {:<12} {}", p.role, p.email);
            }
            println!("Their passwords were printed when the demo was created.");
        }
    }
    if records != DemoRecords::default() {
        println!(
            "The demo account has {} client contacts, {} projects, {} to-dos, {} events, {} tickets, {} time entries (one timer running), {} workflow templates and {} runs of them to try.",
            records.contacts,
            records.projects,
            records.todos,
            records.events,
            records.tickets,
            records.time_entries,
            records.workflow_templates,
            records.workflow_runs
        );
    }
    if added > 0 {
        println!(
            "Added {added} generated members to the demo account in {secs:.1} s ({:.0} rows/s).",
            f64::from(added) / secs.max(1e-9)
        );
    }
    Ok(())
}

/// Adds the generated contacts, projects and events, each with a progress bar and its rate.
async fn add_demo_records(service: &Service, slug: Option<&str>, sizes: DemoSizes) -> Result<(), Failure> {
    add_demo_contacts(service, slug, sizes.contacts).await?;
    if sizes.projects > 0 {
        let started = std::time::Instant::now();
        let bar = progress_bar(u64::from(sizes.projects), "projects");
        let added = service
            .demo_fill_projects(slug, sizes.projects, &|n| bar.set_position(u64::from(n)))
            .await
            .map_err(runtime)?;
        bar.finish_and_clear();
        say_rate(added, "projects", slug, started);
    }
    if sizes.events > 0 {
        let started = std::time::Instant::now();
        let bar = progress_bar(u64::from(sizes.events), "events");
        let added =
            service.demo_fill_events(slug, sizes.events, &|n| bar.set_position(u64::from(n))).await.map_err(runtime)?;
        bar.finish_and_clear();
        say_rate(added, "events", slug, started);
    }
    if sizes.workflow_runs > 0 {
        let started = std::time::Instant::now();
        let bar = progress_bar(u64::from(sizes.workflow_runs), "workflow runs");
        let added = service
            .demo_fill_workflow_runs(slug, sizes.workflow_runs, &|n| bar.set_position(u64::from(n)))
            .await
            .map_err(runtime)?;
        bar.finish_and_clear();
        say_rate(added, "workflow runs", slug, started);
    }
    if sizes.tickets > 0 {
        let started = std::time::Instant::now();
        let bar = progress_bar(u64::from(sizes.tickets), "tickets");
        let added = service
            .demo_fill_tickets(slug, sizes.tickets, &|n| bar.set_position(u64::from(n)))
            .await
            .map_err(runtime)?;
        bar.finish_and_clear();
        say_rate(added, "tickets", slug, started);
    }
    if sizes.time_entries > 0 {
        let started = std::time::Instant::now();
        let bar = progress_bar(u64::from(sizes.time_entries), "time entries");
        let added = service
            .demo_fill_time_entries(slug, sizes.time_entries, &|n| bar.set_position(u64::from(n)))
            .await
            .map_err(runtime)?;
        bar.finish_and_clear();
        say_rate(added, "time entries", slug, started);
    }
    Ok(())
}

fn say_rate(added: u32, what: &str, slug: Option<&str>, started: std::time::Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Added {added} generated {what} to the account {} in {secs:.1} s ({:.0} {what}/s).",
        slug.unwrap_or("demo"),
        f64::from(added) / secs.max(1e-9)
    );
}

/// Adds generated members (50,000 per transaction), with a progress bar when standard error is
/// a terminal and silence otherwise.
async fn add_demo_members(service: &Service, slug: Option<&str>, users: u32) -> Result<u32, Failure> {
    if users == 0 {
        return Ok(0);
    }
    let bar = progress_bar(u64::from(users), "members");
    let added = service.demo_fill(slug, users, &|n| bar.set_position(u64::from(n))).await.map_err(runtime)?;
    bar.finish_and_clear();
    Ok(added)
}

/// Adds generated contacts and says how fast.
async fn add_demo_contacts(service: &Service, slug: Option<&str>, contacts: u32) -> Result<(), Failure> {
    if contacts == 0 {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let bar = progress_bar(u64::from(contacts), "contacts");
    let added =
        service.demo_fill_contacts(slug, contacts, &|n| bar.set_position(u64::from(n))).await.map_err(runtime)?;
    bar.finish_and_clear();
    say_rate(added, "contacts", slug, started);
    Ok(())
}

/// A progress bar on a terminal (standard error); hidden otherwise.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    if std::io::stderr().is_terminal() {
        let template = format!("{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)");
        let style = indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        indicatif::ProgressBar::new(len).with_style(style)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

pub async fn operator_create(
    config: Config,
    email: String,
    first_name: String,
    last_name: String,
) -> Result<(), Failure> {
    let password = read_password().map_err(|e| Failure::Runtime(format!("cannot read the password: {e}")))?;
    let store = open_store(&config).await?;
    let person = NewPerson { first_name, last_name, email, password };
    let result = service(store.clone())?.create_operator(&person).await;
    store.close().await;
    match result {
        Ok(u) => {
            println!("Operator {} created (id {}).", u.email, u.id);
            Ok(())
        }
        Err(ServiceError::Invalid(errs)) => {
            let lines: Vec<String> =
                errs.0.iter().map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message)).collect();
            Err(Failure::Config(bad("operator create", lines.join(" "))))
        }
        Err(ServiceError::Conflict { message, .. }) => Err(Failure::Config(bad("--email", message))),
        Err(e) => Err(runtime(e)),
    }
}

fn read_password() -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (8 to 128 characters): ")?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first != again {
            return Err(std::io::Error::other("the two passwords differ"));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
