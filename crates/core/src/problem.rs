//! The problem-code catalogue: every `code` a refusal may carry (API.md "Problem codes"), each
//! with its one HTTP status and, where one rule always decides it, that rule. The web crate
//! builds every problem document from a [`ProblemCode`], so a code cannot answer two statuses.

macro_rules! problems {
    ($($variant:ident = $id:tt, $status:literal, $rule:expr, $level:ident, $meaning:literal;)*) => {
        /// A stable snake_case id of a refusal. Serialised (and listed in OpenAPI) as its string.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum ProblemCode {
            $(#[doc = $meaning] #[serde(rename = $id)] $variant,)*
        }

        impl ProblemCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant),*];

            pub const fn as_str(self) -> &'static str {
                match self { $(ProblemCode::$variant => $id),* }
            }

            /// The HTTP status this code always answers with.
            pub const fn status(self) -> u16 {
                match self { $(ProblemCode::$variant => $status),* }
            }

            /// The product rule that always decides this code, if one does (a use case may name a
            /// more precise one, e.g. `owner_rule` says which `R-OWN-…`).
            pub const fn rule(self) -> Option<&'static str> {
                match self { $(ProblemCode::$variant => $rule),* }
            }

            /// Who answers it: a use case (`Service`), or the HTTP layer before any use case runs
            /// (`Transport`: a malformed body, an unknown method, a missing CSRF token).
            pub const fn level(self) -> ProblemLevel {
                match self { $(ProblemCode::$variant => ProblemLevel::$level),* }
            }

            /// One sentence saying when it is answered.
            pub const fn meaning(self) -> &'static str {
                match self { $(ProblemCode::$variant => $meaning),* }
            }

            pub fn parse(s: &str) -> Result<Self, $crate::catalogue::UnknownValue> {
                match s {
                    $($id => Ok(ProblemCode::$variant),)*
                    _ => Err($crate::catalogue::UnknownValue { catalogue: "problem code", value: s.to_owned() }),
                }
            }
        }
    };
}

/// Where a problem code comes from (see [`ProblemCode::level`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemLevel {
    /// Answered by a use case through `ServiceError`.
    Service,
    /// Answered by the HTTP layer itself (body, method, CSRF, readiness).
    Transport,
}

