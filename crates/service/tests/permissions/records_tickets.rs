//! The tickets matrix below HTTP (R-TKT-1, decision 0098): each built-in role × (a ticket
//! assigned to them, one assigned to a colleague, another account's) × (list, get, reply,
//! edit, delete, open). `tickets.view_open` (owner, admin, standard, salesperson, employee)
//! reaches every ticket and opens new ones; without it a member reaches the tickets assigned to
//! them. Deleting needs `account.settings` (owner, admin). Another account's: 404 always.
use roster_core::role::BuiltinRole;
use roster_core::{Permission, TicketAuthor, TicketPriority, TicketStatus, scope};
use roster_service::{Meta, NewTicket, NewTicketMessage, ServiceError, TicketListParams, TicketPatch};
use roster_store::TicketRow;
use roster_testkit::service::TestService;
use uuid::Uuid;

/// (role, holds `tickets.view_open`, may delete).
const EXPECTED: [(BuiltinRole, bool, bool); 8] = [
    (BuiltinRole::Owner, true, true),
    (BuiltinRole::Admin, true, true),
    (BuiltinRole::Standard, true, false),
    (BuiltinRole::Salesperson, true, false),
    (BuiltinRole::Employee, true, false),
    (BuiltinRole::Vendor, false, false),
    (BuiltinRole::Customer, false, false),
    (BuiltinRole::Collaborator, false, false),
];

async fn ticket(t: &TestService, account: Uuid, by: Uuid, assignee: Uuid, subject: &str) -> Uuid {
    let all = scope::internal(account, scope::InternalUse::Demo);
    let mut tx = t.db.store.begin().await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let row = TicketRow {
        id: Uuid::now_v7(),
        account_id: account,
        number: tx.next_ticket_number(&all).await.unwrap(),
        subject: subject.to_owned(),
        contact_id: None,
        status: TicketStatus::Open,
        priority: TicketPriority::Normal,
        assigned_to: Some(assignee),
        opened_by: TicketAuthor::Member,
        created_by: by,
        created_at: now,
        updated_at: now,
    };
    tx.insert_ticket(&all, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

#[tokio::test]
async fn r_tkt_1_roles_reach_assigned_tickets_and_every_ticket_with_view_open() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Tickets matrix").await;
        let meta = Meta::default();
        let other = t.service.create_account(&owner.principal, "Elsewhere", &meta).await.unwrap().id;
        let colleague = t.member_with(&owner, "employee").await;
        for (role, view_open, may_delete) in EXPECTED {
            assert_eq!(
                role.permissions().contains(Permission::TicketsViewOpen) || role == BuiltinRole::Owner,
                view_open
            );
            let actor =
                if role == BuiltinRole::Owner { owner.clone() } else { t.member_with(&owner, role.key()).await };
            let (s, p, a) = (&t.service, &actor.principal, owner.account);
            let cell = role.key();
            let own = ticket(&t, a, owner.id, actor.id, &format!("{cell} own")).await;
            let theirs = ticket(&t, a, owner.id, colleague.id, &format!("{cell} theirs")).await;
            let foreign = ticket(&t, other, owner.id, owner.id, &format!("{cell} foreign")).await;

            let params = TicketListParams { limit: Some(500), ..Default::default() };
            let ids: Vec<Uuid> = s.list_tickets(p, a, &params).await.unwrap().items.iter().map(|x| x.id).collect();
            assert!(ids.contains(&own), "{cell}: list own");
            assert_eq!(ids.contains(&theirs), view_open, "{cell}: list another's");
            assert!(!ids.contains(&foreign), "{cell}: never another account's");

            assert!(s.ticket(p, a, own).await.is_ok(), "{cell}: get own");
            assert_eq!(s.ticket(p, a, theirs).await.is_ok(), view_open, "{cell}: get another's");
            assert!(matches!(s.ticket(p, a, foreign).await, Err(ServiceError::NotFound)), "{cell}");
            // The owner made the other account too; nobody else is a member there.
            let member_there = role == BuiltinRole::Owner;
            assert_eq!(s.ticket(p, other, foreign).await.is_ok(), member_there, "{cell}");

            let reply = NewTicketMessage { body: "Looking into it.".into(), from_contact: false };
            let r = s.reply_to_ticket(p, a, own, &reply, &meta).await.unwrap();
            assert_eq!(r.ticket.status, TicketStatus::Answered, "{cell}: a member's reply answers");
            assert_eq!(s.reply_to_ticket(p, a, theirs, &reply, &meta).await.is_ok(), view_open, "{cell}: reply");
            assert!(matches!(s.reply_to_ticket(p, a, foreign, &reply, &meta).await, Err(ServiceError::NotFound)));
            assert_eq!(s.ticket_messages(p, a, theirs).await.is_ok(), view_open, "{cell}: read another's thread");

            let close = TicketPatch { status: Some(TicketStatus::Closed), ..Default::default() };
            assert!(s.update_ticket(p, a, own, &close, &meta).await.is_ok(), "{cell}: edit own");
            assert_eq!(s.update_ticket(p, a, theirs, &close, &meta).await.is_ok(), view_open, "{cell}: edit");
            assert!(matches!(s.update_ticket(p, a, foreign, &close, &meta).await, Err(ServiceError::NotFound)));

            let open = NewTicket { subject: "New".into(), ..Default::default() };
            match s.create_ticket(p, a, &open, &meta).await {
                Ok(_) => assert!(view_open, "{cell}: opens only with tickets.view_open"),
                Err(ServiceError::Forbidden(_)) => assert!(!view_open, "{cell}"),
                Err(e) => panic!("{cell}: {e:?}"),
            }
            if !member_there {
                assert!(matches!(s.create_ticket(p, other, &open, &meta).await, Err(ServiceError::NotFound)), "{cell}");
            }

            assert!(matches!(s.delete_ticket(p, a, foreign, &meta).await, Err(ServiceError::NotFound)), "{cell}");
            match s.delete_ticket(p, a, own, &meta).await {
                Ok(()) => assert!(may_delete, "{cell}: delete is an admin's"),
                Err(ServiceError::Forbidden(_)) => assert!(!may_delete, "{cell}"),
                Err(e) => panic!("{cell}: {e:?}"),
            }
            let gone = s.delete_ticket(p, a, theirs, &meta).await;
            match (view_open, may_delete) {
                (true, true) => assert!(gone.is_ok(), "{cell}"),
                (true, false) => assert!(matches!(gone, Err(ServiceError::Forbidden(_))), "{cell}"),
                (false, _) => assert!(matches!(gone, Err(ServiceError::NotFound)), "{cell}: out of scope is 404"),
            }
            assert!(s.ticket(&owner.principal, other, foreign).await.is_ok(), "{cell}: the foreign ticket stays");
        }
    })
    .await;
}
