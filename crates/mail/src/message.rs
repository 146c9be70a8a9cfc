//! Building the MIME message for one email: headers, `multipart/alternative` body.

use std::fmt;

use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::transport::SendError;

/// One message to send (all strings already rendered). `Debug` shows the bodies' sizes only
/// (they may hold a password or a sign-in link).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Outgoing<'a> {
    /// The sender: `addr@x` or `Display Name <addr@x>`; build it with [`mailbox`] when the name
    /// and the address come separately.
    pub from: &'a str,
    /// The one recipient, in the same forms as `from`.
    pub to: &'a str,
    /// Where replies go, when not to `from`.
    pub reply_to: Option<&'a str>,
    /// A blind copy: in the envelope, never in the headers.
    pub bcc: Option<&'a str>,
    /// The subject, one line.
    pub subject: &'a str,
    /// The `text/plain` part.
    pub text: &'a str,
    /// The `text/html` part.
    pub html: &'a str,
    /// The `Message-ID` header, sent verbatim (`<unique@host>`); the same on every retry so that
    /// receivers can drop duplicates.
    pub message_id: &'a str,
}

impl fmt::Debug for Outgoing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("reply_to", &self.reply_to)
            .field("bcc", &self.bcc)
            .field("subject", &self.subject)
            .field("text_bytes", &self.text.len())
            .field("html_bytes", &self.html.len())
            .field("message_id", &self.message_id)
            .finish()
    }
}

