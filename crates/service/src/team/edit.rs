//! Reading one member and changing their rights and preferences (R-PERM-1, R-OWN-2).
use roster_core::{Action, FieldErrors, PermissionSet, PersonName, authorize};
use roster_store::{MemberPerson, MemberRow, MembershipRow, UserDetails, UserRow};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::impersonation::is_self;
use crate::rights::{check_grantable, check_holds_no_more, resolve_rights};
use crate::signin::{Principal, audit};
use crate::views::{MemberView, effective_permissions};
use crate::{Meta, Result, Service, ServiceError, actor};

/// Pages a member may land on after sign-in (R-AUTH-2); the console has `team` and `home` so
/// far, the others come with the work records (until then they land as `dashboard` does).
pub const LANDING_PAGES: [&str; 8] =
    ["dashboard", "home", "team", "contacts", "projects", "todos", "calendar", "tickets"];

/// What `PATCH /accounts/{id}/users/{user_id}` changes; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// A built-in role key (never `owner`), or a custom role's id or name.
    pub role: Option<String>,
    /// An explicit permission list instead of a role.
    pub permissions: Option<Vec<String>>,
    pub preferences: Option<PreferencesPatch>,
    /// The login's first name (R-USR-1's person). The profile fields are refused (409
    /// `shared_login`) for a login that also belongs to another account or is an operator: one
    /// account's admin does not change what others see of a person, nor how they sign in.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Empty clears it.
    pub phone: Option<String>,
    /// Empty clears it.
    pub company: Option<String>,
    /// 3 to 64 characters, without spaces or `@`, unique in the installation; empty clears it.
    pub username: Option<String>,
}

