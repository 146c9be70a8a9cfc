//! Throttling of failed sign-ins and current-password checks (R-AUTH-7), with the state in the
//! database (`sign_in_throttle`) so every replica sees the same counts.
//!
//! Never a lockout by a stranger (decision 0020): a failure counts against
//! - the login **and** the client address (5 failures block it): only guesses from there block
//!   sign-ins from there;
//! - the login alone, whatever the address (100 failures): a much higher ceiling against guessing
//!   spread over many addresses;
//! - the client address alone (20 failures): one address cannot spray many logins.
//!
//! A browser with a valid "known device" cookie for the login (`known_device.rs`) is keyed by the
//! login and its device instead of the address, and is checked against that key only: blocks
//! caused from elsewhere (the login's total, the address, other browsers) do not stop it.
//! Checks of a current password (change password, transfer ownership) are keyed by the user and
//! the address, the user alone and the address, with the same limits.
//!
//! The failure that reaches a key's limit blocks it for the first delay, each further one doubles
//! the delay up to the cap. Counts start over once their window has passed; a success forgets the
//! login-and-address (or device) count only, so the real person signing in does not reset the
//! totals an attacker built up elsewhere. While a checked key is blocked, the attempt answers
//! [`ServiceError::Throttled`] before any password work. Unknown logins are keyed and counted
//! exactly like known ones.
use std::net::IpAddr;
use std::time::Duration;

use roster_store::{AuditRow, ThrottleRow, Tx};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::signin::Who;
use crate::signin::token::hex;
use crate::{Meta, Result, Service, ServiceError, now};

/// When failures block further attempts (decision 0020).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Per login and client address (or login and known device): 5.
    pub login: ThrottleLimit,
    /// Per login alone, from any address: 100, so strangers cannot lock a person out cheaply.
    pub login_total: ThrottleLimit,
    /// Per client address: 20, so one address cannot try many logins a few times each.
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
    /// 5 per login and address, 100 per login, 20 per address; 1 s doubling to 15 min, in a
    /// 15-minute window.
    fn default() -> Self {
        let limit = |failures| ThrottleLimit {
            failures,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
        };
        Self { login: limit(5), login_total: limit(100), address: limit(20), window: Duration::from_secs(15 * 60) }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Login (or user) and address, or login and known device: the one a success forgets.
    Pair,
    /// The login (or user) alone.
    Total,
    Address,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    name: String,
    kind: Kind,
    /// Checked before an attempt; a known device's attempts still count against the login's
    /// total and the address, but are not stopped by them.
    checked: bool,
}

/// The throttle keys of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    keys: Vec<Key>,
}

impl Keys {
    /// A password sign-in as `login` from `ip`; `device` is this browser's known-device id for
    /// that login, when it has a valid cookie for it.
    pub(crate) fn sign_in(login: &str, ip: Option<&str>, device: Option<&str>) -> Self {
        Self::of(login_key(login), ip, device)
    }

    /// A check of `user`'s current password (change password, transfer ownership).
    pub(crate) fn current_password(user: Uuid, ip: Option<&str>) -> Self {
        Self::of(format!("user:{}", user.simple()), ip, None)
    }

    fn of(who: String, ip: Option<&str>, device: Option<&str>) -> Self {
        let address = ip.map(address_key);
        let pair = match (device, &address) {
            (Some(d), _) => format!("{who}|device:{d}"),
            (None, Some(a)) => format!("{who}|{a}"),
            (None, None) => format!("{who}|ip:-"),
        };
        let known = device.is_some();
        let mut keys = vec![
            Key { name: pair, kind: Kind::Pair, checked: true },
            Key { name: who, kind: Kind::Total, checked: !known },
        ];
        if let Some(a) = address {
            keys.push(Key { name: a, kind: Kind::Address, checked: !known });
        }
        // One order everywhere, so two units of work never lock the same rows crosswise.
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Self { keys }
    }

    fn limit(kind: Kind, p: &ThrottlePolicy) -> ThrottleLimit {
        match kind {
            Kind::Pair => p.login,
            Kind::Total => p.login_total,
            Kind::Address => p.address,
        }
    }

