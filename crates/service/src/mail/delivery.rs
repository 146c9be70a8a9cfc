//! The delivery worker (R-MAIL-1, R-MAIL-2): claims due emails with a lease, sends each through
//! the account's own server or the installation's, and records the outcome. Runs inside
//! `roster serve`; several replicas on one PostgreSQL never send a row twice while its lease
//! holds (`FOR UPDATE SKIP LOCKED`), and a replica that dies mid-send leaves its rows to the
//! others once the lease passes (at least once, same `Message-ID` every attempt).
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::net::IpAddr;

use roster_mail::{Mailer, Outgoing, SendError};
use roster_store::EmailRow;
use time::OffsetDateTime;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::actor::Internal;
use crate::{Result, Service, ServiceError, now};

/// Waits after failed attempts 1 to 5; the 6th failure is final (about 1 min, 5 min, 30 min,
/// 2 h, 12 h).
pub const BACKOFF: [Duration; 5] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(12 * 3600),
];

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    /// Emails sent at once (and claimed per round).
    pub concurrency: usize,
    /// How long a claim holds: [`DeliveryOptions::send_deadline`] plus room to record the
    /// outcome. A replica killed mid-send leaves its claimed emails to the others after this.
    pub lease: Duration,
    /// The most one send may take, every SMTP command included; a slower one is a transient
    /// failure (retried later), so no send outlives its lease.
    pub send_deadline: Duration,
    /// How often to look for due mail when nothing wakes the worker.
    pub idle_poll: Duration,
    /// Per SMTP command.
    pub smtp_timeout: Duration,
    /// Waits after failed attempts 1 to 5 ([`BACKOFF`]; tests shorten them).
    pub backoff: [Duration; 5],
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            concurrency: 16,
            lease: Duration::from_secs(90),
            send_deadline: Duration::from_secs(60),
            idle_poll: Duration::from_secs(2),
            smtp_timeout: Duration::from_secs(30),
            backoff: BACKOFF,
        }
    }
}

/// When to try again after `attempts` failed attempts (counting this one), with ±10 % jitter so
/// a burst of failures does not come back all at once; `None` when it is time to give up.
pub fn next_attempt(backoff: &[Duration; 5], attempts: i32, at: OffsetDateTime) -> Option<OffsetDateTime> {
    let base = backoff.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    let mut r = [0u8; 2];
    let jitter = if getrandom::fill(&mut r).is_ok() { f64::from(u16::from_le_bytes(r)) / 65535.0 } else { 0.5 };
    let factor = 0.9 + 0.2 * jitter;
    Some(at + base.mul_f64(factor))
}

/// Outcome counts of one round, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// An account's mailer: built for the settings of that `updated_at`, connecting to that
/// checked address (none when private servers are allowed).
type CachedMailer = (OffsetDateTime, Option<IpAddr>, Mailer);

/// One worker. Cheap to clone; clones share their connection pools.
#[derive(Clone)]
pub struct DeliveryWorker {
    service: Service,
    opts: DeliveryOptions,
    installation: Option<Mailer>,
    /// Account servers by account, rebuilt when the settings or the checked address change.
    accounts: Arc<Mutex<HashMap<Uuid, CachedMailer>>>,
}

impl Service {
    /// A delivery worker for this installation. Must be called inside a Tokio runtime.
    pub fn delivery_worker(&self, opts: DeliveryOptions) -> Result<DeliveryWorker> {
        let installation = match &self.mail.config.smtp {
            Some(t) => Some(Mailer::new(t, opts.smtp_timeout).map_err(ServiceError::Internal)?),
            None => None,
        };
        Ok(DeliveryWorker { service: self.clone(), opts, installation, accounts: Arc::default() })
    }
}

