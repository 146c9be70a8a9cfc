//! Configuration: `roster.toml` (or `--config`), then `ROSTER_*` variables, the variables
//! winning. Every value is checked here; a bad one ends the process with exit code 2 and one
//! line naming the setting and the fix.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A setting that cannot be used, said in one line.
#[derive(Debug)]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.setting, self.message)
    }
}

pub fn bad(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { setting: setting.to_owned(), message: message.into() }
}

/// The file's keys are the variables' names without `ROSTER_`, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    listen: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    secret_key: Option<String>,
    open_registration: Option<bool>,
    log: Option<String>,
    trusted_proxies: Option<String>,
    max_connections: Option<usize>,
    smtp_allow_private: Option<bool>,
    account_mail_per_hour: Option<u32>,
    shutdown_drain: Option<f64>,
    page_cache_mib: Option<usize>,
    shared_reads: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub public_url: String,
    pub smtp: Option<roster_mail::SmtpTarget>,
    pub mail_from: Option<String>,
    /// `ROSTER_SECRET_KEY`; without it the key lives in `data_dir/secret.key`.
    pub secret_key: Option<roster_service::secret::SecretKey>,
    pub open_registration: bool,
    pub log: String,
    /// `ROSTER_TRUSTED_PROXIES`: CIDRs whose `X-Forwarded-For` is believed (R-AUTH-7).
    pub trusted_proxies: roster_web::TrustedProxies,
    /// `ROSTER_MAX_CONNECTIONS` (default 4,096; less when the open-file limit is lower).
    pub max_connections: usize,
    /// `ROSTER_SMTP_ALLOW_PRIVATE` (default false): accounts' own servers may be private
    /// addresses on any port (R-MAIL-7).
    pub smtp_allow_private: bool,
    /// `ROSTER_ACCOUNT_MAIL_PER_HOUR` (default 500): emails per account per hour (R-MAIL-7).
    pub account_mail_per_hour: u32,
    /// `ROSTER_SHUTDOWN_DRAIN` (seconds, default 5): on SIGTERM `/readyz` answers 503 this long
    /// while requests are still served, so a load balancer stops sending before the port closes.
    pub shutdown_drain: std::time::Duration,
    /// `ROSTER_PAGE_CACHE_MIB` (default 8, 0 for none): memory for team pages kept with the
    /// database version they were read at (decision 0110; SQLite only).
    pub page_cache_mib: usize,
    /// `ROSTER_SHARED_READS` (default true): on PostgreSQL, requests asking at the same time
    /// share session lookups and team page reads, each begun after all of them asked (decision 0111).
    pub shared_reads: bool,
}

/// Where values come from, so tests can load without touching the process environment.
pub struct Sources<'a> {
    pub file: Option<&'a Path>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

fn read_file(path: &Path, explicit: bool) -> Result<FileConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(FileConfig::default()),
        Err(e) => return Err(bad("--config", format!("cannot read {}: {e}; pass an existing file", path.display()))),
    };
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_owned();
        bad(&path.display().to_string(), format!("{msg}; known keys are database_url, data_dir, listen, public_url, smtp_url, mail_from, secret_key, open_registration, log, trusted_proxies, max_connections, smtp_allow_private, account_mail_per_hour, shutdown_drain, page_cache_mib, shared_reads"))
    })
}

impl Config {
    pub fn load(src: &Sources<'_>) -> Result<Config, ConfigError> {
        let file = match src.file {
            Some(p) => read_file(p, true)?,
            None => read_file(Path::new("roster.toml"), false)?,
        };
        let env = |k: &str| (src.env)(k).filter(|v| !v.trim().is_empty());

        let data_dir = env("ROSTER_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./roster-data"));
        let database_url = env("ROSTER_DATABASE_URL").or(file.database_url);
        let database_url = match database_url {
            Some(u) => check_database_url(&u)?,
            None => format!("sqlite://{}/roster.db", data_dir.display()),
        };

