//! What joining and leaving do to records (R-JOIN-1, R-DEL-1) on both backends.
use roster_core::scope::{InternalUse, internal};
use roster_store::{JoiningMember, MemberDefaults};

use super::super::*;

fn joining(u: &UserRow) -> JoiningMember<'_> {
    JoiningMember {
        user_id: u.id,
        first_name: &u.first_name,
        last_name: &u.last_name,
        email: &u.email,
        phone: u.phone.as_deref(),
        company: u.company.as_deref(),
    }
}

#[tokio::test]
async fn r_join_1_defaults_are_made_once_and_the_contact_is_hidden() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Join").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let scope = internal(account.id, InternalUse::JoinDefaults);
        for _ in 0..2 {
            let mut tx = db.store.begin().await.unwrap();
            tx.make_join_defaults(&scope, &joining(&mia), "Mia Member", "To-dos", now()).await.unwrap();
            tx.commit().await.unwrap();
        }
        let d = db.store.read().await.unwrap().member_defaults(&scope, mia.id).await.unwrap();
        assert!(matches!(d.contact, Some((_, true))), "a hidden collaborator contact: {d:?}");
        assert!(d.default_calendar.is_some() && d.default_list.is_some(), "{d:?}");
        // Another account's scope sees none of them.
        let (other, _) = new_account(&db.store, "Other").await;
        let elsewhere = internal(other.id, InternalUse::JoinDefaults);
        let none = db.store.read().await.unwrap().member_defaults(&elsewhere, mia.id).await.unwrap();
        assert_eq!(none, MemberDefaults::default());
    })
    .await;
}

#[tokio::test]
async fn r_del_1_a_leaving_members_records_move_to_the_heir_and_the_membership_can_then_go() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Leave").await;
        let mia = new_member(&db.store, account.id, "standard", "active").await;
        let scope = internal(account.id, InternalUse::JoinDefaults);
        let mut tx = db.store.begin().await.unwrap();
        tx.make_join_defaults(&scope, &joining(&owner), "Olivia", "To-dos", now()).await.unwrap();
        tx.make_join_defaults(&scope, &joining(&mia), "Mia", "To-dos", now()).await.unwrap();
        tx.commit().await.unwrap();
        let before = db.store.read().await.unwrap().member_defaults(&scope, owner.id).await.unwrap();

        // With records still pointing at her, the database refuses to drop the membership.
        let mut tx = db.store.begin().await.unwrap();
        assert!(tx.delete_membership(account.id, mia.id).await.is_err(), "records hold the membership");
        drop(tx);

        let leave = internal(account.id, InternalUse::LeaveTransfer);
        let mut tx = db.store.begin().await.unwrap();
        let moved = tx.move_member_records(&leave, mia.id, owner.id, now()).await.unwrap();
        assert_eq!((moved.calendars, moved.todo_lists), (1, 1));
        tx.delete_membership(account.id, mia.id).await.unwrap();
        tx.commit().await.unwrap();

        let after = db.store.read().await.unwrap().member_defaults(&scope, owner.id).await.unwrap();
        assert_eq!(after, before, "the heir keeps their own defaults; moved ones are not defaults");
        let gone = db.store.read().await.unwrap().member_defaults(&scope, mia.id).await.unwrap();
        assert_eq!(gone, MemberDefaults::default(), "her collaborator contact went with her");
    })
    .await;
}