problems! {
    // HTTP layer
    MalformedJson = "malformed_json", 400, None, Transport, "The body is not valid JSON.";
    UnsupportedMediaType = "unsupported_media_type", 415, None, Transport, "The body is not of a type this route reads.";
    BodyTooLarge = "body_too_large", 413, None, Transport, "The body could not be read (over 1 MiB, or cut off).";
    TooLarge = "too_large", 413, None, Transport, "An uploaded file is larger than the route accepts.";
    MethodNotAllowed = "method_not_allowed", 405, None, Transport, "The route exists, not with this method.";
    CsrfFailed = "csrf_failed", 403, None, Transport, "A cookie-authenticated unsafe request without the session's CSRF token.";
    NotReady = "not_ready", 503, None, Transport, "The database does not answer or migrations are missing (/readyz).";
    // Any use case
    InvalidFields = "invalid_fields", 422, None, Service, "Some fields are invalid; `errors` names them.";
    Unauthenticated = "unauthenticated", 401, None, Service, "Not signed in, or the token is dead.";
    NotFound = "not_found", 404, None, Service, "Absent, or in an account that is not the caller's.";
    Forbidden = "forbidden", 403, None, Service, "A permission is missing (R-PERM-3), or would be escalated (R-PERM-1).";
    Duplicate = "duplicate", 409, None, Service, "The value is already in use.";
    Gone = "gone", 410, None, Service, "An expired or used link.";
    Unavailable = "unavailable", 503, None, Service, "The database is not answering; try again.";
    StorageUnavailable = "storage_unavailable", 503, None, Service, "The database cannot write (disk full or I/O error); try again later.";
    Internal = "internal", 500, None, Service, "Something went wrong on the server's side.";
    // Sign-in, registration, links
    InvalidCredentials = "invalid_credentials", 401, Some("R-AUTH-7"), Service, "The login or password is wrong (the same answer for an unknown login).";
    AccessDisabled = "access_disabled", 403, Some("R-DIS-1"), Service, "The password is right but every membership of the login in the asked account is disabled (said only after the right password).";
    NoMembership = "no_membership", 403, Some("R-DIS-1"), Service, "The password is right but the login belongs to no account any more.";
    TooManyAttempts = "too_many_attempts", 429, Some("R-AUTH-7"), Service, "Too many failed sign-ins; `Retry-After` says when to try again.";
    RegistrationClosed = "registration_closed", 403, None, Service, "Open registration is off on this installation.";
    SignupClosed = "signup_closed", 403, None, Service, "The account does not allow public sign-up (R-AUTH-4).";
    LinkGone = "link_gone", 410, Some("R-AUTH-8"), Service, "The address-confirmation link is used, expired or unknown.";
    AddressHasLogin = "address_has_login", 410, Some("R-AUTH-8"), Service, "The address got a login meanwhile: sign in instead.";
    EmailTaken = "email_taken", 409, None, Service, "The address already has a login (never from registration).";
    SlugTaken = "slug_taken", 409, None, Service, "The account's short name is already in use.";
    OwnPassword = "own_password", 409, None, Service, "Your own password is changed from your profile.";
    AccountNotChosen = "account_not_chosen", 409, None, Service, "The session has no current account yet; choose one.";
    // Tokens
    TokenBoundToAccount = "token_bound_to_account", 409, None, Service, "A personal token acts only in the account it was made in.";
    TokenCannotCreateTokens = "token_cannot_create_tokens", 403, None, Service, "A personal token cannot make tokens.";
    TokenCannotImpersonate = "token_cannot_impersonate", 403, None, Service, "A personal token cannot log in as someone.";
    // Members, owner, roles
    AlreadyMember = "already_member", 409, None, Service, "The person is already a member of the account.";
    SharedLogin = "shared_login", 409, None, Service, "The login belongs to other accounts too, so it is not changed from here.";
    SelfDelete = "self_delete", 409, None, Service, "You cannot delete yourself.";
    SelfAction = "self", 409, None, Service, "You cannot do this to yourself.";
    Status = "status", 409, None, Service, "The member's status does not allow this.";
    OwnerRule = "owner_rule", 409, Some("R-OWN-1"), Service, "Every account has exactly one owner, who cannot be disabled, archived, deleted or impersonated (R-OWN-1…4).";
    AlreadyOwner = "already_owner", 409, Some("R-OWN-3"), Service, "The member already owns the account.";
    NotOwner = "not_owner", 403, Some("R-OWN-3"), Service, "Only the account's owner can do this.";
    OwnershipMoved = "ownership_moved", 409, Some("R-OWN-3"), Service, "Ownership moved meanwhile; nothing was changed.";
    RightsRule = "rights_rule", 409, None, Service, "The role and permissions given do not fit together.";
    RoleInUse = "role_in_use", 409, None, Service, "The custom role is still held by members.";
    RoleNameTaken = "role_name_taken", 409, None, Service, "Another role has this name.";
    BuiltinRole = "builtin_role", 409, None, Service, "Built-in roles cannot be changed.";
    TargetIsOperator = "target_is_operator", 403, None, Service, "An installation operator cannot be logged in as.";
    // Impersonation
    Impersonating = "impersonating", 403, Some("R-IMP-1"), Service, "Not while acting as someone else.";
    ImpersonationForbidden = "impersonation_forbidden", 403, Some("R-IMP-1"), Service, "The account does not allow logging in as others.";
    AlreadyImpersonating = "already_impersonating", 409, Some("R-IMP-1"), Service, "Already acting as someone; end that first.";
    // Invitations
    OwnerOnly = "owner_only", 403, Some("R-PERM-2"), Service, "In this account only the owner may send, resend or revoke invitations.";
    InvitationPending = "invitation_pending", 409, Some("R-INV-1"), Service, "The address already has a pending invitation: resend it.";
    InvitationNotPending = "invitation_not_pending", 409, Some("R-INV-1"), Service, "Only a pending invitation can be resent or revoked.";
    InvitationGone = "invitation_gone", 410, Some("R-INV-1"), Service, "The invitation link is expired, used, revoked or unknown.";
    InvitationUsed = "invitation_used", 409, Some("R-INV-1"), Service, "The invitation was accepted meanwhile.";
    InvitationLive = "invitation_live", 409, Some("R-INV-1"), Service, "The invitation still works: use its link.";
    InvitationOtherEmail = "invitation_other_email", 403, Some("R-INV-1"), Service, "Signed in as another address than the invited one.";
    InvitationUnprovedLogin = "invitation_unproved_login", 403, Some("R-INV-1"), Service, "The invited address's login is not proved yet.";
    SignInRequired = "sign_in_required", 401, Some("R-INV-1"), Service, "The invited address has a login: sign in with it, then accept.";
    ResentRecently = "resent_recently", 409, Some("R-INV-1"), Service, "The invitation was sent moments ago; wait before resending.";
    // Mail
    MailQuota = "mail_quota", 429, Some("R-MAIL-7"), Service, "The account's hourly email quota is used up.";
    BulkLimit = "bulk_limit", 429, Some("R-MAIL-7"), Service, "Too many rows in one bulk invitation.";
    SmtpHostRefused = "smtp_host_refused", 422, Some("R-MAIL-7"), Service, "The outgoing server is on a private or refused address.";
    OwnerUnverified = "owner_unverified", 409, Some("R-AUTH-8"), Service, "The account sends no email until its owner proves their address.";
    NotFailed = "not_failed", 409, None, Service, "Only a failed email can be retried.";
    // Work records
    TagNameTaken = "tag_name_taken", 409, Some("R-PRJ-1"), Service, "The account already has a tag with this name.";
    FilterNameTaken = "filter_name_taken", 409, Some("R-CON-2"), Service, "You already have a saved filter with this name.";
    TimerRunning = "timer_running", 409, Some("R-TIME-1"), Service, "A timer of yours is already running (the detail names it): stop it, or start with `switch`.";
    RunState = "run_state", 409, Some("R-WF-1"), Service, "The workflow run's state does not allow this (pause an active run, resume a paused one, cancel an open one).";
    DefaultRecord = "default_record", 409, Some("R-JOIN-1"), Service, "A member's default calendar or to-do list cannot be deleted (rename it instead).";
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in ProblemCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{c} is not snake_case");
            assert_eq!(ProblemCode::parse(c.as_str()), Ok(*c));
            assert!((400..600).contains(&c.status()), "{c} answers {}", c.status());
            assert!(c.rule().is_none_or(|r| r.starts_with("R-")), "{c}");
        }
        assert!(ProblemCode::parse("disk_on_fire").is_err());
    }
}
