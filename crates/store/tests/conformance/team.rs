//! The members list: keyset pages by sort name, archived members left out (R-LIST-1).
use super::store::raw_exec;
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

// ---------------------------------------------------------------------------------------------
// the list's total (decision 0075)

/// R-LIST-1: the count equals the number of members the pages list, for a tab, a role filter,
/// a text search (through the walk, the trigram index and the short-text scan) and an email;
/// it stops above the cap, and another account's members never count.
#[tokio::test]
async fn r_list_1_count_equals_the_matching_members_capped_and_own_account_only() {
    use roster_core::{MembershipStatus, RoleKind};
    use roster_store::{MemberQuery, MemberSearch};
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Counted").await;
        let (other, _) = new_account(&db.store, "Other").await;
        let mut tx = db.store.begin().await.unwrap();
        let mut emails = Vec::new();
        for i in 0..40 {
            // 8 of 40 work at Zyxcorp; every fifth is an admin; every seventh archived.
            let mut u = bare_user(&format!("Cora{i:02}"), "Count");
            if i % 5 == 0 {
                u.company = Some("Zyxcorp".to_owned());
            }
            tx.insert_user(&u).await.unwrap();
            let role = if i % 5 == 1 { RoleKind::Admin } else { RoleKind::Standard };
            let mut m = MembershipRow::new(account.id, u.id, role, now());
            if i % 7 == 3 {
                m.status = MembershipStatus::Archived;
            } else if i % 9 == 4 {
                m.status = MembershipStatus::Disabled;
            }
            tx.insert_membership(&m).await.unwrap();
            emails.push(u.email.clone());
        }
        // The other account: the same text everywhere, never counted here.
        for i in 0..25 {
            let mut u = bare_user(&format!("Cora{i:02}"), "Count");
            u.company = Some("Zyxcorp".to_owned());
            tx.insert_user(&u).await.unwrap();
            tx.insert_membership(&MembershipRow::new(other.id, u.id, RoleKind::Admin, now())).await.unwrap();
        }
        tx.commit().await.unwrap();

        let query = |search: MemberSearch, role: Option<RoleKind>, statuses: Vec<MembershipStatus>| MemberQuery {
            search,
            role,
            statuses,
            ..MemberQuery::default()
        };
        let members = vec![MembershipStatus::Active, MembershipStatus::Disabled];
        let cases = [
            ("the Members tab", query(MemberSearch::All, None, members.clone())),
            ("the Archived tab", query(MemberSearch::All, None, vec![MembershipStatus::Archived])),
            ("a role filter", query(MemberSearch::All, Some(RoleKind::Admin), members.clone())),
            ("a text search", query(MemberSearch::Text("zyxcorp".into()), None, members.clone())),
            (
                "a text search and a role",
                query(MemberSearch::Text("zyx".into()), Some(RoleKind::Standard), members.clone()),
            ),
            ("a rare text", query(MemberSearch::Text("cora17".into()), None, members.clone())),
            ("a short text", query(MemberSearch::Text("a1".into()), None, members.clone())),
            ("an email", query(MemberSearch::Email(emails[2].clone()), None, members.clone())),
            ("no match", query(MemberSearch::Text("nobody".into()), None, members.clone())),
        ];
        for (what, q) in &cases {
            let mut tx = db.store.read().await.unwrap();
            let listed = tx.search_members(account.id, q, 1000).await.unwrap();
            assert!(listed.iter().all(|(m, _)| m.membership.account_id == account.id), "{what}");
            let listed = listed.len() as i64;
            // A cap above the matches: the exact number.
            assert_eq!(tx.count_members(account.id, q, 1000).await.unwrap(), listed, "{what}");
            // A cap of 3 (the walk reads 12 rows, so text goes through the trigram index or
            // the scan): the same number up to 3, cap + 1 above.
            assert_eq!(tx.count_members(account.id, q, 3).await.unwrap(), listed.min(4), "{what}, capped at 3");
        }
        // By hand: 40 members, archived i % 7 == 3 (6 of them: 3, 10, 17, 24, 31, 38).
        let mut tx = db.store.read().await.unwrap();
        assert_eq!(tx.count_members(account.id, &cases[0].1, 1000).await.unwrap(), 34 + 1, "34 and the owner");
        assert_eq!(tx.count_members(account.id, &cases[1].1, 1000).await.unwrap(), 6);
        // Zyxcorp: i % 5 == 0 (0, 5, …, 35: 8), of whom 10 is archived.
        assert_eq!(tx.count_members(account.id, &cases[3].1, 1000).await.unwrap(), 7);
        // Cora17 is archived: not on the Members tab.
        assert_eq!(tx.count_members(account.id, &cases[5].1, 1000).await.unwrap(), 0);
        assert_eq!(tx.count_members(account.id, &cases[7].1, 1000).await.unwrap(), 1);
        // The other account counts its own 25 and its owner.
        let all = query(MemberSearch::Text("zyxcorp".into()), None, members.clone());
        assert_eq!(tx.count_members(other.id, &all, 1000).await.unwrap(), 25);
        assert_eq!(tx.count_members(other.id, &cases[0].1, 1000).await.unwrap(), 26);
    })
    .await;
}