        let listen_text = env("ROSTER_LISTEN").or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            bad("ROSTER_LISTEN", format!("{listen_text:?} is not an address and port; use one like 127.0.0.1:8080"))
        })?;

        let public_url = match env("ROSTER_PUBLIC_URL").or(file.public_url) {
            Some(u) => check_http_url(&u)?,
            None => format!("http://{listen}"),
        };

        let smtp = env("ROSTER_SMTP_URL").or(file.smtp_url).map(|u| check_smtp_url(&u)).transpose()?;
        let secret_key = env("ROSTER_SECRET_KEY")
            .or(file.secret_key)
            .map(|k| roster_service::secret::SecretKey::from_hex(&k).map_err(|e| bad("ROSTER_SECRET_KEY", e)))
            .transpose()?;
        let mail_from = env("ROSTER_MAIL_FROM").or(file.mail_from).map(|m| check_mail_from(&m)).transpose()?;
        let open_registration = match env("ROSTER_OPEN_REGISTRATION") {
            Some(v) => {
                parse_bool(&v).ok_or_else(|| bad("ROSTER_OPEN_REGISTRATION", format!("{v:?} is not true or false")))?
            }
            None => file.open_registration.unwrap_or(false),
        };
        let smtp_allow_private = match env("ROSTER_SMTP_ALLOW_PRIVATE") {
            Some(v) => {
                parse_bool(&v).ok_or_else(|| bad("ROSTER_SMTP_ALLOW_PRIVATE", format!("{v:?} is not true or false")))?
            }
            None => file.smtp_allow_private.unwrap_or(false),
        };
        let account_mail_per_hour = match env("ROSTER_ACCOUNT_MAIL_PER_HOUR") {
            Some(v) => v.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                bad("ROSTER_ACCOUNT_MAIL_PER_HOUR", format!("{v:?} is not a whole number of at least 1, like 500"))
            })?,
            None => match file.account_mail_per_hour {
                Some(0) => return Err(bad("account_mail_per_hour", "use a whole number of at least 1, like 500")),
                Some(n) => n,
                None => 500,
            },
        };
        let log = env("ROSTER_LOG").or(file.log).unwrap_or_else(|| "info".to_owned());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| {
            bad("ROSTER_LOG", format!("{log:?} is not a log filter ({e}); use e.g. info or roster=debug"))
        })?;

        let trusted_proxies = match env("ROSTER_TRUSTED_PROXIES").or(file.trusted_proxies) {
            Some(v) => roster_web::TrustedProxies::parse(&v).map_err(|e| {
                bad("ROSTER_TRUSTED_PROXIES", format!("{e}; list your reverse proxies' networks, like 10.0.0.0/8,::1"))
            })?,
            None => roster_web::TrustedProxies::default(),
        };
        let max_connections = match env("ROSTER_MAX_CONNECTIONS") {
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
                bad("ROSTER_MAX_CONNECTIONS", format!("{v:?} is not a positive number of connections, like 4096"))
            })?,
            None => file.max_connections.filter(|n| *n > 0).unwrap_or(4096),
        };

        let drain_text = env("ROSTER_SHUTDOWN_DRAIN");
        let shutdown_drain = match drain_text.as_deref().map(parse_seconds).or(file.shutdown_drain.map(Some)) {
            Some(Some(s)) if (0.0..=300.0).contains(&s) => std::time::Duration::from_secs_f64(s),
            Some(_) => {
                return Err(bad(
                    "ROSTER_SHUTDOWN_DRAIN",
                    format!("{:?} is not a number of seconds from 0 to 300, like 5", drain_text.unwrap_or_default()),
                ));
            }
            None => std::time::Duration::from_secs(5),
        };

        let page_cache_mib = match env("ROSTER_PAGE_CACHE_MIB") {
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n <= 4096).ok_or_else(|| {
                bad("ROSTER_PAGE_CACHE_MIB", format!("{v:?} is not a number of MiB from 0 to 4096, like 8"))
            })?,
            None => {
                file.page_cache_mib.filter(|n| *n <= 4096).unwrap_or(roster_service::DEFAULT_PAGE_CACHE_BYTES >> 20)
            }
        };

        let shared_reads = match env("ROSTER_SHARED_READS") {
            Some(v) => {
                parse_bool(&v).ok_or_else(|| bad("ROSTER_SHARED_READS", format!("{v:?} is not true or false")))?
            }
            None => file.shared_reads.unwrap_or(true),
        };

        Ok(Config {
            database_url,
            data_dir,
            listen,
            public_url,
            smtp,
            mail_from,
            secret_key,
            open_registration,
            log,
            trusted_proxies,
            max_connections,
            smtp_allow_private,
            account_mail_per_hour,
            shutdown_drain,
            page_cache_mib,
            shared_reads,
        })
    }

    /// Creates the data directory if needed and proves it is writable.
    pub fn prepare_data_dir(&self) -> Result<(), ConfigError> {
        let fix = |e: std::io::Error| {
            bad(
                "ROSTER_DATA_DIR",
                format!("cannot write to {}: {e}; choose a writable directory", self.data_dir.display()),
            )
        };
        std::fs::create_dir_all(&self.data_dir).map_err(fix)?;
        let probe = self.data_dir.join(".roster-write-test");
        std::fs::write(&probe, b"ok").map_err(fix)?;
        std::fs::remove_file(&probe).map_err(fix)
    }

    pub fn uses_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// `5`, `2.5` or `5s`.
