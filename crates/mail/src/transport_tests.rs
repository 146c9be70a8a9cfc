//! Tests of [`Mailer`] against a tiny SMTP responder on 127.0.0.1 (no network needed).

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;

/// Listens on a free port and answers every session: 220, then 250 to each command, 235 to
/// AUTH, 354 to DATA and 250 after the data; `overrides` replace the reply to a command (by its
/// first word, `"."` for the end of the data). Returns the port.
async fn responder(overrides: &'static [(&'static str, &'static str)]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 responder ESMTP\r\n").await.expect("greeting");
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data && line != "." {
                        continue;
                    }
                    let command = if in_data {
                        ".".to_owned()
                    } else {
                        line.split(' ').next().unwrap_or_default().to_ascii_uppercase()
                    };
                    let reply = match overrides.iter().find(|(c, _)| *c == command) {
                        Some((_, reply)) => reply,
                        None => match command.as_str() {
                            "EHLO" => "250-responder\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN",
                            "AUTH" => "235 2.7.0 accepted",
                            "DATA" => "354 go ahead",
                            "." => "250 2.0.0 OK queued as 123",
                            "QUIT" => "221 2.0.0 bye",
                            _ => "250 2.1.0 ok",
                        },
                    };
                    in_data = reply.starts_with("354");
                    write.write_all(format!("{reply}\r\n").as_bytes()).await.expect("reply");
                }
            });
        }
    });
    port
}

fn local(port: u16, credentials: bool) -> SmtpTarget {
    let (username, password) =
        if credentials { (Some("alice".to_owned()), Some("s3cret".to_owned())) } else { (None, None) };
    SmtpTarget { host: "127.0.0.1".to_owned(), port, security: Security::None, username, password }
}

async fn send_to(port: u16) -> Result<String, SendError> {
    let mailer = Mailer::new(&local(port, false), Duration::from_secs(5)).expect("mailer");
    let msg = Outgoing {
        from: "Roster <noreply@roster.example.com>",
        to: "bob@example.com",
        reply_to: None,
        bcc: Some("audit@example.com"),
        subject: "Hello",
        text: "Hi",
        html: "<p>Hi</p>",
        message_id: "<1@roster.example.com>",
    };
    mailer.send(&msg).await
}

#[tokio::test]
async fn a_250_returns_the_reply_text() {
    assert_eq!(send_to(responder(&[]).await).await, Ok("250 2.0.0 OK queued as 123".to_owned()));
}

#[tokio::test]
async fn a_4xx_reply_is_transient() {
    let port = responder(&[(".", "421-4.3.0 busy\r\n421 4.3.0 try later")]).await;
    assert_eq!(
        send_to(port).await,
        Err(SendError::Transient("connected, server said: 421 4.3.0 busy try later".to_owned()))
    );
}

#[tokio::test]
async fn a_5xx_reply_is_permanent() {
    let port = responder(&[("RCPT", "550 5.1.1 no such user")]).await;
    assert_eq!(
        send_to(port).await,
        Err(SendError::Permanent("connected, server said: 550 5.1.1 no such user".to_owned()))
    );
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_names_the_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    match send_to(port).await {
        Err(SendError::Transient(text)) => assert_eq!(text, format!("127.0.0.1:{port}: connection refused")),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_tls_failure_is_transient() {
    let target = SmtpTarget { security: Security::Tls, ..local(responder(&[]).await, false) };
    let mailer = Mailer::new(&target, Duration::from_secs(5)).expect("mailer");
    match mailer.check().await {
        Err(SendError::Transient(text)) => {
            assert!(text.starts_with("127.0.0.1:") && text.ends_with("TLS failed"), "{text}");
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
}

#[tokio::test]
async fn check_connects_authenticates_and_quits() {
    let mailer = Mailer::new(&local(responder(&[]).await, true), Duration::from_secs(5)).expect("mailer");
    let said = mailer.check().await.expect("check");
    assert!(said.starts_with("connected to 127.0.0.1:") && said.contains("authenticated as \"alice\""), "{said}");
    let refused = responder(&[("AUTH", "535 5.7.8 authentication failed")]).await;
    let mailer = Mailer::new(&local(refused, true), Duration::from_secs(5)).expect("mailer");
    assert_eq!(
        mailer.check().await,
        Err(SendError::Permanent("connected, server said: 535 5.7.8 authentication failed".to_owned()))
    );
}

/// A listener that writes `banner` to each connection (or nothing), then keeps it open.
async fn listener_saying(banner: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                if !banner.is_empty() {
                    let _ = stream.write_all(banner).await;
                }
                tokio::time::sleep(Duration::from_secs(60)).await;
                drop(stream);
            });
        }
    });
    port
}

#[tokio::test]
async fn r_mail_7_a_peer_that_is_not_smtp_is_named_by_category_only() {
    let port = listener_saying(b"SSH-2.0-OpenSSH_9.2\r\n").await;
    let mailer = Mailer::new(&local(port, false), Duration::from_secs(5)).expect("mailer");
    match mailer.check().await {
        Err(SendError::Transient(text)) => {
            assert_eq!(text, format!("127.0.0.1:{port}: not an SMTP server"));
        }
        other => panic!("expected a transient error, got {other:?}"),
    }
    let sent = send_to(port).await;
    assert!(sent.as_ref().is_err_and(|e| !e.to_string().contains("SSH")), "{sent:?}");
}

#[tokio::test]
async fn r_mail_7_a_silent_port_times_out_within_the_timeout() {
    let port = listener_saying(b"").await;
    let mailer = Mailer::new(&local(port, false), Duration::from_millis(500)).expect("mailer");
    let started = std::time::Instant::now();
    let answer = mailer.check().await;
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(answer, Err(SendError::Transient(format!("127.0.0.1:{port}: timed out"))));
}

#[tokio::test]
async fn r_mail_7_a_pinned_mailer_connects_to_the_checked_address() {
    let port = responder(&[]).await;
    let target = SmtpTarget { host: "mail.invalid".to_owned(), ..local(port, false) };
    let ip: std::net::IpAddr = "127.0.0.1".parse().expect("ip");
    let mailer = Mailer::pinned(&target, ip, Duration::from_secs(5)).expect("mailer");
    let said = mailer.check().await.expect("check");
    assert!(said.starts_with(&format!("connected to mail.invalid:{port}")), "{said}");
}

#[test]
fn new_needs_a_runtime_and_complete_credentials() {
    assert!(Mailer::new(&local(25, false), Duration::from_secs(1)).is_err_and(|e| e.contains("Tokio")));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let _guard = runtime.enter();
    let half = SmtpTarget { password: None, ..local(25, true) };
    assert!(Mailer::new(&half, Duration::from_secs(1)).is_err_and(|e| e.contains("without a password")));
    let tls = SmtpTarget { security: Security::Starttls, host: "mail.example.com".to_owned(), ..local(587, true) };
    let shown = format!("{:?}", Mailer::new(&tls, Duration::from_secs(1)).expect("mailer"));
    assert!(shown.contains("mail.example.com") && !shown.contains("s3cret"), "{shown}");
}

#[test]
fn one_line_flattens_and_cuts() {
    assert_eq!(one_line("421 a\r\n  b\tc "), "421 a b c");
    let long = one_line(&"é".repeat(600));
    assert_eq!(long.chars().count(), MAX_TEXT_CHARS);
    assert!(long.ends_with('…'));
}