/// Decision 0110: on SQLite the team version changes in the transaction of every write to what
/// a team page shows, whoever writes it (here statements behind the store's back, as another
/// program on the file would), and not with writes a page does not show; PostgreSQL keeps none.
#[tokio::test]
async fn r_list_1_the_team_version_changes_with_every_write_a_page_shows() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Versions").await;
        let sam = new_member(&db.store, account.id, "standard", "active").await;
        let version = || async {
            let mut tx = db.store.read().await.unwrap();
            tx.team_version(account.id).await.unwrap()
        };
        if db.backend == Backend::Postgres {
            assert_eq!(version().await, None, "PostgreSQL keeps no team version: nothing is cached");
            return;
        }
        let (a, s, o) = (account.id.simple(), sam.id.simple(), owner.id.simple());
        let user = |set: &str| format!("UPDATE users SET {set} WHERE id = x'{s}'");
        let member = |set: &str| format!("UPDATE memberships SET {set} WHERE account_id = x'{a}' AND user_id = x'{s}'");
        let shown = [
            user(&format!("email = 'renamed-{s}@example.test'")),
            user("username = 'sam_v'"),
            user("first_name = 'Samantha'"),
            user("last_name = 'Versioned'"),
            user("phone = '+1 555 0123'"),
            user("company = 'Versions Ltd'"),
            member("role = 'admin'"),
            member("permissions = '[\"users.view\"]'"),
            member("status = 'disabled'"),
            member("landing_page = 'calendar'"),
            member("last_sign_in_at = 1"),
            format!("UPDATE accounts SET owner_id = x'{s}' WHERE id = x'{a}'"),
            format!("UPDATE accounts SET owner_id = x'{o}' WHERE id = x'{a}'"),
            format!("DELETE FROM memberships WHERE account_id = x'{a}' AND user_id = x'{s}'"),
        ];
        for sql in shown {
            // The new owner must be an active member.
            if sql.contains(&format!("owner_id = x'{s}'")) {
                raw_exec(&db, &member("status = 'active'")).await;
            }
            let before = version().await;
            raw_exec(&db, &sql).await;
            assert_ne!(version().await, before, "{sql}: the version must change");
        }
        // A bulk load (its per-row triggers set aside for the batch) bumps the version once,
        // and the triggers are back after it.
        let users: Vec<UserRow> = (0..600).map(|i| bare_user("Bulk", &format!("Member {i}"))).collect();
        let members: Vec<MembershipRow> = users
            .iter()
            .map(|u| MembershipRow::new(account.id, u.id, roster_core::RoleKind::Standard, now()))
            .collect();
        let before = version().await;
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_members_bulk(&users, &members).await.unwrap();
        tx.commit().await.unwrap();
        assert_ne!(version().await, before, "a bulk load must change the version");
        let before = version().await;
        new_member(&db.store, account.id, "standard", "active").await;
        assert_ne!(version().await, before, "the insert trigger is back after a bulk load");

        let before = version().await;
        raw_exec(&db, &format!("UPDATE users SET password_hash = NULL, time_zone = 'UTC' WHERE id = x'{o}'")).await;
        assert_eq!(version().await, before, "the password and time zone are not on the page");
        let other = new_account(&db.store, "Versions elsewhere").await.0;
        let elsewhere =
            format!("UPDATE memberships SET landing_page = 'calendar' WHERE account_id = x'{}'", other.id.simple());
        raw_exec(&db, &elsewhere).await;
        assert_eq!(version().await, before, "another account's write leaves this version alone");
    })
    .await;
}
