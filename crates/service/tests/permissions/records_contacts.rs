//! The contacts visibility matrix below HTTP (R-CON-1): roles × records × use cases, on both
//! backends. Without `contacts.view_all` a member reaches exactly the contacts assigned to them,
//! everywhere: list, search, count, export, by id, edit and delete; another account's contact is
//! never reached. Out of reach is 404; in reach without the permission is 403.
use roster_service::contacts::{ContactInput, ContactListParams};
use roster_service::{Meta, ServiceError};
use roster_testkit::service::{ServiceUser, TestService};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rec {
    Own,
    Another,
    Unassigned,
    OtherAccount,
}

const RECS: [Rec; 4] = [Rec::Own, Rec::Another, Rec::Unassigned, Rec::OtherAccount];

/// `(role, view_all, edit, delete)` as the built-in roles define them.
const ROLES: [(&str, bool, bool, bool); 6] = [
    ("owner", true, true, true),
    ("admin", true, true, true),
    ("standard", true, true, false),
    ("salesperson", false, true, false),
    ("employee", false, true, false),
    ("customer", false, false, false),
];

fn sees(view_all: bool, rec: Rec) -> bool {
    match rec {
        Rec::OtherAccount => false,
        Rec::Own => true,
        Rec::Another | Rec::Unassigned => view_all,
    }
}

async fn make(ts: &TestService, by: &ServiceUser, first: &str, assignee: Option<Uuid>) -> Uuid {
    let input = ContactInput {
        first_name: Some(first.to_owned()),
        assigned_to: Some(assignee.map(|a| a.to_string())),
        emails: Some(vec![format!("{}@example.test", first.to_lowercase())]),
        ..ContactInput::default()
    };
    ts.service.create_contact(&by.principal, by.account, &input, &Meta::default()).await.unwrap().id
}

fn expect(what: &str, role: &str, rec: Rec, r: Result<(), ServiceError>, want: &str) {
    let got = match r {
        Ok(()) => "ok",
        Err(ServiceError::NotFound) => "404",
        Err(ServiceError::Forbidden(_)) => "403",
        Err(e) => panic!("{what} by {role} on {rec:?}: {e}"),
    };
    assert_eq!(got, want, "{what} by {role} on {rec:?}");
}

