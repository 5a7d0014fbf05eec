-- A user's account state (sqlite). Keep in step with the other backend.
-- What Teams checks before a user may organise a meeting: `accountEnabled`, `userType`, a licence
-- with the Teams service plan; and whether the organizer's meetings get dial-in details (the
-- Audio Conferencing licence). `mail` is the primary SMTP address (NULL: no mailbox). Existing
-- users become what a new user is: an enabled, licensed member whose mail is the UPN. The
-- `users` triggers of the directory change log already cover UPDATE, so a change reaches every
-- instance's index.
ALTER TABLE users ADD COLUMN account_enabled INTEGER NOT NULL DEFAULT 1 CHECK (account_enabled IN (0, 1));
ALTER TABLE users ADD COLUMN user_type TEXT NOT NULL DEFAULT 'Member' CHECK (user_type IN ('Member', 'Guest'));
ALTER TABLE users ADD COLUMN teams_license INTEGER NOT NULL DEFAULT 1 CHECK (teams_license IN (0, 1));
ALTER TABLE users ADD COLUMN audio_conferencing INTEGER NOT NULL DEFAULT 1 CHECK (audio_conferencing IN (0, 1));
ALTER TABLE users ADD COLUMN mail TEXT;
UPDATE users SET mail = upn;