fn parse_seconds(v: &str) -> Option<f64> {
    let v = v.trim();
    v.strip_suffix('s').unwrap_or(v).trim().parse::<f64>().ok().filter(|s| s.is_finite())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn check_database_url(u: &str) -> Result<String, ConfigError> {
    if u.starts_with("sqlite:") {
        return Ok(u.to_owned());
    }
    let parsed = url::Url::parse(u)
        .map_err(|e| bad("ROSTER_DATABASE_URL", format!("{e}; use sqlite://PATH or postgres://USER@HOST:PORT/DB")))?;
    match parsed.scheme() {
        "postgres" | "postgresql" if parsed.host_str().is_some() => Ok(u.to_owned()),
        s => Err(bad(
            "ROSTER_DATABASE_URL",
            format!("scheme {s:?} is not supported; use sqlite://PATH or postgres://USER@HOST:PORT/DB"),
        )),
    }
}

fn check_http_url(u: &str) -> Result<String, ConfigError> {
    let parsed = url::Url::parse(u).map_err(|e| {
        bad("ROSTER_PUBLIC_URL", format!("{e}; use the address people open, like https://roster.example.com"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad("ROSTER_PUBLIC_URL", "use an http:// or https:// address, like https://roster.example.com"));
    }
    Ok(u.trim_end_matches('/').to_owned())
}

fn check_smtp_url(u: &str) -> Result<roster_mail::SmtpTarget, ConfigError> {
    roster_mail::SmtpTarget::from_url(u).map_err(|e| bad("ROSTER_SMTP_URL", e))
}

fn check_mail_from(m: &str) -> Result<String, ConfigError> {
    let addr = m.rsplit_once('<').map_or(m, |(_, rest)| rest.trim_end_matches('>'));
    roster_core::Email::parse(addr)
        .map(|_| m.to_owned())
        .map_err(|e| bad("ROSTER_MAIL_FROM", format!("{e} Use e.g. \"Roster <roster@example.com>\".")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;

    use super::*;

    fn load(vars: &[(&str, &str)], file: Option<&Path>) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let env = move |k: &str| map.get(k).cloned();
        Config::load(&Sources { file, env: &env })
    }

    #[test]
    fn r_mail_7_smtp_egress_and_quota_settings() {
        let c = load(&[], None).unwrap();
        assert!(!c.smtp_allow_private);
        assert_eq!(c.account_mail_per_hour, 500);
        let c = load(&[("ROSTER_SMTP_ALLOW_PRIVATE", "true"), ("ROSTER_ACCOUNT_MAIL_PER_HOUR", "50")], None).unwrap();
        assert!(c.smtp_allow_private);
        assert_eq!(c.account_mail_per_hour, 50);
        assert_eq!(c.page_cache_mib, 8);
        assert_eq!(load(&[("ROSTER_PAGE_CACHE_MIB", "0")], None).unwrap().page_cache_mib, 0);
        assert!(c.shared_reads);
        assert!(!load(&[("ROSTER_SHARED_READS", "false")], None).unwrap().shared_reads);
        assert!(load(&[("ROSTER_SHARED_READS", "sometimes")], None).is_err());
        assert_eq!(load(&[("ROSTER_PAGE_CACHE_MIB", "lots")], None).unwrap_err().setting, "ROSTER_PAGE_CACHE_MIB");
        assert_eq!(
            load(&[("ROSTER_SMTP_ALLOW_PRIVATE", "maybe")], None).unwrap_err().setting,
            "ROSTER_SMTP_ALLOW_PRIVATE"
        );
        assert_eq!(
            load(&[("ROSTER_ACCOUNT_MAIL_PER_HOUR", "0")], None).unwrap_err().setting,
            "ROSTER_ACCOUNT_MAIL_PER_HOUR"
        );
    }

    #[test]
    fn defaults_need_no_setup() {
        let c = load(&[], None).unwrap();
        assert_eq!(c.database_url, "sqlite://./roster-data/roster.db");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(!c.open_registration);
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.max_connections, 4096);
    }

    #[test]
    fn r_auth_7_trusted_proxies_from_the_file_or_the_variable() {
        let dir = std::env::temp_dir().join(format!("roster-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("roster.toml");
        std::fs::write(&f, "trusted_proxies = \"10.0.0.0/8, ::1\"\n").unwrap();
        let c = load(&[], Some(&f)).unwrap();
        assert_eq!(c.trusted_proxies, roster_web::TrustedProxies::parse("10.0.0.0/8,::1").unwrap());
        let c = load(&[("ROSTER_TRUSTED_PROXIES", "192.0.2.1")], Some(&f)).unwrap();
        assert_eq!(c.trusted_proxies, roster_web::TrustedProxies::parse("192.0.2.1").unwrap());
        std::fs::write(&f, "trusted_proxies = \"10.0.0.0/40\"\n").unwrap();
        let e = load(&[], Some(&f)).unwrap_err();
        assert_eq!(e.setting, "ROSTER_TRUSTED_PROXIES");
        assert!(e.message.contains("prefix length"), "{e}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn variables_win_over_the_file() {
        let dir = std::env::temp_dir().join(format!("roster-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("roster.toml");
        std::fs::write(&f, "listen = \"127.0.0.1:9000\"\nopen_registration = true\n").unwrap();
        let c = load(&[("ROSTER_LISTEN", "127.0.0.1:9100")], Some(&f)).unwrap();
        assert_eq!(c.listen.port(), 9100);
        assert!(c.open_registration);
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bad_values_name_the_setting() {
        assert_eq!(load(&[("ROSTER_LISTEN", "nope")], None).unwrap_err().setting, "ROSTER_LISTEN");
        assert_eq!(load(&[("ROSTER_DATABASE_URL", "mysql://x/y")], None).unwrap_err().setting, "ROSTER_DATABASE_URL");
        assert_eq!(load(&[("ROSTER_PUBLIC_URL", "not a url")], None).unwrap_err().setting, "ROSTER_PUBLIC_URL");
        assert_eq!(load(&[("ROSTER_SMTP_URL", "http://x")], None).unwrap_err().setting, "ROSTER_SMTP_URL");
        assert_eq!(
            load(&[("ROSTER_OPEN_REGISTRATION", "maybe")], None).unwrap_err().setting,
            "ROSTER_OPEN_REGISTRATION"
        );
        assert_eq!(load(&[("ROSTER_LOG", "[[[")], None).unwrap_err().setting, "ROSTER_LOG");
        assert_eq!(
            load(&[("ROSTER_TRUSTED_PROXIES", "10.0.0.0/8,banana")], None).unwrap_err().setting,
            "ROSTER_TRUSTED_PROXIES"
        );
        assert_eq!(load(&[("ROSTER_MAX_CONNECTIONS", "0")], None).unwrap_err().setting, "ROSTER_MAX_CONNECTIONS");
    }

    #[test]
    fn unknown_key_in_the_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("roster-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("roster.toml");
        std::fs::write(&f, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let e = load(&[], Some(&f)).unwrap_err();
        assert!(e.message.contains("lisen"), "{e}");
        std::fs::remove_dir_all(dir).ok();
    }
}
