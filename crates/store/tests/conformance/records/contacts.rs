//! Contacts and saved filters on both backends (R-CON-1, R-CON-2): an `Own` scope reaches only
//! the contacts assigned to its member, and the database refuses an assignee from another account.
use roster_core::policy::{Actor, MembershipFacts};
use roster_core::{ContactKind, ContactStage, MembershipStatus, PermissionSet, Scope};
use roster_store::{ContactFilter, ContactQuery, ContactRow, ContactSearch, SavedFilterRow, SeedContact};

use super::super::*;

fn all_scope(account_id: Uuid) -> Scope {
    roster_core::scope::internal(account_id, roster_core::scope::InternalUse::Demo)
}

/// The scope of a member holding no `contacts.view_all`: their own contacts.
fn own_scope(account_id: Uuid, user_id: Uuid) -> Scope {
    let actor = Actor {
        user_id,
        is_operator: false,
        membership: Some(MembershipFacts {
            account_id,
            is_owner: false,
            status: MembershipStatus::Active,
            permissions: PermissionSet::of(&[]),
        }),
    };
    roster_core::scope(&actor, account_id, roster_core::scope::CONTACTS).unwrap()
}

fn contact(account_id: Uuid, first: &str, assigned_to: Option<Uuid>) -> ContactRow {
    let t = now();
    ContactRow {
        id: Uuid::now_v7(),
        account_id,
        kind: ContactKind::Client,
        first_name: first.to_owned(),
        last_name: "Doe".to_owned(),
        company: Some("Acme".to_owned()),
        email: Some(format!("{}@example.test", first.to_lowercase())),
        emails: vec![format!("{}@example.test", first.to_lowercase())],
        phones: vec![],
        address: None,
        notes: None,
        stage: ContactStage::New,
        assigned_to,
        hidden_from_client_list: false,
        follow_up_on: None,
        member_user_id: None,
        created_at: t,
        updated_at: t,
        tags: vec![],
        assignee_archived: false,
    }
}

