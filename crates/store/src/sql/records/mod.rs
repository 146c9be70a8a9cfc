//! The work records' SQL, one folder per kind. Each query's filter starts with
//! `account_id = $1 AND ($2 OR <the kind's own column> = $3)`, the three values from
//! [`scope_args`]: the scope (decision 0045) is the only way a record query names its account.
use roster_core::{Reach, Scope};
use uuid::Uuid;

mod calendars;
mod contacts;
mod membership;
mod projects;
mod reminders;
mod seed;
mod tags;
mod tickets;
mod time;
mod todos;
mod workflows;

/// `(account_id, reaches_all, me)` for `$1, $2, $3`: `me` is the nil id when the scope reaches
/// every record (it then matches nothing, and `$2` is true).
#[allow(dead_code)]
pub(crate) fn scope_args(scope: &Scope) -> (Uuid, bool, Uuid) {
    match scope.reach() {
        Reach::All => (scope.account_id(), true, Uuid::nil()),
        // Only time entries know the project clause; anywhere else it is the narrower "own".
        Reach::Own(me) | Reach::OwnAndProjects(me) => (scope.account_id(), false, me),
    }
}
