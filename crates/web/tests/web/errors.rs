//! One error mapping (issue 15): every `ServiceError` answers the same status and code in the
//! API and in the console, each code's status comes from the `ProblemCode` catalogue, `rule`
//! names the rule that refused, and every code is reachable or deliberately transport-level.
//! Below HTTP: the mappings are called directly.
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use roster_core::{AuditAction, FieldErrors, Permission, ProblemCode, ProblemLevel};
use roster_service::ServiceError;
use roster_web::error::{api_and_console, refusal};

/// Which variant a `ServiceError` is. No wildcard: a new variant does not compile until this walk
/// (and so the test below) covers it.
fn variant(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::Invalid(_) => "Invalid",
        ServiceError::Unauthenticated => "Unauthenticated",
        ServiceError::InvalidCredentials => "InvalidCredentials",
        ServiceError::Throttled { .. } => "Throttled",
        ServiceError::NotFound => "NotFound",
        ServiceError::Forbidden(_) => "Forbidden",
        ServiceError::Escalation(_) => "Escalation",
        ServiceError::Conflict { .. } => "Conflict",
        ServiceError::Rule { .. } => "Rule",
        ServiceError::Closed { .. } => "Closed",
        ServiceError::Gone(..) => "Gone",
        ServiceError::Refused { .. } => "Refused",
        ServiceError::Limited { .. } => "Limited",
        ServiceError::Unavailable(_) => "Unavailable",
        ServiceError::StorageUnavailable(_) => "StorageUnavailable",
        ServiceError::Internal(_) => "Internal",
    }
}

fn fields() -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add("host", "That address is refused.");
    e
}

/// Every service error the use cases answer: each fixed variant once, and each code-carrying
/// variant once per code the service gives it (as written in `crates/service/src`).
fn every_service_error() -> Vec<Box<dyn Fn() -> ServiceError>> {
    use ProblemCode as C;
    let mut all: Vec<Box<dyn Fn() -> ServiceError>> = vec![
        Box::new(|| ServiceError::invalid("email", "Enter an email address.")),
        Box::new(|| ServiceError::Unauthenticated),
        Box::new(|| ServiceError::InvalidCredentials),
        Box::new(|| ServiceError::Throttled { retry_after: Duration::from_secs(90) }),
        Box::new(|| ServiceError::NotFound),
        Box::new(|| ServiceError::Forbidden(Permission::UsersManage)),
        Box::new(|| ServiceError::Escalation(Permission::AccountSettings)),
        Box::new(|| ServiceError::Unavailable("pool closed".into())),
        Box::new(|| ServiceError::StorageUnavailable("database or disk is full".into())),
        Box::new(|| ServiceError::Internal("boom".into())),
    ];
    let conflicts = [
        C::Duplicate,
        C::AlreadyImpersonating,
        C::SelfAction,
        C::Status,
        C::SelfDelete,
        C::OwnPassword,
        C::AlreadyOwner,
        C::RoleNameTaken,
        C::RoleInUse,
        C::DefaultRecord,
        C::AccountNotChosen,
        C::TokenBoundToAccount,
        C::NotFailed,
        C::EmailTaken,
        C::SlugTaken,
        C::AlreadyMember,
        C::InvitationPending,
        C::InvitationNotPending,
        C::ResentRecently,
        C::InvitationLive,
        C::InvitationUsed,
        C::TagNameTaken,
        C::DefaultRecord,
        // R-CON-2: a second saved filter of the same name.
        C::FilterNameTaken,
        // R-TIME-1: a second start while a timer runs.
        C::TimerRunning,
        // R-WF-1: pausing a paused run, resuming a cancelled one…
        C::RunState,
    ];
    for code in conflicts {
        all.push(Box::new(move || ServiceError::Conflict { code, message: "Not now.".into() }));
    }
    let rules = [
        (C::OwnerRule, "R-OWN-4"),
        (C::RightsRule, "R-PERM-1"),
        (C::SharedLogin, "R-USR-1"),
        (C::OwnershipMoved, "R-OWN-3"),
        (C::BuiltinRole, "R-ROLE-1"),
        (C::OwnerUnverified, "R-AUTH-8"),
    ];
    for (code, rule) in rules {
        all.push(Box::new(move || ServiceError::Rule { rule, code, message: "A rule says no.".into() }));
    }
    let closed = [
        C::Impersonating,
        C::TokenCannotImpersonate,
        C::ImpersonationForbidden,
        C::TargetIsOperator,
        C::NotOwner,
        C::TokenCannotCreateTokens,
        C::RegistrationClosed,
        C::SignupClosed,
        C::OwnerOnly,
        C::InvitationOtherEmail,
        C::InvitationUnprovedLogin,
        C::SignInRequired,
        C::AccessDisabled,
        C::NoMembership,
    ];
    for code in closed {
        all.push(Box::new(move || ServiceError::Closed { code, message: "Not here.".into() }));
    }
    for code in [C::Gone, C::LinkGone, C::AddressHasLogin, C::InvitationGone] {
        all.push(Box::new(move || ServiceError::Gone(code, "This link is used up.")));
    }
    all.push(Box::new(|| ServiceError::Refused { code: C::SmtpHostRefused, errors: fields() }));
    for (code, rule) in [(C::MailQuota, Some("R-MAIL-7")), (C::BulkLimit, Some("R-MAIL-7"))] {
        all.push(Box::new(move || ServiceError::Limited {
            code,
            rule,
            message: "Slow down.".into(),
            retry_after: Some(Duration::from_secs(60)),
        }));
    }
    all
}

