//! tickets on both backends (R-TKT-1): numbers per account without races, the assignee's scope,
//! filtered keyset pages, the thread and delete.
use super::super::*;
use roster_core::{
    Actor, MembershipFacts, MembershipStatus, PermissionSet, Scope, TicketAuthor, TicketPriority, TicketStatus,
};
use roster_store::{TicketFilter, TicketKey, TicketMessageRow, TicketQuery, TicketRow, TicketSort};

fn own_scope(account_id: Uuid, user_id: Uuid) -> Scope {
    let actor = Actor {
        user_id,
        is_operator: false,
        membership: Some(MembershipFacts {
            account_id,
            is_owner: false,
            status: MembershipStatus::Active,
            permissions: PermissionSet::EMPTY,
        }),
    };
    roster_core::scope(&actor, account_id, roster_core::scope::TICKETS).unwrap()
}

fn ticket(account_id: Uuid, number: i64, by: Uuid, assignee: Option<Uuid>, status: TicketStatus) -> TicketRow {
    TicketRow {
        id: Uuid::now_v7(),
        account_id,
        number,
        subject: format!("Printer jam {number}"),
        contact_id: None,
        status,
        priority: TicketPriority::Normal,
        assigned_to: assignee,
        opened_by: TicketAuthor::Member,
        created_by: by,
        created_at: now(),
        updated_at: now(),
    }
}

#[tokio::test]
async fn r_tkt_1_ticket_numbers_count_per_account_and_never_repeat_under_concurrency() {
    for_each_backend(|db: TestDb| async move {
        let (a, owner) = new_account(&db.store, "Numbers A").await;
        let (b, _) = new_account(&db.store, "Numbers B").await;
        let all_b = roster_core::scope::internal(b.id, roster_core::scope::InternalUse::Demo);
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.next_ticket_number(&all_b).await.unwrap(), 1, "each account starts at 1");
        tx.commit().await.unwrap();
        let mut handles = Vec::new();
        for _ in 0..8 {
            let store = db.store.clone();
            let (account, user) = (a.id, owner.id);
            handles.push(tokio::spawn(async move {
                let all = roster_core::scope::internal(account, roster_core::scope::InternalUse::Demo);
                let mut tx = store.begin().await.unwrap();
                let n = tx.next_ticket_number(&all).await.unwrap();
                tx.insert_ticket(&all, &ticket(account, n, user, None, TicketStatus::Open)).await.unwrap();
                tx.commit().await.unwrap();
                n
            }));
        }
        let mut got = Vec::new();
        for h in handles {
            got.push(h.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, (1..=8).collect::<Vec<i64>>(), "one number each, none skipped");
    })
    .await;
}

