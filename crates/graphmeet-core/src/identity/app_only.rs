//! The client-credentials grant: an app-only v1 access token for Microsoft Graph or a
//! first-party resource.
//!
//! Facts copied: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>.

use super::error::IdentityError;
use super::scope::check_scope;
use super::tokens::{AccessTokenClaims, ClientCredentialsRequest, IssuedToken};
use super::{app_not_found, opaque, required, Identity, APP_TOKEN_WIDS, BACKDATE_SECS};

use crate::model::{App, ServicePrincipal, Tenant};
use graphmeet_wire::{GRAPH_APP_ID, GRAPH_RESOURCE_URI};
use uuid::Uuid;

impl Identity {
    /// Handles `grant_type=client_credentials`.
    pub async fn client_credentials(
        &self,
        req: &ClientCredentialsRequest,
    ) -> Result<IssuedToken, IdentityError> {
        let tenant = self.tenant(&req.tenant)?;
        let client_id = required(req.client_id.as_deref(), "client_id")?;
        let scope = required(
            req.scope.as_deref().filter(|s| !s.trim().is_empty()),
            "scope",
        )?;
        let audience = check_scope(scope, &req.tenant)?;
        let not_found = || app_not_found(client_id, &req.tenant);
        let app_id = Uuid::parse_str(client_id).map_err(|_| not_found())?;
        let entry = self.index.app(app_id).ok_or_else(not_found)?;
        let app = &entry.app;
        let sp = match self.index.service_principal(tenant.id, app.app_id) {
            Some(sp) => sp,
            None if app.home_tenant_id == tenant.id => {
                return Err(IdentityError::MissingServicePrincipal {
                    app_id: app.app_id,
                    tenant_id: tenant.id,
                })
            }
            None => return Err(not_found()),
        };
        let appidacr =
            if let Some(assertion) = req.client_assertion.as_deref().filter(|a| !a.is_empty()) {
                self.check_assertion(req, &tenant, &entry, assertion)
                    .await?;
                "2"
            } else if let Some(secret) = req.client_secret.as_deref().filter(|s| !s.is_empty()) {
                self.check_secret(&entry, secret)?;
                "1"
            } else {
                return Err(IdentityError::ClientCredentialsWithoutCredential);
            };
        self.issue(&tenant, app, &sp, &audience, appidacr, req.cae)
            .await
    }

    pub(super) async fn issue(
        &self,
        tenant: &Tenant,
        app: &App,
        sp: &ServicePrincipal,
        audience: &str,
        appidacr: &str,
        cae: bool,
    ) -> Result<IssuedToken, IdentityError> {
        let now = self.clock.now().timestamp();
        let lifetime = if cae {
            self.lifetimes.cae
        } else {
            self.lifetimes.default
        };
        let issuer = format!("https://sts.windows.net/{}/", tenant.id);
        let claims = AccessTokenClaims {
            aud: audience.to_owned(),
            iss: issuer.clone(),
            iat: now - BACKDATE_SECS,
            nbf: now - BACKDATE_SECS,
            exp: now + lifetime.num_seconds(),
            aio: opaque(48),
            app_displayname: app.display_name.clone(),
            appid: app.app_id.to_string(),
            appidacr: appidacr.to_owned(),
            idp: issuer,
            idtyp: "app".to_owned(),
            oid: sp.id.to_string(),
            rh: format!("0.{}.", opaque(40)),
            // The consented app roles are Microsoft Graph's; a first-party resource's token
            // carries none.
            roles: if audience == GRAPH_RESOURCE_URI || audience == GRAPH_APP_ID {
                sp.app_roles.clone()
            } else {
                Vec::new()
            },
            scp: None,
            amr: Vec::new(),
            name: None,
            upn: None,
            unique_name: None,
            sub: sp.id.to_string(),
            tid: tenant.id.to_string(),
            uti: opaque(16),
            ver: "1.0".to_owned(),
            wids: vec![APP_TOKEN_WIDS.to_owned()],
            xms_tcdt: tenant.created_at.timestamp(),
        };
        self.sign(claims, lifetime).await
    }
}
