//! Email benchmark (issue 4): the cost of enqueueing an email inside a unit of work, and the
//! delivery throughput of one worker to a local SMTP sink. Prints figures; asserts nothing.
//!
//! `mail-bench BACKEND EMAILS SMTP_PORT` (BACKEND `sqlite` or `postgres`; the sink is a separate
//! `smtp-sink` process, see `bench/mail.sh`, which pins each to its own core).
#![allow(clippy::unwrap_used)]
use std::time::{Duration, Instant};

use roster_mail::{SmtpTarget, TemplateName};
use roster_service::{DeliveryOptions, Hasher, Mail, MailConfig, Sender, Service, SessionPolicy};
use roster_store::Backend;
use roster_testkit::db::fresh_db;

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let backend = match args.next().as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let emails: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(2525);

    let db = fresh_db(backend).await;
    let mut mail = MailConfig::local("https://roster.example.com").unwrap();
    mail.smtp = Some(SmtpTarget::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap());
    let service =
        Service::new(db.store.clone(), Hasher::for_tests().unwrap(), SessionPolicy::default()).with_mail(mail);

    // Enqueue: one unit of work per email, as a use case does; the enqueue (render + insert)
    // and the whole unit (begin + enqueue + commit) are timed apart.
    let ctx = TemplateName::PasswordReset.sample_context();
    let (mut enqueue, mut unit) = (Vec::with_capacity(emails), Vec::with_capacity(emails));
    for i in 0..emails {
        let to = format!("user{i}@example.test");
        let t0 = Instant::now();
        let mut tx = db.store.begin().await.unwrap();
        let t1 = Instant::now();
        let m = Mail {
            account: None,
            template: TemplateName::PasswordReset,
            to: &to,
            context: ctx.clone(),
            sender: Sender::Installation,
            bcc: None,
        };
        service.enqueue_email(tx.as_mut(), m).await.unwrap();
        let t2 = Instant::now();
        tx.commit().await.unwrap();
        enqueue.push(t2 - t1);
        unit.push(t0.elapsed());
    }
    enqueue.sort();
    unit.sort();

    // Delivery: one worker, rounds until the queue is empty.
    let worker = service.delivery_worker(DeliveryOptions::default()).unwrap();
    let start = Instant::now();
    let mut sent = 0;
    loop {
        let round = worker.round().await.unwrap();
        sent += round.sent;
        if round.claimed == 0 {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();

    println!("backend                      {backend:?}");
    println!("emails                       {emails}");
    println!(
        "enqueue in a unit (ms)       p50 {:.3}  p95 {:.3}  p99 {:.3}",
        pct(&enqueue, 0.5),
        pct(&enqueue, 0.95),
        pct(&enqueue, 0.99)
    );
    println!(
        "whole unit with commit (ms)  p50 {:.3}  p95 {:.3}  p99 {:.3}",
        pct(&unit, 0.5),
        pct(&unit, 0.95),
        pct(&unit, 0.99)
    );
    println!("delivered                    {sent} in {secs:.2} s = {:.0} emails/s", sent as f64 / secs);
}
