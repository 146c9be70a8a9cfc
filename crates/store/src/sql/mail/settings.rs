use async_trait::async_trait;
use uuid::Uuid;

use super::super::driver::{SqlTx, get, to_db};
use super::super::{DbRow, time, uuid};
use crate::{MailSettingsRepo, Result, SmtpSettingsRow, TemplateRow};

fn smtp_from_row(r: &DbRow<'_>) -> Result<SmtpSettingsRow> {
    Ok(SmtpSettingsRow {
        account_id: uuid(r, "account_id")?,
        host: get(r, "host")?,
        port: get(r, "port")?,
        security: get(r, "security")?,
        username: get(r, "username")?,
        password_enc: get(r, "password_enc")?,
        from_addr: get(r, "from_addr")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn template_from_row(r: &DbRow<'_>) -> Result<TemplateRow> {
    Ok(TemplateRow {
        account_id: uuid(r, "account_id")?,
        name: get(r, "name")?,
        subject: get(r, "subject")?,
        text_body: get(r, "text_body")?,
        html_body: get(r, "html_body")?,
        updated_by: get(r, "updated_by")?,
        updated_at: time(r, "updated_at")?,
    })
}

#[async_trait]
impl MailSettingsRepo for SqlTx {
    async fn smtp_settings(&mut self, account_id: Uuid) -> Result<Option<SmtpSettingsRow>> {
        self.opt(
            "SELECT account_id, host, port, security, username, password_enc, from_addr, updated_at \
             FROM account_smtp WHERE account_id = $1",
            args![account_id],
            smtp_from_row,
        )
        .await
    }

    async fn put_smtp_settings(&mut self, s: &SmtpSettingsRow) -> Result<()> {
        self.exec(
            "INSERT INTO account_smtp (account_id, host, port, security, username, password_enc, from_addr, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id) DO UPDATE SET host = $2, port = $3, \
             security = $4, username = $5, password_enc = $6, from_addr = $7, updated_at = $8",
            args![s.account_id, s.host, s.port, s.security, s.username, s.password_enc, s.from_addr, to_db(s.updated_at)],
        )
        .await?;
        Ok(())
    }

    async fn delete_smtp_settings(&mut self, account_id: Uuid) -> Result<bool> {
        Ok(self.exec("DELETE FROM account_smtp WHERE account_id = $1", args![account_id]).await? == 1)
    }

    async fn template_override(&mut self, account_id: Uuid, name: &str) -> Result<Option<TemplateRow>> {
        self.opt(
            "SELECT account_id, name, subject, text_body, html_body, updated_by, updated_at \
             FROM email_templates WHERE account_id = $1 AND name = $2",
            args![account_id, name],
            template_from_row,
        )
        .await
    }

    async fn template_overrides(&mut self, account_id: Uuid) -> Result<Vec<String>> {
        self.all("SELECT name FROM email_templates WHERE account_id = $1 ORDER BY name", args![account_id], |r| {
            get(r, "name")
        })
        .await
    }

    async fn put_template_override(&mut self, t: &TemplateRow) -> Result<()> {
        self.exec(
            "INSERT INTO email_templates (account_id, name, subject, text_body, html_body, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, name) DO UPDATE SET subject = $3, \
             text_body = $4, html_body = $5, updated_by = $6, updated_at = $7",
            args![t.account_id, t.name, t.subject, t.text_body, t.html_body, t.updated_by, to_db(t.updated_at)],
        )
        .await?;
        Ok(())
    }

    async fn delete_template_override(&mut self, account_id: Uuid, name: &str) -> Result<bool> {
        let n = self
            .exec("DELETE FROM email_templates WHERE account_id = $1 AND name = $2", args![account_id, name])
            .await?;
        Ok(n == 1)
    }
}
