-- `meeting_creations` is appended by the statements that store meetings, not by a trigger
-- (postgres). Keep in step with the other backend.
--
-- A row trigger made every meeting insert a statement that writes two tables, and a statement
-- that writes two tables and may fail (a foreign key) keeps a statement journal on SQLite: a
-- copy of every page it changes that the transaction had already changed, so that it alone
-- can be rolled back. A batch now stores its meetings, then their creations in statements of
-- their own (one cached single-row statement each on SQLite's batch writer, multi-row
-- statements through sqlx), in the same transaction: a creation is still committed with its
-- meeting or not at all. Meetings are stored only through the group commit's batches (the
-- `insert_meetings` of graphmeet-store's sqlx path and of its SQLite writer), both of which
-- append the rows.
DROP TRIGGER meetings_created ON meetings;
DROP FUNCTION graphmeet_meeting_created();