    fn checked(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter(|k| k.checked).map(|k| k.name.as_str())
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

/// Registrations one client address may make in a throttle window (R-AUTH-3, R-MAIL-7): each
/// sends a mail under the installation's name, with names the registrant typed, to any address.
pub const REGISTRATIONS_PER_ADDRESS: i64 = 10;

impl Service {
    /// Counts a registration from the client address (`register|ip:…`, in the sign-in throttle
    /// table so replicas share it): past [`REGISTRATIONS_PER_ADDRESS`] in the window, `Throttled`
    /// until the window ends. Without a known address nothing is counted.
    pub(crate) async fn count_registration(&self, ip: Option<&str>) -> Result<()> {
        let Some(ip) = ip else { return Ok(()) };
        let key = format!("register|{}", address_key(ip));
        let t = now();
        let window_from = t - self.throttle.window;
        let mut tx = self.store.begin().await?;
        let row = tx.record_throttle_failure(&key, t, window_from).await?;
        tx.commit().await?;
        if row.failures > REGISTRATIONS_PER_ADDRESS {
            let left = row.window_start + self.throttle.window - t;
            let retry_after = Duration::try_from(left).unwrap_or(Duration::from_secs(1)).max(Duration::from_secs(1));
            return Err(ServiceError::Throttled { retry_after });
        }
        Ok(())
    }

    /// The same service with another throttle policy (tests use tiny delays).
    pub fn with_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.throttle = policy;
        self
    }

    pub fn throttle_policy(&self) -> ThrottlePolicy {
        self.throttle
    }

    /// [`ServiceError::Throttled`] while a checked key is blocked: the attempt then stops before
    /// any password work.
    pub(crate) async fn check_throttle(&self, keys: &Keys) -> Result<()> {
        let mut r = self.store.read().await?;
        let mut rows = Vec::new();
        for key in keys.checked() {
            rows.extend(r.throttle_row(key).await?);
        }
        throttled(&rows, now())
    }

    /// Records a failed sign-in: one more failure for each key, a block where the policy says,
    /// and the `auth.sign_in_failed` audit row, in one unit of work. Returns what `sign_in`
    /// answers: `InvalidCredentials`, or `Throttled` when a concurrent attempt blocked a key
    /// meanwhile (this one then does not count either).
    pub(crate) async fn sign_in_failed(&self, keys: &Keys, user_id: Option<Uuid>, meta: &Meta) -> ServiceError {
        match self.record_failure(keys, Failure::SignIn(user_id), meta).await {
            Ok(()) => ServiceError::InvalidCredentials,
            Err(e) => e,
        }
    }

    /// Checks `p`'s current password (change password, transfer ownership) through the throttle
    /// (R-AUTH-7): `Throttled` while blocked (no password work), `Ok(false)` for a wrong password
    /// (counted and audited as `auth.current_password_failed`), `Ok(true)` when right (the
    /// user-and-address count is forgotten).
    pub(crate) async fn check_current_password(
        &self,
        p: &crate::signin::Principal,
        password: &str,
        meta: &Meta,
    ) -> Result<bool> {
        let keys = Keys::current_password(p.user.id, meta.ip.as_deref());
        self.check_throttle(&keys).await?;
        if self.hasher.verify(password, p.user.password_hash.as_deref()).await? {
            let mut tx = self.store.begin().await?;
            clear(tx.as_mut(), &keys).await?;
            tx.commit().await?;
            return Ok(true);
        }
        self.record_failure(
            &keys,
            Failure::CurrentPassword { who: p.who(), account: p.account_id, user: p.user.id },
            meta,
        )
        .await?;
        Ok(false)
    }

    async fn record_failure(&self, keys: &Keys, failure: Failure, meta: &Meta) -> Result<()> {
        let t = now();
        let window_from = t - self.throttle.window;
        let mut tx = self.store.begin().await?;
        let mut rows = Vec::new();
        for key in &keys.keys {
            let row = tx.record_throttle_failure(&key.name, t, window_from).await?;
            rows.push((row, key.checked, Keys::limit(key.kind, &self.throttle)));
        }
        throttled(rows.iter().filter(|(_, checked, _)| *checked).map(|(r, _, _)| r), t)?;
        for (row, _, limit) in &rows {
            if let Some(delay) = limit.delay(row.failures) {
                tx.set_throttle_block(&row.key, t + delay).await?;
            }
        }
        tx.purge_throttle(window_from, t).await?;
        let (action, who, user_id, accounts) = match failure {
            // R-AUD-1: a known person's failure shows in the audit log of each account they
            // belong to; an unknown login's in the installation's (no account).
            Failure::SignIn(user_id) => {
                let accounts: Vec<Option<Uuid>> = match user_id {
                    Some(u) => tx.memberships_of_user(u).await?.into_iter().map(|(a, _)| Some(a.id)).collect(),
                    None => Vec::new(),
                };
                (roster_core::AuditAction::AuthSignInFailed, Who::anonymous(), user_id, accounts)
            }
            Failure::CurrentPassword { who, account, user } => {
                (roster_core::AuditAction::AuthCurrentPasswordFailed, who, Some(user), vec![account])
            }
        };
        let accounts = if accounts.is_empty() { vec![None] } else { accounts };
        for account_id in accounts {
            tx.insert_audit(&AuditRow {
                id: Uuid::now_v7(),
                account_id,
                actor_id: who.actor,
                impersonator_id: who.impersonator,
                action,
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

/// What failed, for the audit row.
enum Failure {
    SignIn(Option<Uuid>),
    CurrentPassword { who: Who, account: Option<Uuid>, user: Uuid },
}

/// A success forgets the login-and-address (or device) failures only: not the address's (else
/// an attacker with any valid login could reset their address's count between guesses), nor the
/// login's total (else the person's own sign-in would reset what guessers built up elsewhere).
/// In the caller's unit of work; `Throttled` (and the caller rolls back) when a concurrent
/// failure blocked a checked key meanwhile, so a burst of parallel guesses cannot slip past.
pub(crate) async fn clear(tx: &mut dyn Tx, keys: &Keys) -> Result<()> {
    let mut rows = Vec::new();
    for key in keys.keys.iter().filter(|k| k.checked) {
        if key.kind == Kind::Pair {
            rows.extend(tx.clear_throttle(&key.name).await?);
        } else {
            rows.extend(tx.throttle_row(&key.name).await?);
        }
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
        let a = Keys::sign_in(" Ada@Example.test ", Some("192.0.2.7"), None);
        let b = Keys::sign_in("ada@example.test", Some("192.0.2.7"), None);
        assert_eq!(a, b);
        let names: Vec<&str> = a.keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names.len(), 3);
        let login = login_key("ada@example.test");
        assert!(login.starts_with("login:") && !login.contains("ada"), "{login}");
        assert_eq!(login.len(), "login:".len() + 64);
        assert!(names.contains(&"ip:192.0.2.7"));
        assert!(names.contains(&login.as_str()));
        assert!(names.contains(&format!("{login}|ip:192.0.2.7").as_str()));
        assert!(a.keys.iter().all(|k| k.checked));
        assert_ne!(Keys::sign_in("ada", None, None), Keys::sign_in("bob", None, None));
        assert_eq!(Keys::sign_in("ada", None, None).keys.len(), 2, "no address, no address key");
    }

    #[test]
    fn r_auth_7_a_known_device_is_checked_against_its_own_failures_only() {
        let k = Keys::sign_in("ada@example.test", Some("192.0.2.7"), Some("d1"));
        let checked: Vec<&str> = k.checked().collect();
        assert_eq!(checked, vec![format!("{}|device:d1", login_key("ada@example.test")).as_str()]);
        assert_eq!(k.keys.len(), 3, "its failures still count against the login and the address");
        let p = Keys::current_password(Uuid::nil(), Some("192.0.2.7"));
        assert!(p.checked().any(|n| n.starts_with("user:") && n.ends_with("|ip:192.0.2.7")));
        assert_eq!(ThrottlePolicy::default().login_total.failures, 100);
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
