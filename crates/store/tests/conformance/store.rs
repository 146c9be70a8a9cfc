//! Schema, migrations and units of work: the same shape on both backends, migrations once, a dropped or refused unit leaves nothing.
use super::*;

// ---------------------------------------------------------------------------------------------
// schema and migrations

#[tokio::test]
async fn schema_shape_is_the_same_on_both_backends() {
    let sqlite = fresh_db(Backend::Sqlite).await;
    let sqlite_shape = sqlite.store.read().await.unwrap().schema_shape().await.unwrap();
    let tables: HashSet<&str> = sqlite_shape.iter().map(|(t, _, _)| t.as_str()).collect();
    for t in ["users", "accounts", "roles", "memberships", "sessions", "setup_tokens", "audit_events"] {
        assert!(tables.contains(t), "table {t} missing from the SQLite schema: {tables:?}");
    }
    assert!(!tables.contains("schema_migrations"), "schema_shape must leave out schema_migrations");
    assert!(sqlite_shape.contains(&("users".into(), "email".into(), true)));
    assert!(sqlite_shape.contains(&("users".into(), "username".into(), false)));
    if !backends().await.contains(&Backend::Postgres) {
        eprintln!("-- PostgreSQL unavailable: only the SQLite shape was checked");
        return;
    }
    let pg = fresh_db(Backend::Postgres).await;
    let pg_shape = pg.store.read().await.unwrap().schema_shape().await.unwrap();
    let only_sqlite: Vec<_> = sqlite_shape.iter().filter(|c| !pg_shape.contains(c)).collect();
    let only_pg: Vec<_> = pg_shape.iter().filter(|c| !sqlite_shape.contains(c)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ: only in SQLite {only_sqlite:?}, only in PostgreSQL {only_pg:?}"
    );
    assert_eq!(sqlite_shape, pg_shape);
}

#[tokio::test]
async fn migrations_are_idempotent_and_ready_follows_them() {
    for backend in backends().await {
        eprintln!("-- store test on {backend:?}");
        let db = fresh_empty_db(backend).await;
        assert!(!db.store.ready().await, "{backend:?}: an unmigrated database must not be ready");
        db.store.migrate().await.unwrap();
        assert!(db.store.ready().await, "{backend:?}: ready after migrate");
        let shape = db.store.read().await.unwrap().schema_shape().await.unwrap();
        db.store.migrate().await.unwrap();
        db.store.migrate().await.unwrap();
        assert!(db.store.ready().await);
        assert_eq!(db.store.read().await.unwrap().schema_shape().await.unwrap(), shape);
        // Data survives a second migrate.
        let u = new_user(&db.store, "Stay", "Put").await;
        db.store.migrate().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().user_by_id(u.id).await.unwrap(), Some(u));
    }
}

#[tokio::test]
async fn migrations_from_two_replicas_at_once_apply_once() {
    for backend in backends().await {
        eprintln!("-- store test on {backend:?}");
        let db = fresh_empty_db(backend).await;
        let other = db.open_again().await;
        let (a, b) = tokio::join!(db.store.migrate(), other.migrate());
        a.unwrap();
        b.unwrap();
        assert!(db.store.ready().await && other.ready().await);
        other.close().await;
    }
}

