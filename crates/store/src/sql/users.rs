use async_trait::async_trait;
use sqlx::Row;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{DbRow, SqlTx, time, to_db, uuid};
use crate::{Result, UserRepo, UserRow};

pub(super) fn user_from_row(r: &DbRow) -> Result<UserRow> {
    Ok(UserRow {
        id: uuid(r, "u_id")?,
        email: r.try_get("u_email")?,
        username: r.try_get("u_username")?,
        first_name: r.try_get("u_first_name")?,
        last_name: r.try_get("u_last_name")?,
        phone: r.try_get("u_phone")?,
        company: r.try_get("u_company")?,
        password_hash: r.try_get("u_password_hash")?,
        time_zone: r.try_get("u_time_zone")?,
        is_operator: r.try_get("u_is_operator")?,
        created_at: time(r, "u_created_at")?,
        updated_at: time(r, "u_updated_at")?,
    })
}

const USER_BY_ID: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.id = $1");
const USER_BY_EMAIL: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.email = $1");
const USER_BY_USERNAME: &str = concat!("SELECT ", user_cols!(), " FROM users u WHERE u.username = $1");

impl SqlTx {
    async fn one_user(&mut self, sql: &'static str, value: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query(sql).bind(value).fetch_optional(self.c()).await?;
        row.as_ref().map(user_from_row).transpose()
    }
}

#[async_trait]
impl UserRepo for SqlTx {
    async fn insert_user(&mut self, u: &UserRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, email, username, first_name, last_name, sort_name, phone, company, \
             password_hash, time_zone, is_operator, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(u.id)
        .bind(&u.email)
        .bind(&u.username)
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.sort_name())
        .bind(&u.phone)
        .bind(&u.company)
        .bind(&u.password_hash)
        .bind(&u.time_zone)
        .bind(u.is_operator)
        .bind(to_db(u.created_at))
        .bind(to_db(u.updated_at))
        .execute(self.c())
        .await?;
        Ok(())
    }

    async fn user_by_id(&mut self, id: Uuid) -> Result<Option<UserRow>> {
        let row = sqlx::query(USER_BY_ID).bind(id).fetch_optional(self.c()).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_email(&mut self, email: &str) -> Result<Option<UserRow>> {
        self.one_user(USER_BY_EMAIL, email).await
    }

    async fn user_by_username(&mut self, username: &str) -> Result<Option<UserRow>> {
        self.one_user(USER_BY_USERNAME, username).await
    }

    async fn operator_exists(&mut self) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM users WHERE is_operator = TRUE LIMIT 1").fetch_optional(self.c()).await?;
        Ok(row.is_some())
    }

    async fn replace_setup_token(&mut self, token_hash: &[u8], expires_at: OffsetDateTime) -> Result<()> {
        sqlx::query("DELETE FROM setup_tokens").execute(self.c()).await?;
        sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(to_db(expires_at))
            .execute(self.c())
            .await?;
        Ok(())
    }

    async fn take_setup_token(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool> {
        let done = sqlx::query("DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(to_db(now))
            .execute(self.c())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn setup_token_valid(&mut self, token_hash: &[u8], now: OffsetDateTime) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(to_db(now))
            .fetch_optional(self.c())
            .await?;
        Ok(row.is_some())
    }
}