impl DeliveryWorker {
    /// Delivers until `shutdown` resolves; a send in progress is finished first. The worker acts
    /// as the installation ([`Internal::DeliveryJob`]): it claims every account's due email.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let busy = match self.round().await {
                Ok(r) => r.claimed == self.opts.concurrency,
                Err(e) => {
                    tracing::warn!(error = %e, identity = Internal::DeliveryJob.as_str(), "email delivery round failed");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = self.service.mail.wakeup.notified() => {}
                () = tokio::time::sleep(self.opts.idle_poll) => {}
            }
        }
    }

    /// Claims up to `concurrency` due emails and sends them at once.
    pub async fn round(&self) -> Result<Round> {
        let t = now();
        let lease_until = t + self.opts.lease;
        let rows = {
            let mut tx = self.service.store.begin().await?;
            let n = i64::try_from(self.opts.concurrency).unwrap_or(16);
            let rows = tx.claim_due_emails(t, lease_until, n, self.installation.is_some()).await?;
            tx.commit().await?;
            rows
        };
        let mut round = Round { claimed: rows.len(), ..Round::default() };
        let mut tasks = JoinSet::new();
        for row in rows {
            let me = self.clone();
            tasks.spawn(async move { me.deliver(row, lease_until).await });
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(Outcome::Sent)) => round.sent += 1,
                Ok(Ok(Outcome::Retrying)) => round.retrying += 1,
                Ok(Ok(Outcome::Failed)) => round.failed += 1,
                Ok(Err(e)) => tracing::warn!(error = %e, "recording a delivery failed"),
                Err(e) => tracing::error!(error = %e, "a delivery task panicked"),
            }
        }
        Ok(round)
    }

    async fn deliver(&self, row: EmailRow, lease_until: OffsetDateTime) -> Result<Outcome> {
        let sent = match (self.mailer_for(&row).await, self.revealed(&row)) {
            (_, Err(e)) => Err(e),
            (Ok(Some((mailer, addr))), Ok((subject, text, html))) => {
                // The address of the server that delivers it, whatever it was when queued.
                let from = roster_mail::with_address(&row.from_addr, &addr).unwrap_or_else(|_| row.from_addr.clone());
                let message = Outgoing { from: &from, subject: &subject, text: &text, html: &html, ..outgoing(&row) };
                match tokio::time::timeout(self.opts.send_deadline, mailer.send(&message)).await {
                    Ok(sent) => sent,
                    Err(_) => Err(SendError::Transient(format!(
                        "the send took longer than {} s",
                        self.opts.send_deadline.as_secs()
                    ))),
                }
            }
            (Ok(None), _) => Err(SendError::Transient("no outgoing server is set".to_owned())),
            (Err(e), _) => Err(SendError::Transient(e.to_string())),
        };
        let at = now();
        let mut tx = self.service.store.begin().await?;
        let (recorded, outcome) = match &sent {
            Ok(_) => (tx.mark_email_sent(row.id, lease_until, at).await?, Outcome::Sent),
            Err(e) => {
                let next = match e {
                    SendError::Permanent(_) => None,
                    SendError::Transient(_) => next_attempt(&self.opts.backoff, row.attempts + 1, at),
                };
                let outcome = if next.is_some() { Outcome::Retrying } else { Outcome::Failed };
                (tx.mark_email_attempt_failed(row.id, lease_until, &e.to_string(), next).await?, outcome)
            }
        };
        tx.commit().await?;
        match (&sent, recorded) {
            (_, false) => {
                tracing::warn!(email = %row.id, "lease passed to another worker before the outcome was recorded")
            }
            (Ok(reply), true) => tracing::info!(email = %row.id, to = %row.to_addr, reply = %reply, "email sent"),
            (Err(e), true) => tracing::warn!(email = %row.id, to = %row.to_addr, error = %e, "email not sent"),
        }
        Ok(outcome)
    }

    /// Subject, text and HTML as sent: the sealed secrets (R-MAIL-6) put back in place of their
    /// placeholders, just before sending; they are never written anywhere else.
    fn revealed(&self, row: &EmailRow) -> std::result::Result<(String, String, String), SendError> {
        let Some(sealed) = &row.secret_sealed else {
            return Ok((row.subject.clone(), row.text_body.clone(), row.html_body.clone()));
        };
        let secrets = self.service.open_secrets(row.id, sealed).map_err(|e| {
            SendError::Permanent(format!("{e} (was the installation's secret key changed since it was queued?)"))
        })?;
        Ok((
            roster_mail::reveal(&row.subject, false, &secrets),
            roster_mail::reveal(&row.text_body, false, &secrets),
            roster_mail::reveal(&row.html_body, true, &secrets),
        ))
    }

    /// The account's own server and address when it has one and the email may use it, else the
    /// installation's. Installation-only mail (R-MAIL-6) never goes through an account's server.
    /// An account's server is checked again here (R-MAIL-7): its port, and the addresses its
    /// name resolves to now; the connection goes to the address checked.
    async fn mailer_for(&self, row: &EmailRow) -> Result<Option<(Mailer, String)>> {
        let installation = || {
            let addr = self.service.mail.config.sender_parts().1.to_owned();
            self.installation.clone().map(|m| (m, addr))
        };
        let Some(account_id) = row.account_id.filter(|_| !row.installation_only) else { return Ok(installation()) };
        let settings = self.service.store.read().await?.smtp_settings(account_id).await?;
        let Some(settings) = settings else {
            self.cache().remove(&account_id);
            return Ok(installation());
        };
        let target = self.service.smtp_target(&settings)?;
        let policy = self.service.mail.config.policy;
        let refused = |e: roster_mail::EgressError| ServiceError::Internal(format!("{}: refused: {e}", target.host));
        roster_mail::check_port(target.port, policy.allow_private_smtp).map_err(refused)?;
        let pinned = if policy.allow_private_smtp {
            None
        } else {
            Some(roster_mail::resolve_public(&target.host, target.port, false).await.map_err(refused)?)
        };
        if let Some((at, ip, m)) = self.cache().get(&account_id)
            && *at == settings.updated_at
            && *ip == pinned
        {
            return Ok(Some((m.clone(), settings.from_addr)));
        }
        let timeout = self.opts.smtp_timeout.min(policy.smtp_timeout);
        let mailer = match pinned {
            Some(ip) => Mailer::pinned(&target, ip, timeout),
            None => Mailer::new(&target, timeout),
        }
        .map_err(ServiceError::Internal)?;
        self.cache().insert(account_id, (settings.updated_at, pinned, mailer.clone()));
        Ok(Some((mailer, settings.from_addr)))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CachedMailer>> {
        self.accounts.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}

fn outgoing(row: &EmailRow) -> Outgoing<'_> {
    Outgoing {
        from: &row.from_addr,
        to: &row.to_addr,
        reply_to: row.reply_to.as_deref(),
        bcc: row.bcc.as_deref(),
        subject: &row.subject,
        text: &row.text_body,
        html: &row.html_body,
        message_id: &row.message_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_gives_up_after_six_attempts() {
        let t = now();
        let mut last = Duration::ZERO;
        for (attempt, base) in (1..=5).zip(BACKOFF) {
            let next = next_attempt(&BACKOFF, attempt, t).expect("retry");
            let wait: Duration = (next - t).try_into().expect("positive");
            assert!(wait >= base.mul_f64(0.89) && wait <= base.mul_f64(1.11), "attempt {attempt}: {wait:?}");
            assert!(wait > last);
            last = wait;
        }
        assert_eq!(next_attempt(&BACKOFF, 6, t), None);
        assert_eq!(next_attempt(&BACKOFF, 0, t), None);
    }
}
