//! A member's records as they join and leave an account (R-JOIN-1, R-DEL-1).
use async_trait::async_trait;
use roster_core::Scope;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Result;

/// The person joining, as their collaborator contact shows them (R-JOIN-1).
#[derive(Debug, Clone, Copy)]
pub struct JoiningMember<'a> {
    pub user_id: Uuid,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
}

/// How many records moved from a leaving member to the heir (R-DEL-1), for the audit row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MovedRecords {
    pub contacts: u64,
    pub projects: u64,
    pub project_memberships: u64,
    pub todo_lists: u64,
    pub todos: u64,
    pub calendars: u64,
}

/// What R-JOIN-1 made for one member, as it stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberDefaults {
    /// The member's collaborator contact, and whether it is hidden from the client list.
    pub contact: Option<(Uuid, bool)>,
    pub default_calendar: Option<Uuid>,
    pub default_list: Option<Uuid>,
}

#[async_trait]
pub trait MemberRecordsRepo {
    /// What R-JOIN-1 made for `user_id` in the scope's account (absent parts are `None`).
    async fn member_defaults(&mut self, scope: &Scope, user_id: Uuid) -> Result<MemberDefaults>;
    /// R-JOIN-1: the member's collaborator contact (hidden from the client list), default
    /// calendar and default to-do list. Each is made once: a member who has them keeps them.
    async fn make_join_defaults(
        &mut self,
        scope: &Scope,
        member: &JoiningMember<'_>,
        calendar_name: &str,
        list_name: &str,
        at: OffsetDateTime,
    ) -> Result<()>;
    /// Up to `limit` projects in `scope`, newest first, as `(id, name)`: what a form offers to
    /// choose from (the "add a user" form's project boxes).
    async fn project_choices(&mut self, scope: &Scope, limit: i64) -> Result<Vec<(Uuid, String)>>;
    /// R-JOIN-1: the projects (already checked) an invitation's invitee joins on acceptance.
    async fn set_invitation_projects(&mut self, scope: &Scope, invitation_id: Uuid, project_ids: &[Uuid])
    -> Result<()>;
    /// The projects of an invitation that still exist.
    async fn invitation_projects(&mut self, scope: &Scope, invitation_id: Uuid) -> Result<Vec<Uuid>>;
    /// The ids among `ids` that are projects of the scope's account.
    async fn projects_among(&mut self, scope: &Scope, ids: &[Uuid]) -> Result<Vec<Uuid>>;
    /// R-JOIN-1: `user_id` joins each project of `project_ids` (already checked to be the
    /// account's); joining twice is a no-op.
    async fn join_projects(&mut self, scope: &Scope, user_id: Uuid, project_ids: &[Uuid]) -> Result<u64>;
    /// R-DEL-1: everything `from` owns or is assigned in the account moves to `to` (contacts,
    /// projects and their memberships, to-do lists and tasks, calendars); `from`'s collaborator
    /// contact and saved filters go. Moved lists and calendars stop being defaults (the heir keeps
    /// their own). Run before the membership is deleted, in the same unit of work.
    async fn move_member_records(
        &mut self,
        scope: &Scope,
        from: Uuid,
        to: Uuid,
        at: OffsetDateTime,
    ) -> Result<MovedRecords>;
}
