-- "Allow public client flows" on app registrations (postgres). Keep in step with the other backend.
-- Entra's `isFallbackPublicClient` (the manifest's `allowPublicClient`): when set, the app may use
-- the resource-owner password grant without a client secret. Off for every app, old or new, as
-- for a new registration in Entra. The `apps` trigger of the directory change log already
-- covers UPDATE, so a change reaches every instance's index.
ALTER TABLE apps ADD COLUMN allow_public_client BIGINT NOT NULL DEFAULT 0 CHECK (allow_public_client IN (0, 1));