#[tokio::test]
async fn r_con_1_salesperson_sees_only_assigned_contacts_matrix() {
    TestService::each_backend(|ts| async move {
        let owner = ts.owner("Acme").await;
        let holder = ts.member_with(&owner, "standard").await;
        // Another account of the same owner, with one contact.
        let other_account =
            ts.service.create_account(&owner.principal, "Elsewhere", &Meta::default()).await.unwrap().id;
        let other_owner = ServiceUser {
            account: other_account,
            principal: ts.principal(&owner.email, Some(other_account)).await,
            ..owner.clone()
        };
        for (role, view_all, edit, delete) in ROLES {
            let actor = if role == "owner" { owner.clone() } else { ts.member_with(&owner, role).await };
            let marker = format!("zq{role}");
            let mut ids = Vec::new();
            for rec in RECS {
                let name = format!("{marker}{rec:?}");
                let id = match rec {
                    Rec::Own => make(&ts, &owner, &name, Some(actor.id)).await,
                    Rec::Another => make(&ts, &owner, &name, Some(holder.id)).await,
                    Rec::Unassigned => make(&ts, &owner, &name, None).await,
                    Rec::OtherAccount => make(&ts, &other_owner, &name, None).await,
                };
                ids.push((rec, id));
            }
            let p = &actor.principal;
            let a = actor.account;
            let all = ContactListParams { limit: Some(500), ..ContactListParams::default() };
            let search = ContactListParams { q: Some(marker.clone()), ..all.clone() };
            let listed = ts.service.list_contacts(p, a, &all).await.unwrap();
            let found = ts.service.list_contacts(p, a, &search).await.unwrap();
            let csv = ts.service.export_contacts(p, a, &search).await.unwrap();
            let expected_count = RECS.iter().filter(|r| sees(view_all, **r)).count() as i64;
            assert_eq!(
                ts.service.count_contacts(p, a, &search).await.unwrap().total,
                expected_count,
                "count by {role}"
            );
            let pipeline: i64 = ts.service.contact_pipeline(p, a, &search).await.unwrap().iter().map(|c| c.count).sum();
            assert_eq!(pipeline, expected_count, "pipeline by {role}");
            assert_eq!(found.items.len() as i64, expected_count, "search by {role}");
            for (rec, id) in &ids {
                let want = sees(view_all, *rec);
                assert_eq!(listed.items.iter().any(|c| c.id == *id), want, "list by {role} of {rec:?}");
                assert_eq!(found.items.iter().any(|c| c.id == *id), want, "search by {role} of {rec:?}");
                assert_eq!(csv.contains(&id.to_string()), want, "export by {role} of {rec:?}");
                let got = ts.service.get_contact(p, a, *id).await.map(|_| ());
                expect("get", role, *rec, got, if want { "ok" } else { "404" });
                let patch = ContactInput { notes: Some("seen".into()), ..ContactInput::default() };
                let got = ts.service.update_contact(p, a, *id, &patch, &Meta::default()).await.map(|_| ());
                expect(
                    "edit",
                    role,
                    *rec,
                    got,
                    if !want {
                        "404"
                    } else if edit {
                        "ok"
                    } else {
                        "403"
                    },
                );
                let got = ts.service.delete_contact(p, a, *id, &Meta::default()).await;
                expect(
                    "delete",
                    role,
                    *rec,
                    got,
                    if !want {
                        "404"
                    } else if delete {
                        "ok"
                    } else {
                        "403"
                    },
                );
            }
            // Nothing of another account through its own id either (the owner owns that one too).
            let (_, foreign) = ids[3];
            if role != "owner" {
                expect(
                    "get",
                    role,
                    Rec::OtherAccount,
                    ts.service.get_contact(p, other_account, foreign).await.map(|_| ()),
                    "404",
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn r_con_1_assignee_must_be_an_active_member_and_self_without_view_all() {
    TestService::each_backend(|ts| async move {
        let owner = ts.owner("Acme").await;
        let sales = ts.member_with(&owner, "salesperson").await;
        let meta = Meta::default();
        // A salesperson's new contact is theirs by default.
        let input = ContactInput { first_name: Some("Ann".into()), ..ContactInput::default() };
        let c = ts.service.create_contact(&sales.principal, sales.account, &input, &meta).await.unwrap();
        assert_eq!(c.assigned_to, Some(sales.id));
        for assignee in [Some(owner.id.to_string()), None] {
            let input =
                ContactInput { first_name: Some("Bob".into()), assigned_to: Some(assignee), ..ContactInput::default() };
            let e = ts.service.create_contact(&sales.principal, sales.account, &input, &meta).await.unwrap_err();
            assert!(matches!(&e, ServiceError::Invalid(f) if f.get("assigned_to").is_some()), "{e}");
        }
        let stranger = ContactInput { assigned_to: Some(Some(Uuid::now_v7().to_string())), ..input.clone() };
        let e = ts.service.create_contact(&owner.principal, owner.account, &stranger, &meta).await.unwrap_err();
        assert!(matches!(&e, ServiceError::Invalid(f) if f.get("assigned_to").is_some()), "{e}");
        let bad = ContactInput { kind: Some("friend".into()), stage: Some("x".into()), ..input.clone() };
        let e = ts.service.create_contact(&owner.principal, owner.account, &bad, &meta).await.unwrap_err();
        assert!(matches!(&e, ServiceError::Invalid(f) if f.get("type").is_some() && f.get("stage").is_some()), "{e}");
    })
    .await;
}

#[tokio::test]
async fn r_con_2_saved_filter_never_widens_the_scope() {
    TestService::each_backend(|ts| async move {
        let owner = ts.owner("Acme").await;
        let sales = ts.member_with(&owner, "salesperson").await;
        let standard = ts.member_with(&owner, "standard").await;
        let meta = Meta::default();
        make(&ts, &owner, "Mine", Some(sales.id)).await;
        make(&ts, &owner, "Theirs", Some(owner.id)).await;
        let input = roster_service::contacts::FilterInput {
            name: Some("Everyone's".into()),
            query: Some(ContactListParams { assigned_to: Some(owner.id.to_string()), ..Default::default() }),
        };
        let f = ts.service.create_saved_filter(&sales.principal, sales.account, &input, &meta).await.unwrap();
        let page = ts.service.list_contacts(&sales.principal, sales.account, &f.query).await.unwrap();
        assert!(page.items.is_empty(), "the filter runs inside the salesperson's scope");
        // Standard members lack filters.save; nobody sees another's filter.
        let e = ts.service.create_saved_filter(&standard.principal, standard.account, &input, &meta).await.unwrap_err();
        assert!(matches!(e, ServiceError::Forbidden(_)), "{e}");
        let e = ts.service.saved_filter(&owner.principal, owner.account, f.id).await.unwrap_err();
        assert!(matches!(e, ServiceError::NotFound), "{e}");
        let e = ts.service.create_saved_filter(&sales.principal, sales.account, &input, &meta).await.unwrap_err();
        assert_eq!(e.code(), roster_core::ProblemCode::FilterNameTaken);
    })
    .await;
}
