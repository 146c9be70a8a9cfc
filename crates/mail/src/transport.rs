//! Delivering messages to one SMTP server through a pool of connections (lettre).

use std::error::Error as _;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::message::{Outgoing, build_message};
use crate::target::{Security, SmtpTarget};

/// The longest error or reply text kept, in characters.
const MAX_TEXT_CHARS: usize = 500;

/// Why a send failed. The text is one line, at most 500 characters, and starts with the SMTP
/// reply code when the server gave one (`421 4.3.0 try later`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: connection refused or timed out, TLS failure, a 4xx reply.
    #[error("{0}")]
    Transient(String),
    /// Will never work: a 5xx reply, an address lettre refuses, a message that cannot be built.
    #[error("{0}")]
    Permanent(String),
}

/// A connection pool to one SMTP server. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: Arc<Settings>,
}

/// What [`Mailer::check`] needs to open its own connection.
struct Settings {
    target: SmtpTarget,
    /// Where to connect: the host name, or the address it was checked to have ([`Mailer::pinned`]).
    connect: String,
    timeout: Duration,
    hello: ClientId,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
}

impl Settings {
    /// `host:port`, with an IPv6 address in brackets.
    fn authority(&self) -> String {
        let (host, port) = (&self.target.host, self.target.port);
        if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("target", &self.settings.target).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport without connecting. `timeout` applies to the connection and to
    /// each SMTP command. Must be called inside a Tokio runtime (the pool starts a cleanup
    /// task); the error says so otherwise, or says why the target cannot be used (no host, a
    /// user without a password, a host name TLS cannot verify).
    pub fn new(target: &SmtpTarget, timeout: Duration) -> Result<Mailer, String> {
        Self::build(target, None, timeout)
    }

    /// A mailer that connects to `ip` (the address [`resolve_public`](crate::resolve_public)
    /// checked) instead of resolving the host name again, while TLS still verifies the
    /// certificate against the host name (R-MAIL-7: no DNS rebinding between check and connect).
    pub fn pinned(target: &SmtpTarget, ip: IpAddr, timeout: Duration) -> Result<Mailer, String> {
        Self::build(target, Some(ip), timeout)
    }

    fn build(target: &SmtpTarget, ip: Option<IpAddr>, timeout: Duration) -> Result<Mailer, String> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err("the mailer must be created inside a Tokio runtime".to_owned());
        }
        let host = target.host.trim();
        if host.is_empty() {
            return Err("the SMTP host is empty".to_owned());
        }
        let credentials = match (&target.username, &target.password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.clone())),
            (None, None) => None,
            (Some(_), None) => return Err("an SMTP user without a password".to_owned()),
            (None, Some(_)) => return Err("an SMTP password without a user".to_owned()),
        };
        let tls = match target.security {
            Security::None => None,
            _ => Some(
                TlsParameters::new(host.to_owned()).map_err(|e| format!("cannot use TLS with host {host:?}: {e}"))?,
            ),
        };
        let lettre_tls = match (target.security, tls.clone()) {
            (Security::Tls, Some(p)) => Tls::Wrapper(p),
            (Security::Starttls, Some(p)) => Tls::Required(p),
            (Security::Opportunistic, Some(p)) => Tls::Opportunistic(p),
            _ => Tls::None,
        };
        let hello = ClientId::default();
        let connect = ip.map_or_else(|| host.to_owned(), |ip| ip.to_string());
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(connect.as_str())
            .port(target.port)
            .timeout(Some(timeout))
            .hello_name(hello.clone())
            .tls(lettre_tls);
        if let Some(credentials) = &credentials {
            builder = builder.credentials(credentials.clone());
        }
        let target = SmtpTarget { host: host.to_owned(), ..target.clone() };
        let settings = Arc::new(Settings { target, connect, timeout, hello, tls, credentials });
        Ok(Mailer { transport: builder.build(), settings })
    }

    /// Sends one message (built by [`build_message`]). Ok is the server's reply to the data,
    /// code and text on one line (`250 2.0.0 OK queued as 123`).
    /// The whole send is bounded by three times the mailer's timeout.
    pub async fn send(&self, msg: &Outgoing<'_>) -> Result<String, SendError> {
        let message = build_message(msg)?;
        let sending = self.transport.send(message);
        let response = match tokio::time::timeout(self.settings.timeout.saturating_mul(3), sending).await {
            Ok(sent) => sent.map_err(|e| self.classify(&e))?,
            Err(_) => return Err(self.timed_out()),
        };
        Ok(response_text(&response))
    }

    fn timed_out(&self) -> SendError {
        SendError::Transient(format!("{}: timed out", self.settings.authority()))
    }

    /// Opens a new connection (outside the pool), says EHLO, upgrades to TLS as configured,
    /// authenticates when credentials are set, and quits. Ok describes what happened on one
    /// line; the error is the server's or the network's, classified as for [`Mailer::send`].
    ///
    /// Bounded by the mailer's timeout as a whole: a port that accepts and stays silent answers
    /// "timed out" after that long.
    pub async fn check(&self) -> Result<String, SendError> {
        match tokio::time::timeout(self.settings.timeout, self.check_session()).await {
            Ok(answer) => answer,
            Err(_) => Err(self.timed_out()),
        }
    }

    async fn check_session(&self) -> Result<String, SendError> {
        let s = &*self.settings;
        let wrapper = if s.target.security == Security::Tls { s.tls.clone() } else { None };
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (s.connect.as_str(), s.target.port),
            Some(s.timeout),
            &s.hello,
            wrapper,
            None,
        )
        .await
        .map_err(|e| self.classify(&e))?;
        let result = self.handshake(&mut conn).await.map_err(|e| self.classify(&e));
        if result.is_err() {
            conn.abort().await;
        }
        result
    }

    async fn handshake(&self, conn: &mut AsyncSmtpConnection) -> Result<String, SmtpError> {
        let s = &*self.settings;
        let how = match (s.target.security, s.tls.clone()) {
            (Security::Tls, _) => "over TLS",
            (Security::Starttls, Some(p)) => {
                conn.starttls(p, &s.hello).await?;
                "with STARTTLS"
            }
            (Security::Opportunistic, Some(p)) if conn.can_starttls() => {
                conn.starttls(p, &s.hello).await?;
                "with STARTTLS"
            }
            (Security::Opportunistic, _) => "in plain text (the server offers no STARTTLS)",
            _ => "in plain text",
        };
        let auth = match (&s.credentials, &s.target.username) {
            (Some(credentials), Some(user)) => {
                conn.auth(DEFAULT_MECHANISMS, credentials).await?;
                format!(", authenticated as {user:?}")
            }
            _ => String::new(),
        };
        let name: String = conn.server_info().name().chars().take(100).collect();
        conn.quit().await?;
        Ok(one_line(&format!("connected to {} {how}{auth}, server said: 250 {name}", s.authority())))
    }

    /// Permanent for a 5xx reply, Transient for everything else. The text is a category
    /// (R-MAIL-7): the server's SMTP reply when it gave one ("connected, server said: 550 …"),
    /// else "connection refused", "timed out", "TLS failed", "not an SMTP server" or
    /// "connection failed" after the configured host and port; never other bytes of the peer.
    fn classify(&self, err: &SmtpError) -> SendError {
        let text = match err.status() {
            Some(code) => {
                let said = err.source().map(ToString::to_string).unwrap_or_default();
                format!("connected, server said: {code} {}", said.chars().take(300).collect::<String>())
            }
            None => format!("{}: {}", self.settings.authority(), category(err)),
        };
        let text = one_line(&text);
        if err.is_permanent() { SendError::Permanent(text) } else { SendError::Transient(text) }
    }
}

