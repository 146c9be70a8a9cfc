//! The members list: keyset pages by sort name, archived members left out (R-LIST-1).
use super::*;

// ---------------------------------------------------------------------------------------------
// members list

/// The team list's default page (active and disabled, by name) after `(sort_name, user_id)`.
async fn members_by_name(
    store: &Arc<dyn Store>,
    account_id: Uuid,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Vec<roster_store::MemberRow> {
    let q = roster_store::MemberQuery {
        after: after.map(|(text, user_id)| roster_store::MemberKey {
            text,
            name: String::new(),
            at: time::OffsetDateTime::UNIX_EPOCH,
            user_id,
        }),
        ..roster_store::MemberQuery::default()
    };
    let mut tx = store.read().await.unwrap();
    tx.search_members(account_id, &q, limit).await.unwrap().into_iter().map(|(row, _)| row).collect()
}

#[tokio::test]
async fn members_page_by_sort_name_then_id_without_archived() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Big Team").await;
        let mut all = vec![owner.clone()];
        let mut tx = db.store.begin().await.unwrap();
        for i in 0..120 {
            // Groups of three share a sort name, so the id decides inside a group.
            let u = bare_user(&format!("Member{:02}", (i * 7) % 40), "Person");
            tx.insert_user(&u).await.unwrap();
            tx.insert_membership(&MembershipRow::new(account.id, u.id, roster_core::RoleKind::Standard, now()))
                .await
                .unwrap();
            all.push(u);
        }
        tx.commit().await.unwrap();
        all.sort_by_key(|u| (u.sort_name(), u.id));

        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let mut after: Option<(String, Uuid)> = None;
        loop {
            let page = members_by_name(&db.store, account.id, after.clone(), 50).await;
            let Some(last) = page.last() else { break };
            after = Some((last.user.sort_name(), last.user.id));
            sizes.push(page.len());
            for m in page {
                assert_eq!(m.membership.account_id, account.id);
                assert_eq!(m.membership.user_id, m.user.id);
                assert_eq!(m.membership.is_owner, m.user.id == owner.id);
                seen.push(m.user);
            }
        }
        assert_eq!(sizes, vec![50, 50, 21], "120 members and the owner in pages of 50");
        let ids: HashSet<Uuid> = seen.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), seen.len(), "no member twice");
        let all: Vec<MemberPerson> = all.iter().map(MemberPerson::from).collect();
        assert_eq!(seen, all, "every member once, ordered by (sort_name, id), all fields intact");

        // Archived members leave the list; disabled ones stay.
        let mut tx = db.store.begin().await.unwrap();
        let archived: HashSet<Uuid> =
            all.iter().skip(1).step_by(20).map(|u| u.id).filter(|id| *id != owner.id).collect();
        for id in &archived {
            assert!(tx.set_membership_status(account.id, *id, roster_core::MembershipStatus::Archived).await.unwrap());
        }
        let disabled = all.iter().find(|u| u.id != owner.id && !archived.contains(&u.id)).unwrap().id;
        assert!(tx.set_membership_status(account.id, disabled, roster_core::MembershipStatus::Disabled).await.unwrap());
        tx.commit().await.unwrap();
        let listed = members_by_name(&db.store, account.id, None, 1000).await;
        assert_eq!(listed.len(), all.len() - archived.len());
        assert!(listed.iter().all(|m| !archived.contains(&m.user.id)));
        assert!(listed.iter().any(|m| m.user.id == disabled && m.membership.status.as_str() == "disabled"));

        // Another account's list is its own.
        let (other, other_owner) = new_account(&db.store, "Small Team").await;
        let listed = members_by_name(&db.store, other.id, None, 50).await;
        assert_eq!(listed.iter().map(|m| m.user.id).collect::<Vec<_>>(), vec![other_owner.id]);
    })
    .await;
}