#[tokio::test]
async fn r_tkt_1_a_member_reaches_only_the_tickets_assigned_to_them() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Tickets").await;
        let sam = new_member(&db.store, account.id, "customer", "active").await;
        let (other, _) = new_account(&db.store, "Elsewhere").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let mine = own_scope(account.id, sam.id);
        let elsewhere = roster_core::scope::internal(other.id, roster_core::scope::InternalUse::Demo);
        let mut tx = db.store.begin().await.unwrap();
        let sams = ticket(account.id, 1, owner.id, Some(sam.id), TicketStatus::Open);
        let owners = ticket(account.id, 2, owner.id, Some(owner.id), TicketStatus::Open);
        tx.insert_ticket(&all, &sams).await.unwrap();
        tx.insert_ticket(&all, &owners).await.unwrap();
        assert!(tx.insert_ticket(&mine, &ticket(account.id, 3, sam.id, None, TicketStatus::Open)).await.is_err());
        assert!(tx.ticket(&mine, sams.id).await.unwrap().is_some());
        assert!(tx.ticket(&mine, owners.id).await.unwrap().is_none(), "not assigned to Sam");
        assert!(tx.ticket(&elsewhere, sams.id).await.unwrap().is_none(), "another account's");
        let listed = tx.list_tickets(&mine, &TicketQuery::default(), 50).await.unwrap();
        assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), vec![sams.id]);
        // Messages follow the ticket's scope.
        let msg = |t: &TicketRow| TicketMessageRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            ticket_id: t.id,
            author: TicketAuthor::Member,
            user_id: sam.id,
            body: "On it.".into(),
            emailed_to: None,
            created_at: now(),
        };
        assert_eq!(tx.insert_ticket_message(&mine, &msg(&sams)).await.unwrap(), 1);
        assert_eq!(tx.insert_ticket_message(&mine, &msg(&owners)).await.unwrap(), 0);
        assert_eq!(tx.ticket_messages(&mine, sams.id, 10).await.unwrap().len(), 1);
        assert!(tx.ticket_messages(&mine, owners.id, 10).await.unwrap().is_empty());
        // Changes and deletes name the scope: 0 rows outside it.
        let mut changed = owners.clone();
        changed.status = TicketStatus::Closed;
        assert_eq!(tx.update_ticket(&mine, &changed).await.unwrap(), 0);
        assert_eq!(tx.delete_ticket(&mine, owners.id).await.unwrap(), 0);
        assert_eq!(tx.delete_ticket(&elsewhere, sams.id).await.unwrap(), 0);
        assert_eq!(tx.update_ticket(&all, &changed).await.unwrap(), 1);
        assert_eq!(tx.ticket(&all, owners.id).await.unwrap().unwrap().status, TicketStatus::Closed);
        assert_eq!(tx.delete_ticket(&all, sams.id).await.unwrap(), 1);
        assert!(tx.ticket_messages(&all, sams.id, 10).await.unwrap().is_empty(), "the thread goes with it");
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn r_tkt_1_filtered_pages_follow_the_keyset_in_both_orders() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Pages").await;
        let sam = new_member(&db.store, account.id, "standard", "active").await;
        let all = roster_core::scope::internal(account.id, roster_core::scope::InternalUse::Demo);
        let mut tx = db.store.begin().await.unwrap();
        for n in 1..=30 {
            let who = if n % 2 == 0 { sam.id } else { owner.id };
            let status = if n % 3 == 0 { TicketStatus::Closed } else { TicketStatus::Open };
            let mut t = ticket(account.id, n, owner.id, Some(who), status);
            t.updated_at = now() + Duration::seconds(n);
            if n == 7 {
                t.subject = "Invoice missing".into();
            }
            tx.insert_ticket(&all, &t).await.unwrap();
        }
        let filter =
            TicketFilter { status: Some(TicketStatus::Open), assigned_to: Some(sam.id), ..TicketFilter::default() };
        let expected: Vec<i64> = (1..=30).rev().filter(|n| n % 2 == 0 && n % 3 != 0).collect();
        for sort in [TicketSort::Number, TicketSort::Updated] {
            let mut q = TicketQuery { filter: filter.clone(), sort, descending: true, after: None };
            let mut seen = Vec::new();
            loop {
                let page = tx.list_tickets(&all, &q, 4).await.unwrap();
                seen.extend(page.iter().map(|t| t.number));
                match page.last() {
                    Some(t) if page.len() == 4 => q.after = Some(TicketKey::from(t)),
                    _ => break,
                }
            }
            assert_eq!(seen, expected, "{sort:?}");
        }
        let asc = TicketQuery { filter: filter.clone(), descending: false, ..TicketQuery::default() };
        let first = tx.list_tickets(&all, &asc, 2).await.unwrap();
        assert_eq!(first.iter().map(|t| t.number).collect::<Vec<_>>(), vec![2, 4]);
        let text = TicketFilter { text: Some("invoice".into()), ..TicketFilter::default() };
        let found = tx.list_tickets(&all, &TicketQuery { filter: text.clone(), ..TicketQuery::default() }, 10).await;
        assert_eq!(found.unwrap().iter().map(|t| t.number).collect::<Vec<_>>(), vec![7]);
        let number = TicketFilter { number: Some(12), ..TicketFilter::default() };
        assert_eq!(tx.count_tickets(&all, &number, 100).await.unwrap(), 1);
        assert_eq!(tx.count_tickets(&all, &filter, 100).await.unwrap(), expected.len() as i64);
        assert_eq!(tx.count_tickets(&all, &TicketFilter::default(), 5).await.unwrap(), 6, "capped at cap + 1");
        tx.commit().await.unwrap();
    })
    .await;
}
