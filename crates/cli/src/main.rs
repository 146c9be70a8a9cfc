//! `roster`: the server and its administration commands.
#![deny(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod config;
mod log_buffer;
mod memory;
mod users;

use config::{Config, ConfigError, Sources};

/// mimalloc: the server allocates many small, short-lived values per request (rows, strings,
/// JSON); glibc's allocator spent a quarter of the CPU of the users list on them. Built without
/// transparent huge pages (`no_thp`): with them each segment a request touched was 2 MiB
/// resident, 18 of the 37 MiB an idle server held (decision 0106).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Roster: accounts, team members, roles and permissions, sign-in and a client portal for
/// small-business software, in one self-hosted server.
#[derive(Parser)]
#[command(
    name = "roster",
    version,
    propagate_version = true,
    after_help = "Settings come from roster.toml (or --config) and ROSTER_* variables; variables win.\nSee the README for the table of settings."
)]
struct Cli {
    /// A configuration file (default: ./roster.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a demo account with an owner, an admin, a standard user, a salesperson and a
    /// customer, a few client contacts, projects, to-dos and events, and print their sign-ins.
    /// Running it again changes nothing.
    Demo {
        /// Also add this many generated members (realistic names, companies, roles and statuses;
        /// they cannot sign in), 50,000 per transaction.
        #[arg(long, default_value_t = 0)]
        users: u32,
        /// Also add this many generated contacts (clients, leads and vendors at every pipeline
        /// stage; in the demo account the salesperson is assigned the first 1,000), 10,000 per
        /// transaction.
        #[arg(long, default_value_t = 0)]
        contacts: u32,
        /// Also add this many generated projects (clients, statuses, tags; the account's admins
        /// belong to every one, the demo salesperson to the first 100), 10,000 per transaction.
        #[arg(long, default_value_t = 0)]
        projects: u32,
        /// Also add this many generated events, spread over a year round the members' default
        /// calendars, 10,000 per transaction.
        #[arg(long, default_value_t = 0)]
        events: u32,
        /// Also add this many generated support tickets (mostly closed, assigned round the
        /// account's members), 10,000 per transaction.
        #[arg(long, default_value_t = 0)]
        tickets: u32,
        /// Also add this many generated stopped time entries (two years of weekdays round the
        /// account's members, four in five on a project), 10,000 per transaction.
        #[arg(long, default_value_t = 0)]
        time_entries: u32,
        /// Also start this many runs of a 10-step workflow template (to-dos and events, every
        /// step due at once) on one demo client, for `roster serve`'s job runners to do.
        #[arg(long, default_value_t = 0)]
        workflow_runs: u32,
        /// Fill this account instead of the demo account (made, with a generated owner, when no
        /// account has this slug).
        #[arg(long, value_name = "SLUG")]
        account: Option<String>,
    },
    /// Export or import an account's users as CSV.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Manage the installation's operators.
    #[command(subcommand)]
    Operator(OperatorCommand),
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator. The password is asked for on the terminal, or read from the first
    /// line of standard input when it is not a terminal.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Roster")]
        first_name: String,
        #[arg(long, default_value = "Operator")]
        last_name: String,
    },
}

/// How a command failed: a user's mistake (exit 2, one line) or a failure (exit 1).
pub enum Failure {
    Config(ConfigError),
    Runtime(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |k: &str| std::env::var(k).ok();
    let config = match Config::load(&Sources { file: cli.config.as_deref(), env: &env }) {
        Ok(c) => c,
        Err(e) => return report(Failure::Config(e)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return report(Failure::Runtime(format!("cannot start the runtime: {e}"))),
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve => commands::serve(config).await,
            Command::Migrate => commands::migrate(config).await,
            Command::Demo { users, contacts, projects, events, tickets, time_entries, workflow_runs, account } => {
                let sizes =
                    commands::DemoSizes { users, contacts, projects, events, tickets, time_entries, workflow_runs };
                commands::demo(config, sizes, account).await
            }
            Command::Users(c) => users::run(config, c).await,
            Command::Operator(OperatorCommand::Create { email, first_name, last_name }) => {
                commands::operator_create(config, email, first_name, last_name).await
            }
        }
    });
    log_buffer::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(f),
    }
}

fn report(f: Failure) -> ExitCode {
    match f {
        Failure::Config(e) => {
            eprintln!("roster: {e}");
            ExitCode::from(2)
        }
        Failure::Runtime(m) => {
            eprintln!("roster: {m}");
            ExitCode::from(1)
        }
    }
}
