//! The delegated grants: resource-owner password and refresh token, issuing an access token, the
//! v2 ID token, `client_info` and a sealed refresh token.

use super::error::IdentityError;
use super::scope::{check_delegated_scope, DelegatedScope};
use super::tokens::{
    AccessTokenClaims, DelegatedExtras, IdTokenClaims, IssuedToken, PasswordRequest, RefreshGrant,
    RefreshTokenRequest,
};
use super::{
    app_not_found, opaque, required, Identity, BACKDATE_SECS, REFRESH_TOKEN_INACTIVE_DAYS,
    REFRESH_TOKEN_SEAL_NAME,
};

use crate::crypto;
use crate::model::{App, Tenant};
use chrono::{DateTime, Duration, Utc};
use graphmeet_wire::b64;
use uuid::Uuid;

impl Identity {
    /// Handles `grant_type=password` (resource-owner password credentials): a delegated Graph
    /// token for a user that has a password, with the delegated permissions asked for in `scp`.
    pub async fn password(&self, req: &PasswordRequest) -> Result<IssuedToken, IdentityError> {
        let tenant = self.tenant(&req.tenant)?;
        let client_id = required(req.client_id.as_deref(), "client_id")?;
        let username = required(req.username.as_deref(), "username")?;
        let password = required(req.password.as_deref(), "password")?;
        let scope = required(
            req.scope.as_deref().filter(|s| !s.trim().is_empty()),
            "scope",
        )?;
        let delegated = check_delegated_scope(scope, &req.tenant)?;
        let not_found = || app_not_found(client_id, &req.tenant);
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        self.index
            .service_principal(tenant.id, app.app_id)
            .ok_or_else(not_found)?;
        // A secret sent is checked. Without one, only an app with "Allow public client flows"
        // on may sign a user in; Entra asks any other for its credential (AADSTS7000218).
        let appidacr = match req.client_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(secret) => {
                self.check_secret(&entry, secret)?;
                "1"
            }
            None if app.allow_public_client => "0",
            None => return Err(IdentityError::MissingClientCredential),
        };
        let user = self
            .index
            .user_by_upn(username)
            .filter(|u| u.tenant_id == tenant.id)
            .ok_or_else(|| IdentityError::UserNotFound(req.tenant.clone()))?;
        // Smart lockout: one sign-in of the account at a time, from the check to the record, so
        // parallel guesses cannot all slip in before the lock. An unknown user (above) locks
        // nothing.
        let turn = self.lockout.turn(user.id).await;
        if let Some(until) = self
            .lockout
            .locked_until(tenant.id, user.id, self.clock.now())
        {
            return Err(IdentityError::AccountLocked {
                user: user.id,
                until,
            });
        }
        let password_ok = match user.password_hash.as_deref() {
            Some(phc) => self.passwords.matches(password, phc).await,
            None => false,
        };
        if !password_ok {
            let failure =
                self.lockout
                    .record_failure(tenant.id, user.id, password, self.clock.now());
            if let crate::lockout::Failure::Locked { until } = failure {
                tracing::warn!(tenant = %tenant.id, user = %user.id, %until, "too many failed password sign-ins: account locked");
            }
            return Err(IdentityError::InvalidUserCredentials);
        }
        self.lockout.record_success(tenant.id, user.id);
        drop(turn);
        // The right password of a disabled account still signs nobody in.
        if !user.account.enabled {
            return Err(IdentityError::UserDisabled(user.id));
        }
        let options = DelegatedOptions {
            cae: req.cae,
            client_info: req.client_info,
            nonce: req.nonce.clone(),
            issuer_base: req.issuer_base.clone(),
        };
        self.issue_delegated(&tenant, app, &user, appidacr, &delegated, &options)
            .await
    }

    /// Handles `grant_type=refresh_token`: redeems a refresh token this server issued for new
    /// delegated tokens (and a new refresh token), after authenticating the client as the
    /// password grant does.
    pub async fn refresh_token(
        &self,
        req: &RefreshTokenRequest,
    ) -> Result<IssuedToken, IdentityError> {
        let tenant = self.tenant(&req.tenant)?;
        let client_id = required(req.client_id.as_deref(), "client_id")?;
        let token = required(req.refresh_token.as_deref(), "refresh_token")?;
        let not_found = || app_not_found(client_id, &req.tenant);
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        self.index
            .service_principal(tenant.id, app.app_id)
            .ok_or_else(not_found)?;
        let appidacr = match req.client_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(secret) => {
                self.check_secret(&entry, secret)?;
                "1"
            }
            None if app.allow_public_client => "0",
            None => return Err(IdentityError::MissingClientCredential),
        };
        let grant = self.open_refresh_token(token)?;
        if grant.cid != app.app_id {
            return Err(IdentityError::InvalidGrant("issued to another client"));
        }
        if grant.tid != tenant.id {
            return Err(IdentityError::InvalidGrant("issued in another tenant"));
        }
        let issued = DateTime::<Utc>::from_timestamp(grant.iat, 0).unwrap_or_default();
        if self.clock.now() - issued > Duration::days(REFRESH_TOKEN_INACTIVE_DAYS) {
            return Err(IdentityError::RefreshTokenExpired { issued });
        }
        let user = self
            .index
            .user(grant.uid)
            .filter(|u| u.tenant_id == tenant.id)
            .ok_or(IdentityError::InvalidGrant("the user no longer exists"))?;
        if password_fingerprint(user.password_hash.as_deref()) != grant.pwd {
            return Err(IdentityError::InvalidGrant("the password changed"));
        }
        if !user.account.enabled {
            return Err(IdentityError::UserDisabled(user.id));
        }
        let scope = req
            .scope
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&grant.scp);
        let delegated = check_delegated_scope(scope, &req.tenant)?;
        let options = DelegatedOptions {
            cae: req.cae,
            client_info: req.client_info,
            nonce: None,
            issuer_base: req.issuer_base.clone(),
        };
        self.issue_delegated(&tenant, app, &user, appidacr, &delegated, &options)
            .await
    }

    /// Opens a refresh token this server sealed.
    pub(super) fn open_refresh_token(&self, token: &str) -> Result<RefreshGrant, IdentityError> {
        let sealed =
            b64::url_decode_lenient(token.trim()).map_err(|_| IdentityError::MalformedGrant)?;
        let plain = self
            .keys
            .sealer
            .open(&sealed, REFRESH_TOKEN_SEAL_NAME)
            .map_err(|_| IdentityError::MalformedGrant)?;
        serde_json::from_slice(&plain).map_err(|_| IdentityError::MalformedGrant)
    }

    /// The access token, and the ID token, refresh token and `client_info` asked for, of a
    /// delegated sign-in of `user` to `app`.
    pub(super) async fn issue_delegated(
        &self,
        tenant: &Tenant,
        app: &App,
        user: &crate::model::User,
        appidacr: &str,
        scope: &DelegatedScope,
        options: &DelegatedOptions,
    ) -> Result<IssuedToken, IdentityError> {
        let now = self.clock.now().timestamp();
        let lifetime = if options.cae {
            self.lifetimes.cae
        } else {
            self.lifetimes.default
        };
        // Pairwise per (user, app), as Entra's `sub`: 43 base64url characters.
        let sub = b64::url_encode(crypto::sha256(
            format!("{}:{}", user.id, app.app_id).as_bytes(),
        ));
        let claims = AccessTokenClaims {
            aud: scope.audience.clone(),
            iss: format!("https://sts.windows.net/{}/", tenant.id),
            iat: now - BACKDATE_SECS,
            nbf: now - BACKDATE_SECS,
            exp: now + lifetime.num_seconds(),
            aio: opaque(48),
            app_displayname: app.display_name.clone(),
            appid: app.app_id.to_string(),
            appidacr: appidacr.to_owned(),
            idp: String::new(),
            idtyp: "user".to_owned(),
            oid: user.id.to_string(),
            rh: format!("0.{}.", opaque(40)),
            roles: Vec::new(),
            scp: Some(scope.granted.join(" ")),
            amr: vec!["pwd".to_owned()],
            name: Some(user.display_name.clone()),
            upn: Some(user.upn.clone()),
            unique_name: Some(user.upn.clone()),
            sub: sub.clone(),
            tid: tenant.id.to_string(),
            uti: opaque(16),
            ver: "1.0".to_owned(),
            wids: Vec::new(),
            xms_tcdt: tenant.created_at.timestamp(),
        };
        let mut issued = self.sign(claims, lifetime).await?;
        let id_token = if scope.openid {
            let key = self.keys.active().await?;
            let id_claims = IdTokenClaims {
                aud: app.app_id.to_string(),
                iss: format!(
                    "{}/{}/v2.0",
                    options.issuer_base.trim_end_matches('/'),
                    tenant.id
                ),
                iat: now - BACKDATE_SECS,
                nbf: now - BACKDATE_SECS,
                exp: now + ID_TOKEN_LIFETIME_SECS,
                name: scope.profile.then(|| user.display_name.clone()),
                nonce: options.nonce.clone(),
                oid: user.id.to_string(),
                preferred_username: scope.profile.then(|| user.upn.clone()),
                rh: format!("0.{}.", opaque(40)),
                sub,
                tid: tenant.id.to_string(),
                uti: opaque(16),
                ver: "2.0".to_owned(),
            };
            Some(key.sign_jwt(&id_claims)?)
        } else {
            None
        };
        let refresh_token = scope.offline_access.then(|| {
            let grant = RefreshGrant {
                cid: app.app_id,
                uid: user.id,
                tid: tenant.id,
                scp: scope.requested_form(),
                iat: now,
                pwd: password_fingerprint(user.password_hash.as_deref()),
            };
            let plain = serde_json::to_vec(&grant).unwrap_or_default();
            b64::url_encode(self.keys.sealer.seal(&plain, REFRESH_TOKEN_SEAL_NAME))
        });
        issued.delegated = Some(DelegatedExtras {
            scope: scope.response_scope(),
            refresh_token,
            id_token,
            client_info: options.client_info.then(|| {
                graphmeet_wire::token::client_info(&user.id.to_string(), &tenant.id.to_string())
            }),
        });
        Ok(issued)
    }
}

/// How long an ID token lives (Entra's: one hour; back-dated like access tokens).
pub(super) const ID_TOKEN_LIFETIME_SECS: i64 = 3600;

/// The options of a delegated grant that shape its answer.
pub(super) struct DelegatedOptions {
    cae: bool,
    client_info: bool,
    nonce: Option<String>,
    issuer_base: String,
}

/// A short fingerprint of a password hash (empty without one): a refresh token remembers it,
/// so that a password change ends the sign-ins made with the old password.
pub(super) fn password_fingerprint(hash: Option<&str>) -> String {
    hash.map(|h| b64::url_encode(&crypto::sha256(h.as_bytes())[..12]))
        .unwrap_or_default()
}
