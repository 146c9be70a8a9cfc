//! The team: adding, listing, importing, editing, roles, a member's life and delete (R-ADD, R-LIST, R-ROLE, R-DIS, R-ARC, R-DEL).
mod add;
mod admin;
mod console;
mod delete;
mod edit;
mod import;
mod lifecycle;
mod list;
mod roles;