#[tokio::test]
async fn r_con_1_own_scope_never_reaches_another_members_contact() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Contacts").await;
        let sales = new_member(&db.store, account.id, "standard", "active").await;
        let all = all_scope(account.id);
        let own = own_scope(account.id, sales.id);
        let mine = contact(account.id, "Mine", Some(sales.id));
        let theirs = contact(account.id, "Theirs", Some(owner.id));
        let nobody = contact(account.id, "Nobody", None);
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.insert_contact(&own, &mine).await.unwrap());
        // An Own scope cannot create a contact for someone else.
        assert!(!tx.insert_contact(&own, &theirs).await.unwrap());
        assert!(tx.insert_contact(&all, &theirs).await.unwrap());
        assert!(tx.insert_contact(&all, &nobody).await.unwrap());
        assert_eq!(tx.set_contact_tags(&own, theirs.id, &["vip".to_owned()], now()).await.unwrap(), 0);
        assert_eq!(tx.set_contact_tags(&all, theirs.id, &["VIP".to_owned(), "b".to_owned()], now()).await.unwrap(), 1);
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let page = tx.list_contacts(&own, &ContactQuery::default(), 50).await.unwrap();
        assert_eq!(page.iter().map(|(c, _)| c.id).collect::<Vec<_>>(), vec![mine.id]);
        let page = tx.list_contacts(&all, &ContactQuery::default(), 50).await.unwrap();
        assert_eq!(page.len(), 3);
        // The export reads the same rows in the same scopes, the tags of a page at once.
        let exported = tx.export_contacts(&all, &ContactQuery::default(), 50).await.unwrap();
        let tags = |p: &[(roster_store::ContactRow, roster_store::ContactKey)]| {
            p.iter().map(|(c, _)| (c.id, c.tags.clone())).collect::<Vec<_>>()
        };
        assert_eq!(tags(&exported), tags(&page));
        assert!(exported.iter().any(|(c, _)| c.tags == vec!["b".to_owned(), "VIP".to_owned()]));
        let exported = tx.export_contacts(&own, &ContactQuery::default(), 50).await.unwrap();
        assert_eq!(exported.iter().map(|(c, _)| c.id).collect::<Vec<_>>(), vec![mine.id]);
        assert_eq!(tx.count_contacts(&own, &ContactFilter::default(), 100).await.unwrap(), 1);
        assert_eq!(tx.count_contacts(&all, &ContactFilter::default(), 100).await.unwrap(), 3);
        assert_eq!(tx.count_contacts(&all, &ContactFilter::default(), 1).await.unwrap(), 2, "capped at cap + 1");
        assert!(tx.contact(&own, theirs.id).await.unwrap().is_none());
        assert!(tx.contact(&own, nobody.id).await.unwrap().is_none());
        let got = tx.contact(&all, theirs.id).await.unwrap().unwrap();
        assert_eq!(got.tags, vec!["b".to_owned(), "VIP".to_owned()]);
        assert_eq!(got.emails, theirs.emails);
        assert!(!got.assignee_archived);
        let search = |s: &str| ContactFilter { search: ContactSearch::Text(s.to_owned()), ..ContactFilter::default() };
        assert_eq!(tx.count_contacts(&own, &search("theirs"), 100).await.unwrap(), 0);
        assert_eq!(tx.count_contacts(&all, &search("theirs"), 100).await.unwrap(), 1);
        assert_eq!(tx.count_contacts(&all, &search("th"), 100).await.unwrap(), 1);
        let by_mail =
            ContactFilter { search: ContactSearch::Email("theirs@example.test".into()), ..Default::default() };
        assert_eq!(tx.count_contacts(&own, &by_mail, 100).await.unwrap(), 0);
        assert_eq!(tx.count_contacts(&all, &by_mail, 100).await.unwrap(), 1);
        let tagged = ContactFilter { tag: Some("vip".into()), ..Default::default() };
        assert_eq!(tx.count_contacts(&all, &tagged, 100).await.unwrap(), 1);
        assert_eq!(tx.count_contacts(&own, &tagged, 100).await.unwrap(), 0);
        assert_eq!(tx.contact_pipeline(&own, &ContactFilter::default()).await.unwrap(), vec![(ContactStage::New, 1)]);
        assert!(tx.contact_by_email(&own, "theirs@example.test").await.unwrap().is_none());
        drop(tx);

        let mut tx = db.store.begin().await.unwrap();
        let mut changed = theirs.clone();
        changed.first_name = "Stolen".into();
        assert_eq!(tx.update_contact(&own, &changed).await.unwrap(), 0);
        // Nor may an Own scope move its own contact to someone else.
        let mut moved = mine.clone();
        moved.assigned_to = Some(owner.id);
        assert_eq!(tx.update_contact(&own, &moved).await.unwrap(), 0);
        assert_eq!(tx.delete_contact(&own, theirs.id).await.unwrap(), 0);
        assert_eq!(tx.delete_contact(&own, nobody.id).await.unwrap(), 0);
        assert_eq!(tx.delete_contact(&own, mine.id).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        assert_eq!(tx.contact(&all, theirs.id).await.unwrap().unwrap().first_name, "Theirs");
        assert_eq!(tx.count_contacts(&all, &ContactFilter::default(), 100).await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn r_con_1_pages_by_name_and_hidden_contacts_only_when_asked() {
    for_each_backend(|db: TestDb| async move {
        let (account, _owner) = new_account(&db.store, "Paging").await;
        let all = all_scope(account.id);
        let mut tx = db.store.begin().await.unwrap();
        for i in 0..25 {
            let mut c = contact(account.id, &format!("P{:02}", (i * 7) % 25), None);
            c.hidden_from_client_list = i == 3;
            tx.insert_contact(&all, &c).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        for include_hidden in [false, true] {
            let mut q =
                ContactQuery { filter: ContactFilter { include_hidden, ..Default::default() }, ..Default::default() };
            let mut seen = Vec::new();
            loop {
                let page = tx.list_contacts(&all, &q, 10).await.unwrap();
                let Some((_, last)) = page.last() else { break };
                q.after = Some(last.clone());
                seen.extend(page.into_iter().map(|(c, _)| c.sort_name()));
            }
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(seen, sorted);
            assert_eq!(seen.len(), if include_hidden { 25 } else { 24 });
        }
    })
    .await;
}

#[tokio::test]
async fn r_con_1_database_refuses_an_assignee_from_another_account() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "One").await;
        let (_, stranger) = new_account(&db.store, "Two").await;
        let mut tx = db.store.begin().await.unwrap();
        let c = contact(account.id, "Cross", Some(stranger.id));
        assert!(tx.insert_contact(&all_scope(account.id), &c).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn r_con_2_saved_filters_are_the_members_own() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Filters").await;
        let other = new_member(&db.store, account.id, "standard", "active").await;
        let scope = all_scope(account.id);
        let f = SavedFilterRow {
            id: Uuid::now_v7(),
            account_id: account.id,
            user_id: owner.id,
            name: "Leads".into(),
            query: "{\"type\":\"lead\"}".into(),
            created_at: now(),
        };
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_saved_filter(&scope, &f).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.store.begin().await.unwrap();
        let dup = SavedFilterRow { id: Uuid::now_v7(), ..f.clone() };
        assert!(matches!(tx.insert_saved_filter(&scope, &dup).await, Err(StoreError::Conflict(_))));
        drop(tx);
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.saved_filters(&scope, owner.id).await.unwrap(), vec![f.clone()]);
        assert!(tx.saved_filters(&scope, other.id).await.unwrap().is_empty());
        assert!(tx.saved_filter(&scope, other.id, f.id).await.unwrap().is_none());
        let stolen = SavedFilterRow { user_id: other.id, name: "Mine now".into(), ..f.clone() };
        assert_eq!(tx.update_saved_filter(&scope, &stolen).await.unwrap(), 0);
        assert_eq!(tx.delete_saved_filter(&scope, other.id, f.id).await.unwrap(), 0);
        assert_eq!(tx.delete_saved_filter(&scope, owner.id, f.id).await.unwrap(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}

/// Decision 0092: an admin's text search asks the trigram index at once for a rare text, else
/// walks the sort's index a bounded way, then asks the index; a salesperson's tests their own
/// rows. Whichever way, the pages are the
/// matching rows in order, none missed, none out of scope, and the bulk writer indexes them all.
#[tokio::test]
async fn r_con_1_text_search_pages_agree_whether_walked_or_indexed() {
    for_each_backend(|db: TestDb| async move {
        let (account, _owner) = new_account(&db.store, "Search").await;
        let sales = new_member(&db.store, account.id, "standard", "active").await;
        let all = all_scope(account.id);
        let own = own_scope(account.id, sales.id);
        // 9,000 contacts, more than one bounded walk: every third at "Common Corp"; "Zyxw" only
        // on the last 3 by name (beyond the walk); every 100th assigned to the salesperson.
        let rows: Vec<SeedContact> = (0..9_000u32)
            .map(|i| SeedContact {
                id: Uuid::now_v7(),
                kind: ContactKind::Client,
                first_name: format!("N{i:05}"),
                last_name: if i >= 8_997 { "Zyxw".into() } else { "Doe".into() },
                company: Some(if i % 3 == 0 { "Common Corp".into() } else { format!("Firm {i}") }),
                email: format!("n{i}@example.test"),
                phone: None,
                stage: ContactStage::New,
                assigned_to: (i % 100 == 0).then_some(sales.id),
                created_at: now(),
            })
            .collect();
        // Another account holds 3,000 "Zyxw": the text is common there, rare here.
        let (elsewhere, _) = new_account(&db.store, "Elsewhere").await;
        let theirs: Vec<SeedContact> = rows
            .iter()
            .take(3_000)
            .map(|r| SeedContact { id: Uuid::now_v7(), last_name: "Zyxw".into(), assigned_to: None, ..r.clone() })
            .collect();
        let mut tx = db.store.begin().await.unwrap();
        assert_eq!(tx.insert_contacts_bulk(&all, &rows).await.unwrap(), 9_000);
        assert_eq!(tx.insert_contacts_bulk(&all_scope(elsewhere.id), &theirs).await.unwrap(), 3_000);
        tx.commit().await.unwrap();
        db.store.refresh_statistics().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let mut pages = async |scope: &Scope, text: &str, size: i64| -> Vec<String> {
            let filter = ContactFilter { search: ContactSearch::Text(text.into()), ..Default::default() };
            let mut q = ContactQuery { filter, ..Default::default() };
            let mut seen = Vec::new();
            loop {
                let page = tx.list_contacts(scope, &q, size).await.unwrap();
                let Some((_, last)) = page.last() else { break };
                q.after = Some(last.clone());
                seen.extend(page.into_iter().map(|(c, _)| c.first_name));
            }
            seen
        };
        let expect = |keep: &dyn Fn(u32) -> bool| -> Vec<String> {
            (0..9_000u32).filter(|i| keep(*i)).map(|i| format!("N{i:05}")).collect()
        };
        assert_eq!(pages(&all, "common", 700).await, expect(&|i| i % 3 == 0), "common: the walk fills pages");
        assert_eq!(pages(&all, "zyxw", 50).await, expect(&|i| i >= 8_997), "rare here: walk, then the index");
        assert_eq!(pages(&all, "n0899", 50).await.len(), 10, "rare everywhere: the index at once");
        assert_eq!(pages(&all, "n0899", 50).await, expect(&|i| (8_990..9_000).contains(&i)));
        assert_eq!(pages(&own, "common", 7).await, expect(&|i| i % 300 == 0), "own: their rows only");
        assert!(pages(&own, "zyxw", 50).await.is_empty());
    })
    .await;
}
