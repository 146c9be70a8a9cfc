//! To-do lists and tasks (R-TODO-1): with `todos.view_all` every list of the account (and adding
//! to any), without it one's own lists only. Writes authorize `UseOwnWork` (any active member)
//! and run in the caller's `scope::TODOS`.
pub(crate) mod lists;
pub(crate) mod tasks;
pub(crate) mod view;