#[test]
fn one_error_mapping_api_and_console_agree_on_every_service_error() {
    let mut variants = BTreeSet::new();
    for make in every_service_error() {
        let e = make();
        variants.insert(variant(&e));
        let r = refusal(&e);
        let (problem, console) = api_and_console(&make);
        assert_eq!(problem.code, r.code, "{e:?}: the API answers the code of the one mapping");
        assert_eq!(problem.status, r.status.as_u16(), "{e:?}: API status");
        assert_eq!(console, r.status, "{e:?}: the console answers the API's status");
        assert_eq!(r.status.as_u16(), r.code.status(), "{e:?}: the status is the code's, from the catalogue");
        assert_eq!(problem.rule.as_deref(), r.rule, "{e:?}: rule");
        assert_eq!(r.code.level(), ProblemLevel::Service, "{e:?}: a use case answers a service-level code");
    }
    let expected = [
        "Invalid",
        "Unauthenticated",
        "InvalidCredentials",
        "Throttled",
        "NotFound",
        "Forbidden",
        "Escalation",
        "Conflict",
        "Rule",
        "Closed",
        "Gone",
        "Refused",
        "Limited",
        "Unavailable",
        "StorageUnavailable",
        "Internal",
    ];
    assert_eq!(variants, expected.into_iter().collect(), "every ServiceError variant is walked");
}

#[test]
fn r_perm_1_an_escalation_names_r_perm_1_and_a_missing_permission_r_perm_3() {
    let (escalation, console) = api_and_console(|| ServiceError::Escalation(Permission::AccountSettings));
    assert_eq!(
        (escalation.status, escalation.code, escalation.rule.as_deref()),
        (403, ProblemCode::Forbidden, Some("R-PERM-1"))
    );
    assert_eq!(console.as_u16(), 403);
    let (missing, _) = api_and_console(|| ServiceError::Forbidden(Permission::UsersManage));
    assert_eq!((missing.status, missing.rule.as_deref()), (403, Some("R-PERM-3")));
    let (own, _) = api_and_console(|| ServiceError::Rule {
        rule: "R-OWN-4",
        code: ProblemCode::OwnerRule,
        message: "The owner cannot be disabled.".into(),
    });
    assert_eq!(own.rule.as_deref(), Some("R-OWN-4"), "the use case's rule wins over the code's default");
}

