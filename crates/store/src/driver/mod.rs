//! The backends. Each module here is one driver: it opens and pools connections, implements
//! [`crate::Store`], and supplies the pieces the shared queries in `sql/` need. `sql/` is
//! compiled once inside each driver (`#[path = "../../sql/mod.rs"] mod sql;`) and reaches
//! everything backend-specific through one name, `driver` (`use super as driver;` in
//! `sql/mod.rs`), so a query never tests which backend it runs on.
//!
//! What every driver supplies, at the top of its `mod.rs` (both lists in the same order; a
//! missing or mistyped piece fails to compile the other copy of `sql/`):
//!
//! | Piece | What it is | SQLite | PostgreSQL |
//! |---|---|---|---|
//! | `args!` | values for `$1…` | `&[&dyn ToSql]`, bound by name (`$N` → N-th value) | `PgArguments`, in order |
//! | `DbRow`, `get` | one result row; one column by name | column names read once per statement | `PgRow::try_get` |
//! | `DbTime`, `to_db`, `from_db` | time encoding | unix microseconds (`BIGINT`) | `timestamptz` |
//! | `SqlTx::{opt, all, exec}` | run one statement in the unit of work | rusqlite, inline | sqlx pool |
//! | `SqlTx::bulk_*` (`bulk.rs`) | members, roles, audit rows, contacts, projects, events many at a time | cached one-row `INSERT`s, FTS rows by `INSERT … SELECT` | `UNNEST` arrays |
//! | `MIGRATIONS` | `migrations/<backend>/NNNN_*.sql`, applied in order | under `BEGIN IMMEDIATE` | under an advisory lock |
//! | `SCHEMA_SHAPE_SQL` | every table's columns and nullability (conformance) | `pragma_table_xinfo` | `information_schema` |
//! | `CLAIM_DUE_SQL` | claim due email for one worker | plain `UPDATE … RETURNING` (one writer) | `FOR UPDATE SKIP LOCKED` |
//! | `CLAIM_JOBS_SQL` | claim due jobs for one runner | plain `UPDATE … RETURNING` (one writer) | `FOR UPDATE SKIP LOCKED` |
//! | `PURGE_THROTTLE_SQL` | drop stale throttle rows | plain `DELETE` | `FOR UPDATE SKIP LOCKED` |
//! | `REGISTRATION_MAIL_LOCK_SQL` | serialise registrations to one address | none (one writer) | transaction advisory lock |
//! | `FTS5` | how member text is searched | FTS5 trigram table | trigram GIN index |
//! | `POSITION_FN` | position of a needle in a text | `instr` | `strpos` |
//! | `WALK_ARMS_BARE`, `WALK_ROWS_BY_NAME` | the shape and budget of the search walk | bare arms, 10,000 | ordered arms, 30,000 |
//! | `PAGE_ARMS_NARROW` | whether a page without search cuts on its keys and reads the rows after | yes | no |
//! | `IN_JSON_TEXTS` | "is one of" a JSON array of text at `$J` | `json_each` | `jsonb_array_elements_text` |
//! | `IN_JSON_UUIDS` | "is one of" a JSON array of ids at `$J` | `json_each`, `unhex` | `jsonb_array_elements_text`, `::uuid` |
//! | `IN_JSON_HEX` | "is one of" a JSON array of hex-encoded bytes (token hashes) at `$J` | `json_each`, `unhex` | `jsonb_array_elements_text`, `decode` |
//! | `CONTACT_WALK` | contacts a text search walks before the trigram index | 50,000 (index-only) | 50,000 (index-only) |
//! | `LONG_EVENT` | "the event lasts more than a day", as the partial indexes say it | microseconds | `interval` |
//! | `TEAM_VERSION_SQL` | the account's team version, for the team page cache | `team_versions`, kept by triggers | none: nothing is cached |
//! | `MEMBERS_OF_USERS_FROM` | memberships of a JSON list of user ids | `json_each` + `unhex` | `CROSS JOIN LATERAL` |
//!
//! Upserts are written once in `sql/` (`INSERT … ON CONFLICT … DO UPDATE`, which both accept),
//! and so are placeholders (`$1…`). A new difference between the backends becomes a new row
//! here and one item in each driver, never a backend test inside `sql/`.
pub mod postgres;
pub mod sqlite;
