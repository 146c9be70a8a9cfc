//! Secrets in emails (R-MAIL-6): a reset, set-password or invitation link reaches its recipient
//! only. The outbox keeps the email rendered with a placeholder (`[link hidden]`) where the
//! secret goes, and the secret itself sealed beside it; the delivery worker puts it back into
//! the message just before sending. So every view of the outbox, any Bcc copy and any log shows
//! the placeholder, never the link.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalogue::TemplateName;
use crate::engine::escape_html;

/// One secret taken out of a render context: the placeholder the stored email holds, and the
/// value that replaces it at delivery. `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenSecret {
    /// `[link hidden]` or `[password hidden]`.
    pub placeholder: String,
    /// The link or password itself.
    pub value: String,
}

impl fmt::Debug for HiddenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HiddenSecret").field("placeholder", &self.placeholder).field("value", &"***").finish()
    }
}

/// Replaces the value of each of `name`'s secret tokens in `ctx` by its placeholder, and
/// returns the values taken out (none when the context has none, e.g. a welcome mail to someone
/// who already has a password still carries its sign-in link as a secret: nothing is lost by
/// hiding a plain link).
pub fn hide_secrets(name: TemplateName, ctx: &mut Value) -> Vec<HiddenSecret> {
    let mut out = Vec::new();
    for token in name.secret_tokens() {
        let Some(kind) = token.secret else { continue };
        let Some(at) = ctx.pointer_mut(&format!("/{}", token.name.replace('.', "/"))) else { continue };
        let value = match &mut *at {
            Value::String(s) if !s.is_empty() => std::mem::take(s),
            Value::Null | Value::String(_) => continue,
            other => other.to_string(),
        };
        *at = Value::String(kind.placeholder().to_owned());
        out.push(HiddenSecret { placeholder: kind.placeholder().to_owned(), value });
    }
    out
}

/// `part` with every placeholder replaced by its secret: HTML-escaped in an HTML body, as is
/// in the subject and the text body.
pub fn reveal(part: &str, html: bool, secrets: &[HiddenSecret]) -> String {
    let mut out = part.to_owned();
    for s in secrets {
        if out.contains(&s.placeholder) {
            let value = if html { escape_html(&s.value) } else { s.value.clone() };
            out = out.replace(&s.placeholder, &value);
        }
    }
    out
}

/// Whether every secret's placeholder appears in the text or the HTML body (an override that
/// dropped or transformed the token would otherwise send an email without its link).
pub fn placeholders_present(text: &str, html: &str, secrets: &[HiddenSecret]) -> bool {
    secrets.iter().all(|s| text.contains(&s.placeholder) || html.contains(&s.placeholder))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalogue::Secret;

    #[test]
    fn secret_tokens_are_hidden_and_revealed() {
        let mut ctx = json!({ "user": { "email": "a@x.test" }, "link": "https://r.test/p?token=reset_1&x=<y>" });
        let hidden = hide_secrets(TemplateName::PasswordReset, &mut ctx);
        assert_eq!(ctx["link"], "[link hidden]");
        assert_eq!(hidden.len(), 1);
        assert!(!format!("{hidden:?}").contains("reset_1"));
        assert_eq!(reveal("go [link hidden] now", false, &hidden), "go https://r.test/p?token=reset_1&x=<y> now");
        assert_eq!(
            reveal("<a href=\"[link hidden]\">", true, &hidden),
            "<a href=\"https://r.test/p?token=reset_1&amp;x=&lt;y&gt;\">"
        );
        assert!(placeholders_present("x [link hidden]", "", &hidden));
        assert!(!placeholders_present("x", "y", &hidden));
    }

    #[test]
    fn portal_link_hides_the_link_and_the_password() {
        let mut ctx = json!({ "portal": { "link": "https://r.test/portal/p_1", "password": "harbor" } });
        let hidden = hide_secrets(TemplateName::PortalLink, &mut ctx);
        assert_eq!(hidden.len(), 2);
        assert_eq!(ctx["portal"]["password"], "[password hidden]");
        let mut none = json!({ "portal": { "link": "https://r.test/portal/p_1", "password": null } });
        assert_eq!(hide_secrets(TemplateName::PortalLink, &mut none).len(), 1);
    }

    #[test]
    fn no_template_has_two_secrets_of_one_kind() {
        for name in TemplateName::ALL {
            let kinds: Vec<Secret> = name.secret_tokens().filter_map(|t| t.secret).collect();
            let mut unique = kinds.clone();
            unique.dedup();
            assert_eq!(kinds.len(), unique.len(), "{name}");
        }
        assert!(TemplateName::PasswordReset.carries_secret());
        assert!(!TemplateName::PasswordChanged.carries_secret());
    }
}
