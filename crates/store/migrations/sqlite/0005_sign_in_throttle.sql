-- R-AUTH-7: failed sign-ins per throttle key, shared by every process on the database. Keys are
-- `login:<SHA-256 of the lower-cased login, hex>` and `ip:<address>` (IPv6: its /64). The
-- service decides the policy; a row only counts failures since `window_start` and says until
-- when the key is blocked.
CREATE TABLE sign_in_throttle (
    throttle_key  TEXT NOT NULL PRIMARY KEY,
    failures      BIGINT NOT NULL CHECK (failures > 0),
    window_start  BIGINT NOT NULL,
    blocked_until BIGINT
);
-- Finding stale rows to purge.
CREATE INDEX sign_in_throttle_window ON sign_in_throttle (window_start);