/// The `Auto-Submitted: auto-generated` header (RFC 3834): these are transactional emails, so
/// auto-responders should not answer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim().eq_ignore_ascii_case("auto-generated") {
            Ok(AutoSubmitted)
        } else {
            Err(format!("unsupported Auto-Submitted value {s:?}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The string form of a mailbox, usable in [`Outgoing::from`] and the other address fields:
/// the name is quoted when it needs to be (commas, quotes…) and encoded when the message is
/// built (non-ASCII). An empty or absent name gives the bare address. Runs of spaces and
/// control characters in the name become one space.
pub fn mailbox(name: Option<&str>, addr: &str) -> Result<String, String> {
    let address = addr.trim().parse().map_err(|e| format!("invalid email address {addr:?}: {e}"))?;
    let name = name
        .map(|n| n.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>())
        .map(|words| words.join(" "))
        .filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address).to_string())
}

/// `mailbox` with its address replaced by `addr`, keeping the display name: mail queued before
/// an account set (or removed) its own server is sent from the address of the server that
/// actually delivers it, so SPF and DMARC still pass.
pub fn with_address(mailbox: &str, addr: &str) -> Result<String, String> {
    let parsed: Mailbox = mailbox.parse().map_err(|e| format!("invalid mailbox {mailbox:?}: {e}"))?;
    let address = addr.trim().parse().map_err(|e| format!("invalid email address {addr:?}: {e}"))?;
    Ok(Mailbox::new(parsed.name, address).to_string())
}

/// Parses one mailbox (lettre's parser refuses a list or trailing text).
fn parse_mailbox(field: &str, value: &str) -> Result<Mailbox, SendError> {
    value.parse().map_err(|e| SendError::Permanent(format!("invalid {field} address {value:?}: {e}")))
}

/// Whether `id` looks like `<left@right>`: printable ASCII, no space, in angle brackets.
fn valid_message_id(id: &str) -> bool {
    let inner = id.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
    inner.is_some_and(|s| s.contains('@') && s.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>'))
}

/// Builds the message `send` delivers: From, To, Reply-To, Bcc (envelope only), Subject,
/// Message-ID, Date, `Auto-Submitted`, and a `multipart/alternative` body with the text part
/// first and the HTML part second (both UTF-8). A bad address or Message-ID is
/// [`SendError::Permanent`].
pub fn build_message(msg: &Outgoing<'_>) -> Result<Message, SendError> {
    if !valid_message_id(msg.message_id) {
        return Err(SendError::Permanent(format!("invalid Message-ID {:?}", msg.message_id)));
    }
    let mut builder = Message::builder()
        .from(parse_mailbox("From", msg.from)?)
        .to(parse_mailbox("To", msg.to)?)
        .subject(msg.subject)
        .message_id(Some(msg.message_id.to_owned()))
        .date_now()
        .header(AutoSubmitted);
    if let Some(reply_to) = msg.reply_to {
        builder = builder.reply_to(parse_mailbox("Reply-To", reply_to)?);
    }
    if let Some(bcc) = msg.bcc {
        builder = builder.bcc(parse_mailbox("Bcc", bcc)?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(msg.text.to_owned(), msg.html.to_owned()))
        .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing() -> Outgoing<'static> {
        Outgoing {
            from: "\"Zoë Ålander\" <noreply@roster.example.com>",
            to: "Bob <bob@example.com>",
            reply_to: Some("support@example.com"),
            bcc: Some("audit@example.com"),
            subject: "Réinitialisez votre mot de passe",
            text: "Bonjour, cliquez ici.",
            html: "<p>Bonjour, <a href=\"https://x\">cliquez ici</a>.</p>",
            message_id: "<0190abcd-ef01@roster.example.com>",
        }
    }

    fn formatted(msg: &Outgoing<'_>) -> String {
        let message = build_message(msg).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(message.formatted()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_message_has_every_header_and_both_parts() {
        let text = formatted(&outgoing());
        let (headers, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no body: {text}"));
        assert!(headers.contains("Message-ID: <0190abcd-ef01@roster.example.com>\r\n"), "{headers}");
        assert!(headers.contains("Reply-To: support@example.com\r\n"), "{headers}");
        assert!(headers.contains("To: Bob <bob@example.com>\r\n"), "{headers}");
        assert!(headers.contains("Auto-Submitted: auto-generated\r\n"), "{headers}");
        assert!(headers.contains("\r\nDate: "), "{headers}");
        assert!(headers.contains("Content-Type: multipart/alternative;"), "{headers}");
        assert!(!text.to_ascii_lowercase().contains("\nbcc:"), "{text}");
        let plain = body.find("Content-Type: text/plain; charset=utf-8").unwrap_or_else(|| panic!("{body}"));
        let html = body.find("Content-Type: text/html; charset=utf-8").unwrap_or_else(|| panic!("{body}"));
        assert!(plain < html, "the text part comes first");
    }

    #[test]
    fn bcc_is_in_the_envelope_only() {
        let message = build_message(&outgoing()).unwrap_or_else(|e| panic!("{e}"));
        let to: Vec<String> = message.envelope().to().iter().map(ToString::to_string).collect();
        assert_eq!(to, ["bob@example.com", "audit@example.com"]);
        assert_eq!(message.envelope().from().map(ToString::to_string).as_deref(), Some("noreply@roster.example.com"));
    }

    #[test]
    fn non_ascii_names_and_subjects_are_encoded() {
        let text = formatted(&outgoing());
        let (headers, _) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no body: {text}"));
        assert!(headers.is_ascii(), "{headers}");
        assert!(headers.contains("Subject: =?utf-8?"), "{headers}");
        assert!(headers.contains("From: =?utf-8?"), "{headers}");
    }

    #[test]
    fn mailbox_quotes_names_and_round_trips() {
        let from = mailbox(Some("Doe, \"JD\" John"), "jd@example.com").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from, r#""Doe, \"JD\" John" <jd@example.com>"#);
        let parsed: Mailbox = from.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.name.as_deref(), Some("Doe, \"JD\" John"));
        let accented = mailbox(Some("Zoë\r\nÅlander"), "z@example.com").unwrap_or_else(|e| panic!("{e}"));
        let parsed: Mailbox = accented.parse().unwrap_or_else(|e| panic!("{accented}: {e}"));
        assert_eq!(parsed.name.as_deref(), Some("Zoë Ålander"));
        assert_eq!(mailbox(None, " a@example.com ").as_deref(), Ok("a@example.com"));
        assert_eq!(mailbox(Some("  "), "a@example.com").as_deref(), Ok("a@example.com"));
        assert!(mailbox(Some("A"), "not an address").is_err());
        let msg = Outgoing { from: &from, ..outgoing() };
        let text = formatted(&msg);
        // lettre sends such a name as an encoded word: base64 of `Doe, "JD" John`.
        assert!(text.contains("From: =?utf-8?b?RG9lLCAiSkQiIEpvaG4=?= <jd@example.com>\r\n"), "{text}");
    }

    #[test]
    fn bad_addresses_and_message_ids_are_permanent() {
        for msg in [
            Outgoing { to: "not an address", ..outgoing() },
            Outgoing { to: "a@example.com, b@example.com", ..outgoing() },
            Outgoing { from: "", ..outgoing() },
            Outgoing { bcc: Some("x"), ..outgoing() },
            Outgoing { message_id: "no-brackets@x", ..outgoing() },
            Outgoing { message_id: "<a b@x>", ..outgoing() },
            Outgoing { message_id: "<1@x>\r\nBcc: evil@x", ..outgoing() },
        ] {
            assert!(matches!(build_message(&msg), Err(SendError::Permanent(_))), "{msg:?}");
            assert!(!format!("{msg:?}").contains("cliquez"), "Debug hides the bodies");
        }
    }
}
