//! Throttling of failed sign-ins (R-AUTH-7), per login and per client address, with the state in
//! the database (`sign_in_throttle`) so every replica sees the same counts.
//!
//! A failure counts against both keys; the failure that reaches a key's limit blocks it for the
//! first delay, each further one doubles the delay up to the cap. Counts start over once their
//! window has passed, and a success forgets the login's and the address's counts. While a key is
//! blocked, sign-in answers [`ServiceError::Throttled`] before any password work. Unknown logins
//! are keyed and counted exactly like known ones.
use std::net::IpAddr;
use std::time::Duration;

use roster_store::{AuditRow, ThrottleRow, Tx};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::token::hex;
use crate::{Meta, Result, Service, ServiceError, now};

/// When failures block further attempts, per login and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub login: ThrottleLimit,
    /// Looser, so one address cannot try many logins a few times each.
    pub address: ThrottleLimit,
    /// Failures count from the first of them for this long; then the count starts over.
    pub window: Duration,
}

/// One key's limit: the `failures`-th failure in a window blocks the key for `first_delay`, each
/// further failure for twice as long as the one before, at most `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimit {
    pub failures: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    /// 5 failures per login, 20 per address, 1 s doubling to 15 min, in a 15-minute window.
    fn default() -> Self {
        let limit = |failures| ThrottleLimit {
            failures,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
        };
        Self { login: limit(5), address: limit(20), window: Duration::from_secs(15 * 60) }
    }
}

impl ThrottleLimit {
    /// How long a key is blocked after the failure that brought its count to `failures`.
    pub fn delay(&self, failures: i64) -> Option<Duration> {
        let over = failures.checked_sub(i64::from(self.failures)).filter(|over| *over >= 0)?;
        let factor = u32::try_from(over).ok().and_then(|d| 2u32.checked_pow(d)).unwrap_or(u32::MAX);
        Some(self.first_delay.saturating_mul(factor).min(self.max_delay))
    }
}

/// Retry-After in whole seconds, rounded up (at least 1).
pub fn retry_after_secs(retry_after: Duration) -> u64 {
    let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    secs.max(1)
}

/// The sentence people see while blocked: "Too many attempts. Try again in 3 minutes."
pub fn too_many_attempts(retry_after: Duration) -> String {
    let secs = retry_after_secs(retry_after);
    let (n, unit) = if secs < 60 { (secs, "second") } else { (secs.div_ceil(60), "minute") };
    let s = if n == 1 { "" } else { "s" };
    format!("Too many attempts. Try again in {n} {unit}{s}.")
}

/// The throttle keys of one sign-in attempt: the login, and the client address when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    login: String,
    address: Option<String>,
}

impl Keys {
    pub(crate) fn new(login: &str, ip: Option<&str>) -> Self {
        Self { login: login_key(login), address: ip.map(address_key) }
    }

    /// Each key with its limit, the login first (the order rows are locked in, everywhere).
    fn with_limits<'a>(&'a self, p: &ThrottlePolicy) -> impl Iterator<Item = (&'a str, ThrottleLimit)> {
        std::iter::once((self.login.as_str(), p.login)).chain(self.address.as_deref().map(|a| (a, p.address)))
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.login.as_str()).chain(self.address.as_deref())
    }
}

/// `login:<SHA-256 of the trimmed, lower-cased login>`: the table never holds what people typed
/// (often enough a password typed into the login field).
fn login_key(login: &str) -> String {
    format!("login:{}", hex(&Sha256::digest(login.trim().to_lowercase().as_bytes())))
}

/// `ip:<address>`; an IPv6 client is keyed by its /64, which one machine usually holds whole.
fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => format!("ip:{}", v6.to_canonical()),
        Ok(v4) => format!("ip:{v4}"),
        Err(_) => format!("ip:{}", ip.chars().take(64).collect::<String>()),
    }
}

/// The longest block still running at `now` among `rows`.
fn blocked_for<'a>(rows: impl IntoIterator<Item = &'a ThrottleRow>, now: OffsetDateTime) -> Option<Duration> {
    rows.into_iter()
        .filter_map(|r| r.blocked_until)
        .filter(|until| *until > now)
        .filter_map(|until| Duration::try_from(until - now).ok())
        .max()
}

fn throttled<'a>(rows: impl IntoIterator<Item = &'a ThrottleRow>, now: OffsetDateTime) -> Result<()> {
    match blocked_for(rows, now) {
        Some(retry_after) => Err(ServiceError::Throttled { retry_after }),
        None => Ok(()),
    }
}

