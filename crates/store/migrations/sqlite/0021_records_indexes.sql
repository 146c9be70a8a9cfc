-- A member's month of events at a million (issue 16, decision 0094): a range reads the events of
-- a day or less from a day before its start (events_by_calendar, events_by_account), and those
-- lasting longer, few, from these partial indexes, instead of every event of the 92 days before.
-- The condition is written as the queries write it (driver LONG_EVENT), so they can use them.
CREATE INDEX events_long_by_calendar ON events (calendar_id, starts_at, id) WHERE ends_at - starts_at > 86400000000;
CREATE INDEX events_long_by_account ON events (account_id, starts_at, id) WHERE ends_at - starts_at > 86400000000;
