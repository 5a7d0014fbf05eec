-- A meeting's revision (sqlite). Keep in step with the other backend: same columns; only the type
-- names differ.
--
-- `revision` counts the changes of a meeting's document: 0 when stored, one more with every
-- update (the update statement increments it, so it changes in the same statement as the
-- document). A reader that already holds a rendering of revision N asks for the document only
-- when the row's revision is another one, which saves a get by id reading and comparing the
-- whole document.
ALTER TABLE meetings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
