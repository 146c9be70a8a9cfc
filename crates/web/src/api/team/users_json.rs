//! A page of members written as JSON by hand: the same bytes as its `Serialize` form (a test
//! holds the two together), without serde_json's escaping of every key and id.
//!
//! A page of 50 is 29 KB: 17 keys and a dozen strings per member. serde_json escapes each key
//! and value byte by byte; here keys are constant bytes and a value is copied whole when it has
//! nothing to escape (checked over its bytes at once), which is almost always (decision 0109).
use roster_service::{MemberPage, MemberView};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

type Out = Vec<u8>;

/// `s` as a JSON string, as serde_json writes it.
fn text(out: &mut Out, s: &str) -> Result<(), String> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(&mut *out, s).map_err(|e| e.to_string())
    }
}

fn opt_text(out: &mut Out, s: Option<&str>) -> Result<(), String> {
    match s {
        Some(s) => text(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

fn id(out: &mut Out, id: Uuid) {
    let mut buf = Uuid::encode_buffer();
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

fn opt_id(out: &mut Out, v: Option<Uuid>) {
    match v {
        Some(v) => id(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

fn boolean(out: &mut Out, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

fn at(out: &mut Out, t: time::OffsetDateTime) -> Result<(), String> {
    out.push(b'"');
    t.format_into(out, &Rfc3339).map_err(|e| e.to_string())?;
    out.push(b'"');
    Ok(())
}

/// A value whose own `Serialize` is the truth (catalogue enums, the permission array).
fn serialized(out: &mut Out, v: &impl Serialize) -> Result<(), String> {
    serde_json::to_writer(&mut *out, v).map_err(|e| e.to_string())
}

fn member(out: &mut Out, m: &MemberView) -> Result<(), String> {
    out.extend_from_slice(b"{\"user_id\":");
    id(out, m.user_id);
    out.extend_from_slice(b",\"email\":");
    text(out, &m.email)?;
    out.extend_from_slice(b",\"username\":");
    opt_text(out, m.username.as_deref())?;
    out.extend_from_slice(b",\"first_name\":");
    text(out, &m.first_name)?;
    out.extend_from_slice(b",\"last_name\":");
    text(out, &m.last_name)?;
    out.extend_from_slice(b",\"phone\":");
    opt_text(out, m.phone.as_deref())?;
    out.extend_from_slice(b",\"company\":");
    opt_text(out, m.company.as_deref())?;
    out.extend_from_slice(b",\"role\":");
    serialized(out, &m.role)?;
    out.extend_from_slice(b",\"custom_role_id\":");
    opt_id(out, m.custom_role_id);
    out.extend_from_slice(b",\"permissions\":");
    serialized(out, &m.permissions)?;
    out.extend_from_slice(b",\"status\":");
    serialized(out, &m.status)?;
    out.extend_from_slice(b",\"is_owner\":");
    boolean(out, m.is_owner);
    out.extend_from_slice(b",\"last_sign_in_at\":");
    match m.last_sign_in_at {
        Some(t) => at(out, t)?,
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"created_at\":");
    at(out, m.created_at)?;
    let p = &m.preferences;
    out.extend_from_slice(b",\"preferences\":{\"landing_page\":");
    text(out, &p.landing_page)?;
    out.extend_from_slice(b",\"contact_tab\":");
    text(out, &p.contact_tab)?;
    out.extend_from_slice(b",\"show_calendar\":");
    boolean(out, p.show_calendar);
    out.extend_from_slice(b",\"daily_reminders\":");
    boolean(out, p.daily_reminders);
    out.extend_from_slice(b"}}");
    Ok(())
}

/// The page's JSON, `capacity` bytes reserved.
pub(crate) fn member_page(page: &MemberPage, capacity: usize) -> Result<Out, String> {
    let mut out = Vec::with_capacity(capacity);
    out.extend_from_slice(b"{\"items\":[");
    for (i, m) in page.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        member(&mut out, m)?;
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    opt_text(&mut out, page.next_cursor.as_deref())?;
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use roster_core::{MembershipStatus, Permission, PermissionSet, RoleKind};
    use roster_service::{PermissionIds, Preferences};

    use super::*;

    fn view(n: u128, name: &str, some: bool) -> MemberView {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_790_000_000_123_456_000 + n as i128 * 1_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        MemberView {
            user_id: Uuid::from_u128(n),
            email: format!("{name}@example.com"),
            username: some.then(|| format!("u\"{name}\\")),
            first_name: name.to_owned(),
            last_name: format!("{name}\u{1}\n\t\u{7f}é😀"),
            phone: some.then(|| "+1 555".to_owned()),
            company: some.then(|| "<Acme & \"Co\">".to_owned()),
            role: if some { RoleKind::Custom } else { RoleKind::Owner },
            custom_role_id: some.then(|| Uuid::from_u128(n + 7)),
            permissions: PermissionIds(if some {
                PermissionSet::of(&[Permission::UsersView, Permission::TimeTrack])
            } else {
                PermissionSet::all()
            }),
            status: if some { MembershipStatus::Disabled } else { MembershipStatus::Active },
            is_owner: !some,
            last_sign_in_at: some.then_some(t),
            created_at: t,
            preferences: Preferences {
                landing_page: "dashboard".to_owned(),
                contact_tab: format!("tab\"{n}"),
                show_calendar: some,
                daily_reminders: !some,
            },
        }
    }

    /// R-LIST-1 / API.md: the hand-written page is byte for byte the page's `Serialize` form
    /// (the form the OpenAPI document describes), escapes and absent values included.
    #[test]
    fn r_list_1_the_written_page_is_its_serialized_form() {
        let pages = [
            MemberPage { items: vec![], next_cursor: None },
            MemberPage {
                items: vec![view(1, "ann", true), view(2, "bob", false), view(3, "\u{0}zed\u{1f}", true)],
                next_cursor: Some("c\"ur\\sor\n".to_owned()),
            },
            MemberPage { items: (0..60).map(|n| view(n, "many", n % 2 == 0)).collect(), next_cursor: None },
        ];
        for page in pages {
            let expected = serde_json::to_vec(&page).unwrap_or_default();
            let written = member_page(&page, 16).unwrap_or_default();
            assert_eq!(String::from_utf8_lossy(&written), String::from_utf8_lossy(&expected));
        }
    }
}
