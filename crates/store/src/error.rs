use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique key refused the write; names the key (`email`, `username`, `slug`, `membership`,
    /// `invitation`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A rule the database enforces refused the write (R-OWN-1, R-OWN-3, R-OWN-4).
    #[error("refused by {0}")]
    Rule(&'static str),
    #[error("cannot open the database: {0}")]
    Config(String),
    #[error("cannot reach the database: {0}")]
    Unavailable(String),
    /// The database file cannot be written: the disk is full or it answered an I/O error
    /// (SQLite). Reads may still work; `/readyz` reports it until a write succeeds again.
    #[error("storage is failing: {0}")]
    Storage(String),
    #[error("database error: {0}")]
    Database(String),
    /// A stored value that is not in its catalogue (`roster_core::catalogue`): refused, never
    /// read as a default.
    #[error("stored value outside its catalogue: {0}")]
    Unknown(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
}

/// Reads a database's refusal: a rule a trigger raised, a unique key, or the owner's foreign key.
/// `names` is the message plus, where the driver gives it, the constraint's name.
fn classify(msg: &str, names: &str, unique: bool, foreign_key: bool) -> Option<StoreError> {
    for rule in ["R-OWN-1", "R-OWN-3", "R-OWN-4"] {
        if msg.contains(rule) {
            return Some(StoreError::Rule(rule));
        }
    }
    if unique {
        // PostgreSQL names the index (`memberships_one_owner_role`); SQLite names only its
        // columns, and that partial index is the only unique key on `memberships (account_id)`
        // alone ("UNIQUE constraint failed: memberships.account_id"; the primary key adds
        // `memberships.user_id`).
        if names.contains("one_owner") || msg.ends_with("memberships.account_id") {
            return Some(StoreError::Rule("R-OWN-1"));
        }
        // Invitations first: their pending-address index is named for the email it guards.
        let key = if names.contains("invitations") {
            "invitation"
        } else if names.contains("email") {
            "email"
        } else if names.contains("username") {
            "username"
        } else if names.contains("slug") {
            "slug"
        } else if names.contains("time_entries") {
            // R-TIME-1: `time_entries_one_running`, one running timer per member.
            "timer"
        } else if names.contains("memberships") {
            "membership"
        } else {
            "record"
        };
        return Some(StoreError::Conflict(key));
    }
    if foreign_key && (msg.contains("owner") || names.contains("owner")) {
        return Some(StoreError::Rule("R-OWN-1"));
    }
    None
}

/// Whether `e` says the connection itself is gone (PostgreSQL restarted or shut down, the socket
/// closed) rather than the statement being refused: 503, not 500, and a plain read may be sent
/// again on another connection (decision 0103).
pub(crate) fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        // 08: connection exception; 57P01-03: admin or crash shutdown, cannot connect now.
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if connection_lost(&e) {
            return StoreError::Unavailable(e.to_string());
        }
        match &e {
            sqlx::Error::Database(db) => {
                let msg = db.message();
                let names = format!("{msg} {}", db.constraint().unwrap_or_default());
                classify(msg, &names, db.is_unique_violation(), db.is_foreign_key_violation())
                    .unwrap_or_else(|| StoreError::Database(e.to_string()))
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &e {
            rusqlite::Error::SqliteFailure(err, msg) => {
                let msg = msg.as_deref().unwrap_or_default();
                let unique =
                    matches!(err.extended_code, ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY);
                let foreign_key = err.extended_code == ffi::SQLITE_CONSTRAINT_FOREIGNKEY;
                if let Some(known) = classify(msg, msg, unique, foreign_key) {
                    return known;
                }
                match err.code {
                    ffi::ErrorCode::DiskFull | ffi::ErrorCode::SystemIoFailure => StoreError::Storage(e.to_string()),
                    ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked => {
                        StoreError::Unavailable(e.to_string())
                    }
                    ffi::ErrorCode::CannotOpen | ffi::ErrorCode::ReadOnly | ffi::ErrorCode::PermissionDenied => {
                        StoreError::Unavailable(e.to_string())
                    }
                    _ => StoreError::Database(e.to_string()),
                }
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}
