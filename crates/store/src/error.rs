use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique key refused the write; names the key (`email`, `username`, `slug`, `membership`).
    #[error("already exists: {0}")]
    Conflict(&'static str),
    /// A rule the database enforces refused the write (R-OWN-1, R-OWN-3, R-OWN-4).
    #[error("refused by {0}")]
    Rule(&'static str),
    #[error("cannot open the database: {0}")]
    Config(String),
    #[error("cannot reach the database: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) => {
                let msg = db.message();
                for rule in ["R-OWN-1", "R-OWN-3", "R-OWN-4"] {
                    if msg.contains(rule) {
                        return StoreError::Rule(rule);
                    }
                }
                if db.is_unique_violation() {
                    let what = format!("{msg} {}", db.constraint().unwrap_or_default());
                    // PostgreSQL names the index (`memberships_one_owner_role`); SQLite names only
                    // its columns, and that partial index is the only unique key on
                    // `memberships (account_id)` alone ("UNIQUE constraint failed:
                    // memberships.account_id"; the primary key adds `memberships.user_id`).
                    let key = if what.contains("one_owner") || msg.ends_with("memberships.account_id") {
                        return StoreError::Rule("R-OWN-1");
                    } else if what.contains("email") {
                        "email"
                    } else if what.contains("username") {
                        "username"
                    } else if what.contains("slug") {
                        "slug"
                    } else if what.contains("memberships") {
                        "membership"
                    } else {
                        "record"
                    };
                    return StoreError::Conflict(key);
                }
                if db.is_foreign_key_violation() && msg.contains("owner") {
                    return StoreError::Rule("R-OWN-1");
                }
                StoreError::Database(e.to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}
