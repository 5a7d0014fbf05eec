-- Meetings' documents stay in their row, uncompressed (postgres only: a storage parameter,
-- with no SQLite counterpart and no change to the schema the two migration sets share).
--
-- A meeting's document is 3–4 KB of JSON. Above PostgreSQL's default toast_tuple_target
-- (about 2 KB) every new row was compressed with pglz and, when still too large, moved to the
-- TOAST table with an index entry of its own, at each insert; that was a third of the
-- database's CPU time per create (docs/performance.md). With the target at its maximum, a row
-- that fits a page is stored as it is. Rows already stored keep their form until rewritten.
ALTER TABLE meetings SET (toast_tuple_target = 8160);