impl Service {
    /// The same service with another throttle policy (tests use tiny delays).
    pub fn with_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.throttle = policy;
        self
    }

    pub fn throttle_policy(&self) -> ThrottlePolicy {
        self.throttle
    }

    /// [`ServiceError::Throttled`] while the login or the address is blocked: sign-in then stops
    /// before any password work.
    pub(crate) async fn check_throttle(&self, keys: &Keys) -> Result<()> {
        let mut r = self.store.read().await?;
        let mut rows = Vec::new();
        for key in keys.iter() {
            rows.extend(r.throttle_row(key).await?);
        }
        throttled(&rows, now())
    }

    /// Records a failed sign-in: one more failure for each key, a block where the policy says,
    /// and the `auth.sign_in_failed` audit row, in one unit of work. Returns what `sign_in`
    /// answers: `InvalidCredentials`, or `Throttled` when a concurrent attempt blocked a key
    /// meanwhile (this one then does not count either).
    pub(crate) async fn sign_in_failed(&self, keys: &Keys, user_id: Option<Uuid>, meta: &Meta) -> ServiceError {
        match self.record_sign_in_failure(keys, user_id, meta).await {
            Ok(()) => ServiceError::InvalidCredentials,
            Err(e) => e,
        }
    }

    async fn record_sign_in_failure(&self, keys: &Keys, user_id: Option<Uuid>, meta: &Meta) -> Result<()> {
        let t = now();
        let window_from = t - self.throttle.window;
        let mut tx = self.store.begin().await?;
        let mut rows = Vec::new();
        for (key, limit) in keys.with_limits(&self.throttle) {
            rows.push((tx.record_throttle_failure(key, t, window_from).await?, limit));
        }
        throttled(rows.iter().map(|(r, _)| r), t)?;
        for (row, limit) in &rows {
            if let Some(delay) = limit.delay(row.failures) {
                tx.set_throttle_block(&row.key, t + delay).await?;
            }
        }
        tx.purge_throttle(window_from, t).await?;
        // R-AUD-1: a known person's failure shows in the audit log of each account they belong
        // to; an unknown login's in the installation's (no account).
        let accounts: Vec<Option<Uuid>> = match user_id {
            Some(u) => tx.memberships_of_user(u).await?.into_iter().map(|(a, _)| Some(a.id)).collect(),
            None => Vec::new(),
        };
        let accounts = if accounts.is_empty() { vec![None] } else { accounts };
        for account_id in accounts {
            tx.insert_audit(&AuditRow {
                id: Uuid::now_v7(),
                account_id,
                actor_id: None,
                impersonator_id: None,
                action: "auth.sign_in_failed".to_owned(),
                target_type: user_id.map(|_| "user".to_owned()),
                target_id: user_id.map(|u| u.to_string()),
                ip: meta.ip.clone(),
                details: None,
                at: t,
            })
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A success forgets the login's failures (not the address's: else an attacker with any valid
/// login could reset their address's count between guesses), in the caller's unit of work;
/// `Throttled` (and the caller rolls back) when a concurrent failure blocked a key meanwhile,
/// so a burst of parallel guesses cannot slip past the block.
pub(crate) async fn clear(tx: &mut dyn Tx, keys: &Keys) -> Result<()> {
    let mut rows = Vec::new();
    rows.extend(tx.clear_throttle(&keys.login).await?);
    if let Some(address) = &keys.address {
        rows.extend(tx.throttle_row(address).await?);
    }
    throttled(&rows, now())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn secs(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n))
    }

    #[test]
    fn the_fifth_login_failure_blocks_for_a_second_then_doubling_to_fifteen_minutes() {
        let p = ThrottlePolicy::default();
        for n in 0..5 {
            assert_eq!(p.login.delay(n), None, "failure {n}");
        }
        assert_eq!(p.login.delay(4), None);
        let got: Vec<_> = (5..=16).map(|n| p.login.delay(n)).collect();
        let want: Vec<_> = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900].into_iter().map(secs).collect();
        assert_eq!(got, want);
        assert_eq!(p.login.delay(1_000_000), secs(900), "no overflow, capped");
        assert_eq!(p.login.delay(i64::MAX), secs(900));
    }

    #[test]
    fn an_address_is_allowed_twenty_failures() {
        let p = ThrottlePolicy::default();
        assert_eq!(p.address.delay(19), None);
        assert_eq!(p.address.delay(20), secs(1));
        assert_eq!(p.address.delay(22), secs(4));
        assert_eq!(p.window, Duration::from_secs(900));
    }

    #[test]
    fn retry_after_rounds_up_and_says_it_plainly() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(4)), 4);
        assert_eq!(too_many_attempts(Duration::from_millis(300)), "Too many attempts. Try again in 1 second.");
        assert_eq!(too_many_attempts(Duration::from_secs(8)), "Too many attempts. Try again in 8 seconds.");
        assert_eq!(too_many_attempts(Duration::from_secs(60)), "Too many attempts. Try again in 1 minute.");
        assert_eq!(too_many_attempts(Duration::from_secs(61)), "Too many attempts. Try again in 2 minutes.");
        assert_eq!(too_many_attempts(Duration::from_secs(900)), "Too many attempts. Try again in 15 minutes.");
    }

    #[test]
    fn keys_ignore_case_and_hide_the_login() {
        let a = Keys::new(" Ada@Example.test ", Some("192.0.2.7"));
        let b = Keys::new("ada@example.test", Some("192.0.2.7"));
        assert_eq!(a, b);
        assert!(a.login.starts_with("login:") && !a.login.contains("ada"), "{}", a.login);
        assert_eq!(a.login.len(), "login:".len() + 64);
        assert_eq!(a.address.as_deref(), Some("ip:192.0.2.7"));
        assert_ne!(Keys::new("ada", None).login, Keys::new("bob", None).login);
        assert_eq!(Keys::new("ada", None).iter().count(), 1, "no address, no address key");
    }

    #[test]
    fn an_ipv6_client_is_keyed_by_its_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "ip:2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:192.0.2.7"), "ip:192.0.2.7");
        assert_eq!(address_key(&"x".repeat(500)).len(), "ip:".len() + 64);
    }

    #[test]
    fn the_longest_running_block_wins() {
        let t = now();
        let row = |blocked: Option<i64>| ThrottleRow {
            key: "k".into(),
            failures: 5,
            window_start: t,
            blocked_until: blocked.map(|s| t + time::Duration::seconds(s)),
        };
        assert_eq!(blocked_for(&[row(None), row(Some(-5))], t), None, "ended blocks do not count");
        assert_eq!(blocked_for(&[row(Some(3)), row(Some(10)), row(None)], t), secs(10));
        assert_eq!(blocked_for(&[row(Some(0))], t), None, "a block ends at its instant");
    }
}
