//! Sample data for previews: every token of a template filled with a plausible value.

use serde_json::{Value, json};

use crate::catalogue::TemplateName;

const LINK_BASE: &str = "https://roster.example.com";

impl TemplateName {
    /// A context holding every token of this template with made-up values, for the editor's
    /// preview and for [`validate`](crate::validate)'s trial render. Optional values (such as
    /// `portal.password`) are present, so the preview shows the sections that depend on them;
    /// the welcome's `password_set` is false, the common case (the tests render both).
    pub fn sample_context(self) -> Value {
        let user = json!({ "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com" });
        let account = json!({ "name": "Analytical Engines Ltd" });
        let expires_at = "14 March 2025, 09:30 UTC";
        match self {
            TemplateName::Welcome => json!({
                "user": user,
                "account": account,
                "inviter": { "name": "Charles Babbage" },
                "password_set": false,
                "link": format!("{LINK_BASE}/set-password?token=setup_sample"),
                "expires_at": expires_at,
                "sign_in_link": format!("{LINK_BASE}/sign-in"),
            }),
            TemplateName::Invitation => json!({
                "user": { "email": "ada@example.com" },
                "account": account,
                "inviter": { "name": "Charles Babbage" },
                "link": format!("{LINK_BASE}/invitations/accept?token=invite_sample"),
                "expires_at": "21 March 2025, 09:30 UTC",
            }),
            TemplateName::PasswordReset => json!({
                "user": user,
                "link": format!("{LINK_BASE}/password-reset?token=reset_sample"),
                "expires_at": "13 March 2025, 10:30 UTC",
            }),
            TemplateName::PasswordChanged => json!({
                "user": user,
                "changed_at": "13 March 2025, 09:30 UTC",
                "link": format!("{LINK_BASE}/password-reset"),
            }),
            TemplateName::ImpersonationNotice => json!({
                "user": user,
                "account": account,
                "impersonator": { "name": "Charles Babbage" },
                "started_at": "13 March 2025, 09:30 UTC",
            }),
            TemplateName::InvitationRequest => json!({
                "inviter": { "name": "Charles Babbage" },
                "user": { "email": "ada@example.com" },
                "account": account,
                "link": format!("{LINK_BASE}/accounts/0190a6c4-0000-7000-8000-000000000000/invitations"),
            }),
            TemplateName::EmailConfirmation => json!({
                "user": user,
                "account": account,
                "link": format!("{LINK_BASE}/confirm-email?token=confirm_sample"),
                "expires_at": expires_at,
            }),
            TemplateName::RegistrationAttempt => json!({
                "user": user,
                "sign_in_link": format!("{LINK_BASE}/sign-in"),
                "reset_link": format!("{LINK_BASE}/forgot-password"),
            }),
            TemplateName::AccessRestored => json!({
                "user": user,
                "account": account,
                "restored_by": { "name": "Charles Babbage" },
                "link": format!("{LINK_BASE}/password-reset?token=reset_sample"),
                "expires_at": expires_at,
            }),
            TemplateName::DailyReminder => json!({
                "user": user,
                "account": account,
                "day": "2025-03-13",
                "todos": ["Send the quote to Grace Hopper (due 2025-03-12)", "Call the printer (due 2025-03-13)"],
                "events": ["09:30–10:00 Stand-up", "All day: Trade fair"],
                "follow_ups": ["Grace Hopper (Navy Labs)"],
            }),
            TemplateName::WorkflowEmail => json!({
                "account": account,
                "sender": { "name": "Ada Lovelace" },
                "email": {
                    "subject": "Welcome aboard, Grace",
                    "body": "Hello Grace,\n\nThank you for choosing us. I will call you on Monday to plan the kickoff.\n\nAda",
                },
            }),
            TemplateName::TicketReply => json!({
                "contact": { "first_name": "Grace", "last_name": "Hopper" },
                "account": account,
                "sender": { "name": "Ada Lovelace" },
                "ticket": { "number": 12, "subject": "The engine skips a card" },
                "message": "Thank you, Grace. We found the worn gear and a new one goes out today.\n\nAda",
            }),
            TemplateName::PortalLink => json!({
                "contact": { "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org" },
                "account": account,
                "sender": { "name": "Ada Lovelace" },
                "portal": {
                    "link": format!("{LINK_BASE}/portal/p_sample"),
                    "password": "harbor-violet-42",
                },
            }),
        }
    }
}