/// What went wrong, as a category that repeats nothing the peer sent.
fn category(err: &SmtpError) -> &'static str {
    let mut io_kind = None;
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        source = cause.source();
    }
    match io_kind {
        _ if err.is_timeout() => "timed out",
        Some(std::io::ErrorKind::TimedOut) => "timed out",
        Some(std::io::ErrorKind::ConnectionRefused) => "connection refused",
        // rustls reports a handshake with something that does not speak TLS as invalid data.
        Some(std::io::ErrorKind::InvalidData) => "TLS failed",
        _ if err.is_tls() => "TLS failed",
        _ if err.is_response() => "not an SMTP server",
        Some(_) => "connection failed",
        None if err.is_client() => "the message could not be sent",
        None => "not an SMTP server",
    }
}

/// A reply as one line: the code, then every line of text.
fn response_text(response: &Response) -> String {
    one_line(&format!("{} {}", response.code(), response.message().collect::<Vec<_>>().join(" ")))
}

/// Control characters become spaces, runs of spaces one space, and the text is cut at
/// [`MAX_TEXT_CHARS`] characters (ending with `…`).
fn one_line(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let joined = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_TEXT_CHARS - 1) {
        Some((cut, _)) if joined.chars().count() > MAX_TEXT_CHARS => format!("{}…", &joined[..cut]),
        _ => joined,
    }
}

#[cfg(test)]
#[path = "transport_tests.rs"]
mod tests;