#[test]
fn r_inv_1_invitation_answers_carry_their_own_codes_in_both_mappings() {
    for (code, status) in [
        (ProblemCode::InvitationGone, 410),
        (ProblemCode::SignInRequired, 401),
        (ProblemCode::InvitationOtherEmail, 403),
        (ProblemCode::InvitationPending, 409),
    ] {
        let make = || match code {
            ProblemCode::InvitationGone => ServiceError::Gone(code, "Gone."),
            ProblemCode::InvitationPending => ServiceError::Conflict { code, message: "Pending.".into() },
            _ => ServiceError::Closed { code, message: "No.".into() },
        };
        let (problem, console) = api_and_console(make);
        assert_eq!((problem.code, problem.status, console.as_u16()), (code, status, status));
        assert_eq!(problem.rule.as_deref(), Some("R-INV-1"), "{code}");
    }
}

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Codes the one mapping gives a fixed variant (no call site names them).
const FIXED: &[ProblemCode] = &[
    ProblemCode::InvalidFields,
    ProblemCode::Unauthenticated,
    ProblemCode::InvalidCredentials,
    ProblemCode::TooManyAttempts,
    ProblemCode::NotFound,
    ProblemCode::Forbidden,
    ProblemCode::Unavailable,
    ProblemCode::Internal,
];

#[test]
fn every_problem_code_is_reachable_or_listed_as_transport_level() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut service = String::new();
    sources(&crates.join("service/src"), &mut service);
    let mut web = String::new();
    sources(&crates.join("web/src"), &mut web);
    let walked: BTreeSet<ProblemCode> = every_service_error().iter().map(|make| make().code()).collect();
    for code in ProblemCode::ALL {
        let named = format!("ProblemCode::{code:?}");
        match code.level() {
            ProblemLevel::Service => {
                assert!(walked.contains(code), "{code}: not walked through both mappings");
                assert!(
                    FIXED.contains(code) || service.contains(&named) || web.contains(&named),
                    "{code}: no use case answers it; remove it or mark it transport-level"
                );
            }
            ProblemLevel::Transport => {
                assert!(web.contains(&named), "{code}: transport-level, but the HTTP layer never answers it");
                assert!(!service.contains(&named), "{code}: a use case answers it, so it is not transport-level");
            }
        }
    }
}

#[test]
fn the_openapi_document_lists_problem_codes_and_audit_actions_as_string_enums() {
    let doc = serde_json::to_value(roster_web::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let listed = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is a string enum: {}", schemas[name]))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let codes: Vec<String> = ProblemCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(listed("ProblemCode"), codes);
    let actions: Vec<String> = AuditAction::ALL.iter().map(|a| a.as_str().to_owned()).collect();
    assert_eq!(listed("AuditAction"), actions);
    for name in ["MembershipStatus", "RoleKind", "InvitePolicy", "InvitationStatus"] {
        assert!(!listed(name).is_empty(), "{name}");
    }
}

#[test]
fn problem_documents_serialise_the_code_as_its_string() {
    let (problem, _) = api_and_console(|| ServiceError::Gone(ProblemCode::LinkGone, "Used."));
    let body = serde_json::to_value(&problem).unwrap();
    assert_eq!(body["code"], "link_gone");
    assert_eq!(body["type"], "https://roster.dev/problems/link-gone");
    assert_eq!(body["rule"], "R-AUTH-8");
    assert_eq!(body["status"], 410);
}

#[tokio::test]
async fn r_aud_1_an_unknown_audit_action_filter_is_422_naming_action() {
    roster_testkit::app::each_backend(|app| async move {
        app.operator("owner@example.test").await;
        let token = app.token("owner@example.test", None).await;
        let account = app.create_account(&token, "Filtered").await;
        let audit = format!("/api/v1/accounts/{account}/audit");
        let roster_testkit::app::Answer { status, body } =
            app.get_json(&format!("{audit}?action=member.teleported"), Some(&token)).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_fields")), "{body}");
        assert_eq!(body["errors"][0]["field"], "action", "{body}");
        let roster_testkit::app::Answer { status, body: page } =
            app.get_json(&format!("{audit}?action=account.created"), Some(&token)).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["items"][0]["action"], "account.created", "the wire string is the catalogue's");
    })
    .await;
}