#[tokio::test]
async fn a_store_is_ready_and_reports_its_backend() {
    for_each_backend(|db: TestDb| async move {
        assert!(db.store.ready().await);
        assert_eq!(db.store.backend(), db.backend);
        assert!(db.store.pool_stats().size >= 1);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// units of work

#[tokio::test]
async fn dropping_a_tx_without_commit_writes_nothing() {
    for_each_backend(|db: TestDb| async move {
        let user = full_user("Roll", "Back");
        let account = account_row("Never", user.id);
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.insert_account(&account, &MembershipRow::new(account.id, user.id, roster_core::RoleKind::Owner, now()))
            .await
            .unwrap();
        tx.insert_session(&session_row(user.id, Some(account.id), now())).await.unwrap();
        tx.replace_setup_token(b"rolled-back", now() + Duration::hours(1)).await.unwrap();
        assert!(tx.user_by_id(user.id).await.unwrap().is_some(), "a tx sees its own writes");
        drop(tx);

        let mut r = db.store.read().await.unwrap();
        assert_eq!(r.user_by_id(user.id).await.unwrap(), None);
        assert_eq!(r.account_by_id(account.id).await.unwrap(), None);
        assert_eq!(r.membership(account.id, user.id).await.unwrap(), None);
        assert!(!r.setup_token_valid(b"rolled-back", now()).await.unwrap());
        assert!(r.memberships_of_user(user.id).await.unwrap().is_empty());
        drop(r);
        // The writer is free again; the same rows can now be written for real.
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.store.read().await.unwrap().user_by_id(user.id).await.unwrap(), Some(user));
    })
    .await;
}

#[tokio::test]
async fn a_refused_write_leaves_the_rest_of_the_unit_uncommitted() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Atomic").await;
        let newcomer = bare_user("New", "Comer");
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&newcomer).await.unwrap();
        assert!(tx.delete_membership(account.id, owner.id).await.is_err());
        drop(tx);
        assert_eq!(db.store.read().await.unwrap().user_by_id(newcomer.id).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn committed_writes_are_seen_by_other_stores_on_the_same_database() {
    for_each_backend(|db: TestDb| async move {
        let replica = db.open_again().await;
        let (account, owner) = new_account(&db.store, "Shared").await;
        let mut r = replica.read().await.unwrap();
        assert_eq!(r.account_by_id(account.id).await.unwrap(), Some(account.clone()));
        assert!(r.membership(account.id, owner.id).await.unwrap().unwrap().is_owner);
        drop(r);
        replica.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_unit_of_work_abandoned_while_it_begins_leaves_the_writer_usable() {
    for_each_backend(|db| async move {
        // Another process (here: another store on the same file) holds the write lock, so
        // `begin` waits; the caller gives up (a client hung up) before it gets the lock.
        let other = db.open_again().await;
        let mut holder = other.begin().await.unwrap();
        holder.insert_user(&bare_user("Lock", "Holder")).await.unwrap();
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(100), db.store.begin()).await;
        drop(abandoned);
        holder.commit().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        // The writer is usable again: a new unit begins, writes and commits.
        let user = bare_user("After", "Cancel");
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        tx.commit().await.unwrap();
        assert!(db.store.read().await.unwrap().user_by_id(user.id).await.unwrap().is_some());
        other.close().await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// catalogue values (issue 15): an unknown value read back is a store error, never a default

/// Runs one statement on the test database behind the store's back (as an older or newer
/// version, or a hand edit, might have written it).
pub(crate) async fn raw_exec(db: &TestDb, sql: &str) {
    match db.backend {
        Backend::Sqlite => {
            let path = db.url.strip_prefix("sqlite://").unwrap().to_owned();
            let sql = sql.to_owned();
            tokio::task::spawn_blocking(move || {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                conn.execute_batch(&sql).unwrap();
            })
            .await
            .unwrap();
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.unwrap();
        }
    }
}

fn is_unknown_value(e: &StoreError, column: &str) -> bool {
    matches!(e, StoreError::Unknown(m) if m.contains(column))
}

/// A uuid literal for hand-written SQL on either backend (SQLite stores ids as 16-byte blobs).
fn sql_id(db: &TestDb, id: Uuid) -> String {
    match db.backend {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("'{id}'"),
    }
}

#[tokio::test]
async fn an_unknown_role_or_audit_action_in_the_database_is_a_store_error_not_a_default() {
    for_each_backend(|db: TestDb| async move {
        let (account, owner) = new_account(&db.store, "Catalogued").await;
        let member = new_member(&db.store, account.id, "standard", "active").await;
        let mut tx = db.store.begin().await.unwrap();
        tx.insert_audit(&AuditRow {
            id: Uuid::now_v7(),
            account_id: Some(account.id),
            actor_id: Some(owner.id),
            impersonator_id: None,
            action: roster_core::AuditAction::MemberAdded,
            target_type: None,
            target_id: None,
            ip: None,
            details: None,
            at: now(),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Neither column has a CHECK: only the decoder stands between a stray value and a view.
        raw_exec(&db, &format!("UPDATE memberships SET role = 'root' WHERE user_id = {}", sql_id(&db, member.id)))
            .await;
        raw_exec(&db, "UPDATE audit_events SET action = 'member.teleported'").await;
        let mut tx = db.store.read().await.unwrap();
        let role = tx.membership(account.id, member.id).await.expect_err("role 'root' is not a role");
        assert!(is_unknown_value(&role, "m_role"), "got {role:?}");
        let action = tx.audit_of_account(account.id, 10).await.expect_err("not an audit action");
        assert!(is_unknown_value(&action, "action"), "got {action:?}");
        // The owner's row still reads: one bad row does not poison the others' reads.
        assert!(tx.membership(account.id, owner.id).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn r_perm_2_an_invite_policy_outside_the_catalogue_is_refused_by_the_database() {
    for_each_backend(|db: TestDb| async move {
        let (account, _) = new_account(&db.store, "Policed").await;
        let a = account.clone();
        let bad = format!("UPDATE accounts SET invite_policy = 'anyone' WHERE id = {}", sql_id(&db, a.id));
        let refused = match db.backend {
            Backend::Sqlite => {
                let path = db.url.strip_prefix("sqlite://").unwrap().to_owned();
                tokio::task::spawn_blocking(move || {
                    rusqlite::Connection::open(path).unwrap().execute_batch(&bad).is_err()
                })
                .await
                .unwrap()
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(bad)).execute(&mut conn).await.is_err()
            }
        };
        assert!(refused, "the CHECK constraint refuses it");
        let read = db.store.read().await.unwrap().account_by_id(account.id).await.unwrap().unwrap();
        assert_eq!(read.invite_policy, roster_core::InvitePolicy::OwnerOnly);
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// failures (issue 18, decision 0103)

/// PostgreSQL restarted (every connection of the pool ended by the server): reads and units of
/// work go on without an error, and a statement inside a transaction whose connection is gone is
/// `Unavailable` (503), never a database error (500).
#[tokio::test]
async fn postgres_lost_connections_are_replaced_not_answered_500() {
    if !backends().await.contains(&Backend::Postgres) {
        eprintln!("-- PostgreSQL unavailable: skipped");
        return;
    }
    let db = fresh_db(Backend::Postgres).await;
    let u = new_user(&db.store, "Still", "Here").await;
    // Several connections in the pool.
    let reads: Vec<_> = (0..4).map(|_| db.store.read()).collect();
    let mut held = Vec::new();
    for r in reads {
        held.push(r.await.unwrap());
    }
    drop(held);
    let terminate = || async {
        let admin: sqlx::PgPool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .execute(&admin)
        .await
        .unwrap();
        admin.close().await;
    };
    terminate().await;
    for _ in 0..6 {
        let got = db.store.read().await.unwrap().user_by_id(u.id).await;
        assert_eq!(got.unwrap().map(|x| x.id), Some(u.id), "a read after the restart");
    }
    terminate().await;
    let v = new_user(&db.store, "After", "Restart").await;
    assert!(db.store.read().await.unwrap().user_by_id(v.id).await.unwrap().is_some());
    // Inside a transaction: never sent again; 503, not 500.
    let mut tx = db.store.begin().await.unwrap();
    terminate().await;
    match tx.user_by_id(u.id).await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("a statement on a lost connection inside a transaction: {other:?}"),
    }
    drop(tx);
    assert!(db.store.ready().await);
}

/// SQLite on a full disk (simulated with `max_page_count`): a write is `StoreError::Storage`
/// (503 `storage_unavailable`), reads go on, readiness says so, and a committed write clears it.
#[tokio::test]
async fn sqlite_full_disk_is_storage_unavailable_and_readiness_reports_it() {
    let db = fresh_db(Backend::Sqlite).await;
    let u = new_user(&db.store, "Before", "Full").await;
    let full = Arc::new(roster_store::sqlite::SqliteStore::open(&db.url).await.unwrap());
    let store: Arc<dyn Store> = full.clone();
    assert_eq!(store.readiness().await, roster_store::Readiness::Ready);
    full.simulate_full_disk(true).await.unwrap();
    let mut refused = None;
    for _ in 0..5_000 {
        let mut tx = store.begin().await.unwrap();
        if let Err(e) = tx.insert_user(&bare_user("Fill", "Up")).await {
            refused = Some(e);
            break;
        }
        if let Err(e) = tx.commit().await {
            refused = Some(e);
            break;
        }
    }
    assert!(matches!(refused, Some(StoreError::Storage(_))), "a write on a full disk: {refused:?}");
    assert!(matches!(store.readiness().await, roster_store::Readiness::Storage(_)));
    assert_eq!(db.store.readiness().await, roster_store::Readiness::Ready, "each store keeps its own mark");
    assert!(store.read().await.unwrap().user_by_id(u.id).await.unwrap().is_some(), "reads go on");
    // Space again: the next committed write clears the mark.
    full.simulate_full_disk(false).await.unwrap();
    insert_user(&store, &bare_user("Room", "Again")).await;
    assert_eq!(store.readiness().await, roster_store::Readiness::Ready);
}

/// A large generated load on SQLite builds the contact list indexes after the rows (decision
/// 0102): dropped when it starts, the same indexes (same columns) when it ends, and `migrate`
/// builds them again if a load was interrupted.
#[tokio::test]
async fn sqlite_bulk_load_builds_the_contact_list_indexes_after_and_migrate_restores_them() {
    let db = fresh_db(Backend::Sqlite).await;
    let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_owned();
    let indexes = || {
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut s = c
            .prepare(
                "SELECT m.name || ': ' || (SELECT group_concat(i.name, ',') FROM pragma_index_info(m.name) i) \
                 FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name = 'contacts' ORDER BY m.name",
            )
            .unwrap();
        s.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect::<Vec<_>>()
    };
    let before = indexes();
    assert!(
        before.iter().any(|i| i.starts_with("contacts_by_name: account_id,sort_name,id,sort_company")),
        "{before:?}"
    );
    db.store.contacts_bulk_load(true).await.unwrap();
    assert!(!indexes().iter().any(|i| i.starts_with("contacts_by_name:")), "dropped for the load");
    db.store.contacts_bulk_load(false).await.unwrap();
    assert_eq!(indexes(), before);
    db.store.contacts_bulk_load(true).await.unwrap();
    db.store.migrate().await.unwrap();
    assert_eq!(indexes(), before, "migrate after an interrupted load");
}
