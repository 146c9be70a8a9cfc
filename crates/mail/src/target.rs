//! Which SMTP server to deliver through, parsed from `ROSTER_SMTP_URL`.

use std::fmt;

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// How to talk to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain text only, never TLS (a trusted local relay).
    None,
    /// Plain text first, then `STARTTLS`, which must succeed.
    Starttls,
    /// TLS from the first byte (implicit TLS, `smtps`, usually port 465).
    Tls,
    /// `STARTTLS` when the server offers it, plain text otherwise.
    Opportunistic,
}

impl Security {
    /// The name used in URLs and settings: `none`, `starttls`, `tls` or `opportunistic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::Starttls => "starttls",
            Security::Tls => "tls",
            Security::Opportunistic => "opportunistic",
        }
    }

    /// The inverse of [`Security::as_str`], ignoring ASCII case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        [Security::None, Security::Starttls, Security::Tls, Security::Opportunistic]
            .into_iter()
            .find(|security| security.as_str().eq_ignore_ascii_case(s))
    }
}

/// An SMTP server to deliver through. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    /// A host name or an IP address (IPv6 without brackets).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// Plain text, STARTTLS or implicit TLS.
    pub security: Security,
    /// The user to authenticate as; set together with `password`.
    pub username: Option<String>,
    /// The password; set together with `username`.
    pub password: Option<String>,
}

impl fmt::Debug for SmtpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

const ACCEPTED: &str = "expected smtp://[user[:password]@]host[:port][?tls=none|starttls|opportunistic] \
     (port 25 by default) or smtps://[user[:password]@]host[:port] (implicit TLS, port 465 by default)";

impl SmtpTarget {
    /// Parses `ROSTER_SMTP_URL`:
    /// - `smtp://[user[:pass]@]host[:port][?tls=none|starttls|opportunistic]`: port 25 and
    ///   [`Security::Opportunistic`] by default;
    /// - `smtps://[user[:pass]@]host[:port]`: implicit TLS, port 465 by default.
    ///
    /// The user and the password are percent-decoded. The error is one line saying what is
    /// wrong and showing the accepted forms; it never repeats the URL (it may hold a password).
    pub fn from_url(url: &str) -> Result<SmtpTarget, String> {
        let bad = |what: &str| format!("invalid SMTP URL: {what}; {ACCEPTED}");
        let parsed = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        let (mut security, default_port) = match parsed.scheme() {
            "smtp" => (Security::Opportunistic, 25),
            "smtps" => (Security::Tls, 465),
            other => return Err(bad(&format!("unknown scheme {other:?}"))),
        };
        let host = match parsed.host() {
            Some(Host::Domain(d)) if d.contains('%') => return Err(bad("the host must not be percent-encoded")),
            Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(bad("the host is missing")),
        };
        let port = parsed.port().unwrap_or(default_port);
        if port == 0 {
            return Err(bad("port 0 cannot be used"));
        }
        if !matches!(parsed.path(), "" | "/") || parsed.fragment().is_some() {
            return Err(bad("unexpected text after the host and port"));
        }
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), security) {
                ("tls", Security::Tls) => return Err(bad("smtps:// always uses TLS, it takes no ?tls=")),
                ("tls", _) => {
                    security = Security::parse(&value)
                        .filter(|s| *s != Security::Tls)
                        .ok_or_else(|| bad(&format!("unknown tls={value:?} (use smtps:// for implicit TLS)")))?;
                }
                (other, _) => return Err(bad(&format!("unknown parameter {other:?}"))),
            }
        }
        let decode = |field: &str, raw: &str| {
            percent_decode_str(raw)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| bad(&format!("the {field} is not UTF-8 once percent-decoded")))
        };
        let username = Some(parsed.username()).filter(|u| !u.is_empty()).map(|u| decode("user", u)).transpose()?;
        let password = parsed.password().map(|p| decode("password", p)).transpose()?;
        match (&username, &password) {
            (None, Some(_)) => return Err(bad("a password without a user")),
            (Some(_), None) => return Err(bad("a user without a password")),
            _ => {}
        }
        Ok(SmtpTarget { host, port, security, username, password })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> SmtpTarget {
        SmtpTarget::from_url(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn smtp_defaults_to_port_25_and_opportunistic_tls() {
        let t = target("smtp://mail.example.com");
        assert_eq!((t.host.as_str(), t.port, t.security), ("mail.example.com", 25, Security::Opportunistic));
        assert_eq!((t.username, t.password), (None, None));
        assert_eq!(target("smtp://127.0.0.1:2525/").port, 2525);
        assert_eq!(target("smtp://[::1]:25").host, "::1");
    }

    #[test]
    fn smtps_defaults_to_port_465_and_implicit_tls() {
        let t = target("smtps://mail.example.com");
        assert_eq!((t.port, t.security), (465, Security::Tls));
        assert_eq!(target("smtps://mail.example.com:2465").port, 2465);
    }

    #[test]
    fn the_tls_parameter_picks_the_security() {
        assert_eq!(target("smtp://h:587?tls=starttls").security, Security::Starttls);
        assert_eq!(target("smtp://h?tls=none").security, Security::None);
        assert_eq!(target("smtp://h?tls=opportunistic").security, Security::Opportunistic);
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let t = target("smtp://alice%40example.com:p%40ss%3Aw%2Frd%20%C3%A9@mail.example.com:587");
        assert_eq!(t.username.as_deref(), Some("alice@example.com"));
        assert_eq!(t.password.as_deref(), Some("p@ss:w/rd é"));
    }

    #[test]
    fn bad_urls_say_what_is_wrong_and_show_the_accepted_form() {
        for (url, what) in [
            ("http://mail.example.com", "unknown scheme \"http\""),
            ("smtp://", "host"),
            ("smtp://:25", "host"),
            ("mail.example.com", "relative URL"),
            ("smtp://h:99999", "port"),
            ("smtp://h?tls=tls", "smtps://"),
            ("smtp://h?tls=maybe", "unknown tls=\"maybe\""),
            ("smtps://h?tls=none", "takes no ?tls="),
            ("smtp://h?timeout=3", "unknown parameter \"timeout\""),
            ("smtp://h/path", "unexpected text"),
            ("smtp://alice@h", "without a password"),
            ("smtp://:secret@h", "without a user"),
        ] {
            let err = SmtpTarget::from_url(url).expect_err(url);
            assert!(err.contains(what), "{url}: {err}");
            assert!(err.contains("smtps://[user[:password]@]host[:port]"), "{url}: {err}");
            assert!(!err.contains('\n'));
        }
        let err = SmtpTarget::from_url("ftp://u:hunter2@h").expect_err("scheme");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn debug_hides_the_password() {
        let shown = format!("{:?}", target("smtp://alice:hunter2@h"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***") && shown.contains("alice"), "{shown}");
    }

    #[test]
    fn security_names_round_trip() {
        for s in [Security::None, Security::Starttls, Security::Tls, Security::Opportunistic] {
            assert_eq!(Security::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{}\"", s.as_str())));
        }
        assert_eq!(Security::parse(" STARTTLS "), Some(Security::Starttls));
        assert_eq!(Security::parse("ssl"), None);
    }
}