impl MemberPatch {
    fn touches_profile(&self) -> bool {
        self.first_name.is_some()
            || self.last_name.is_some()
            || self.phone.is_some()
            || self.company.is_some()
            || self.username.is_some()
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesPatch {
    pub landing_page: Option<String>,
    pub contact_tab: Option<String>,
    pub show_calendar: Option<bool>,
    pub daily_reminders: Option<bool>,
}

impl PreferencesPatch {
    /// Sets the asked preferences on `m`; an unknown landing page or contact tab is an error
    /// named `preferences.<field>` in `errs` (and `m` keeps its value).
    pub(crate) fn apply(&self, m: &mut MembershipRow, errs: &mut FieldErrors) {
        if let Some(page) = self.landing_page.as_deref() {
            if LANDING_PAGES.contains(&page) {
                m.landing_page = page.to_owned();
            } else {
                errs.add("preferences.landing_page", format!("Choose one of {}.", LANDING_PAGES.join(", ")));
            }
        }
        if let Some(tab) = self.contact_tab.as_deref() {
            match roster_core::ContactTab::parse(tab) {
                Ok(tab) => m.contact_tab = tab.as_str().to_owned(),
                Err(_) => {
                    errs.add("preferences.contact_tab", "Choose overview, projects, todos, events, emails or notes.")
                }
            }
        }
        m.show_calendar = self.show_calendar.unwrap_or(m.show_calendar);
        m.daily_reminders = self.daily_reminders.unwrap_or(m.daily_reminders);
    }
}

impl Service {
    /// One member of the account; needs `users.view` (or being that member).
    pub async fn member(&self, p: &Principal, account_id: Uuid, user_id: Uuid) -> Result<MemberView> {
        let mut tx = self.store.read().await?;
        let (actor, _) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let action = if user_id == p.user.id { Action::ViewAccount(account_id) } else { Action::ViewTeam(account_id) };
        authorize(&actor, action)?;
        let m = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        let u = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
        Ok(MemberView::from(MemberRow { user: MemberPerson::from(&u), membership: m }))
    }

    /// Changes a member's role or permission list (needs `users.manage`; nobody edits their own
    /// rights or the owner's, nor grants or takes what they do not hold) and preferences (the
    /// member themselves, or `users.manage`).
    pub async fn update_member(
        &self,
        p: &Principal,
        account_id: Uuid,
        user_id: Uuid,
        patch: &MemberPatch,
        meta: &Meta,
    ) -> Result<MemberView> {
        let rights = patch.role.is_some() || patch.permissions.is_some();
        let mut tx = self.store.begin().await?;
        let (actor, mine) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let own = is_self(p, user_id);
        let action = if own && !rights { Action::ViewAccount(account_id) } else { Action::ManageMembers(account_id) };
        authorize(&actor, action)?;
        let mut m = tx.membership(account_id, user_id).await?.ok_or(ServiceError::NotFound)?;
        let mut errs = FieldErrors::new();
        if rights {
            if own {
                return Err(rule("R-PERM-1", "Nobody edits their own rights; ask another admin or the owner."));
            }
            if m.is_owner {
                return Err(rule("R-OWN-2", "Nobody changes the owner's permissions: the owner holds them all."));
            }
            // Nobody changes the rights of someone holding more than they do (taking away
            // included): that would be a way around R-PERM-1, as for delete and log in as.
            check_holds_no_more(mine.as_ref(), &m)?;
            let held = mine.as_ref().map_or(PermissionSet::EMPTY, effective_permissions);
            if let Some(rights) =
                resolve_rights(tx.as_mut(), account_id, patch.role.as_deref(), patch.permissions.as_deref(), &mut errs)
                    .await?
            {
                // R-PERM-1: what the member ends up with must be the actor's to give.
                check_grantable(held, rights.set())?;
                rights.apply(&mut m);
            }
        }
        let mut details = None;
        if patch.touches_profile() {
            crate::impersonation::refuse_while_impersonating(p, "change a login's name, phone, company or username")?;
            if !own {
                if m.is_owner {
                    return Err(ServiceError::Rule {
                        rule: "R-OWN-2",
                        code: roster_core::ProblemCode::OwnerRule,
                        message: "Only the owner changes the owner's name, phone, company or username.".to_owned(),
                    });
                }
                // R-PERM-1, as for a password: not someone holding what the admin lacks.
                check_holds_no_more(mine.as_ref(), &m)?;
            }
            let u = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
            if !own {
                let elsewhere = tx.memberships_of_user(user_id).await?.iter().any(|(a, _)| a.id != account_id);
                if elsewhere || u.is_operator {
                    return Err(ServiceError::Rule {
                        rule: "R-AUTH-6",
                        code: roster_core::ProblemCode::SharedLogin,
                        message: "This person also signs in to other accounts: only they can change their name, \
                                  phone, company or username."
                            .to_owned(),
                    });
                }
            }
            let d = profile_of(patch, &u, &mut errs);
            if let Some(name) = d.username.as_deref()
                && u.username.as_deref() != Some(name)
                && tx.user_by_username(name).await?.is_some_and(|other| other.id != user_id)
            {
                errs.add("username", "This username is taken.");
            }
            details = Some(d);
        }
        if let Some(prefs) = &patch.preferences {
            prefs.apply(&mut m, &mut errs);
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        tx.update_membership(&m).await?;
        if let Some(d) = &details {
            tx.update_user_details(user_id, d, crate::now()).await?;
            let target = ("user", user_id.to_string());
            tx.insert_audit(&audit(
                roster_core::AuditAction::MemberProfileChanged,
                p.who(),
                Some(account_id),
                target,
                meta,
            ))
            .await?;
        }
        if rights || patch.preferences.is_some() || details.is_none() {
            let what = if rights {
                roster_core::AuditAction::MemberRightsChanged
            } else {
                roster_core::AuditAction::MemberPreferencesChanged
            };
            tx.insert_audit(&audit(what, p.who(), Some(account_id), ("user", user_id.to_string()), meta)).await?;
        }
        let u = tx.user_by_id(user_id).await?.ok_or(ServiceError::NotFound)?;
        tx.commit().await?;
        Ok(MemberView::from(MemberRow { user: MemberPerson::from(&u), membership: m }))
    }
}

/// The login's details after the patch; errors name the field.
fn profile_of(patch: &MemberPatch, u: &UserRow, errs: &mut FieldErrors) -> UserDetails {
    let name = |field: &str, given: &Option<String>, now: &str, errs: &mut FieldErrors| match given {
        None => now.to_owned(),
        Some(v) => errs.check(field, PersonName::parse(v)).map_or_else(|| now.to_owned(), |n| n.as_str().to_owned()),
    };
    let first_name = name("first_name", &patch.first_name, &u.first_name, errs);
    let last_name = name("last_name", &patch.last_name, &u.last_name, errs);
    let text = |field: &str, given: &Option<String>, now: &Option<String>, max: usize, errs: &mut FieldErrors| {
        let Some(v) = given else { return now.clone() };
        let v = v.trim();
        if v.is_empty() {
            None
        } else if v.chars().count() > max {
            errs.add(field, format!("Use at most {max} characters."));
            now.clone()
        } else if !roster_core::is_plain_text(v) {
            errs.add(field, roster_core::NOT_PLAIN_TEXT);
            now.clone()
        } else {
            Some(v.to_owned())
        }
    };
    let phone = text("phone", &patch.phone, &u.phone, 40, errs);
    let company = text("company", &patch.company, &u.company, 200, errs);
    let username = match patch.username.as_deref().map(str::trim) {
        None => u.username.clone(),
        Some("") => None,
        Some(v) => {
            let n = v.chars().count();
            if !(3..=64).contains(&n)
                || v.contains('@')
                || v.chars().any(char::is_whitespace)
                || !roster_core::is_plain_text(v)
            {
                errs.add("username", "Use 3 to 64 characters, without spaces or @.");
                u.username.clone()
            } else {
                Some(v.to_owned())
            }
        }
    };
    UserDetails { first_name, last_name, phone, company, username }
}

fn rule(rule: &'static str, message: &str) -> ServiceError {
    ServiceError::Rule { rule, code: roster_core::ProblemCode::RightsRule, message: message.to_owned() }
}
