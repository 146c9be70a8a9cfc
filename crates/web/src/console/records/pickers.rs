//! `<select>` choices for the record forms, each read in the viewer's scope through the kind's
//! own list use case (decision 0093): contacts (which may be a million) are the first
//! [`CHOICES`] by name matching the form's `contact_q` box, projects the newest ones (the
//! service's `project_choices`, as the new-member form), members the active ones (when the viewer may read the team; otherwise the form keeps a
//! text box). The record already linked is always a choice, so saving never drops it.
use roster_service::contacts::ContactListParams;
use roster_service::{MemberListParams, ServiceError};
use uuid::Uuid;

use crate::AppState;
use crate::console::session::ConsoleUser;

/// The most choices a select offers.
pub(crate) const CHOICES: i64 = 200;

/// One `<option>`: `(id, label)`.
pub(crate) type Choice = (Uuid, String);

/// Contacts matching `q` (name, company or email; blank: the first by name), hidden ones too,
/// with `current` first when it is not among them (labelled by its id when out of reach).
pub(crate) async fn contacts(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    q: &str,
    current: Option<Uuid>,
) -> Result<Vec<Choice>, ServiceError> {
    let params = ContactListParams {
        q: Some(q.trim().to_owned()).filter(|s| !s.is_empty()),
        hidden: Some("true".to_owned()),
        limit: Some(CHOICES),
        ..ContactListParams::default()
    };
    let page = state.service.list_contacts(&user.0, account_id, &params).await?;
    let mut out: Vec<Choice> = page.items.iter().map(|c| (c.id, c.display_name())).collect();
    if let Some(id) = current
        && !out.iter().any(|(c, _)| *c == id)
    {
        let label = match state.service.get_contact(&user.0, account_id, id).await {
            Ok(c) => c.display_name(),
            Err(_) => format!("A contact you do not see ({id})"),
        };
        out.insert(0, (id, label));
    }
    Ok(out)
}

/// The newest projects in reach, with `current` first when it is not among them.
pub(crate) async fn projects(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    current: Option<Uuid>,
) -> Result<Vec<Choice>, ServiceError> {
    let mut out: Vec<Choice> = state.service.project_choices(&user.0, account_id).await?;
    if let Some(id) = current
        && !out.iter().any(|(p, _)| *p == id)
    {
        let label = match state.service.project(&user.0, account_id, id).await {
            Ok(p) => p.name,
            Err(_) => format!("A project you do not see ({id})"),
        };
        out.insert(0, (id, label));
    }
    Ok(out)
}

/// Active members by name, or `None` when the viewer may not read the team or the account has
/// more than [`CHOICES`] of them (the form then keeps its text box).
pub(crate) async fn members(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    current: Option<Uuid>,
) -> Option<Vec<Choice>> {
    let params =
        MemberListParams { status: Some("active".to_owned()), limit: Some(CHOICES), ..MemberListParams::default() };
    let page = state.service.search_members(&user.0, account_id, &params).await.ok()?;
    if page.next_cursor.is_some() {
        return None;
    }
    let mut out: Vec<Choice> = page
        .items
        .iter()
        .map(|m| (m.user_id, format!("{} {} ({})", m.first_name, m.last_name, m.email).trim().to_owned()))
        .collect();
    if let Some(id) = current
        && !out.iter().any(|(m, _)| *m == id)
    {
        let label = match state.service.member(&user.0, account_id, id).await {
            Ok(m) => format!("{} {} ({})", m.first_name, m.last_name, m.email).trim().to_owned(),
            Err(_) => id.to_string(),
        };
        out.insert(0, (id, label));
    }
    Some(out)
}
