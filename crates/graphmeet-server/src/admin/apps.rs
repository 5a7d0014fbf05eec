//! `/admin/apps`: app registrations, their secrets and certificates, and admin consent.

use super::error::AdminFailure;
use super::extract::{AdminJson, AdminPath};
use super::views::{app_view, cert_view, rfc3339, secret_view, sp_view};
use super::{days, parse_app_id, parse_uuid};

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use graphmeet_wire::admin::*;

#[utoipa::path(post, path = "/admin/apps", tag = "apps", description = "Registers an application.", request_body = CreateApp, responses((status = 201, description = "The new application", body = AppView)))]
pub(crate) async fn create_app(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateApp>,
) -> Result<(StatusCode, Json<AppView>), AdminFailure> {
    let settings = graphmeet_core::directory::NewApp {
        multi_tenant: body.multi_tenant,
        allow_public_client: body.allow_public_client,
        ..Default::default()
    };
    let (app, _) = state
        .directory
        .register_app(&body.tenant, &body.display_name, &settings)
        .await?;
    Ok((StatusCode::CREATED, Json(app_view(app))))
}

/// `PATCH /admin/apps/{appId}`: changes an app's settings; what the body leaves out stays.
#[utoipa::path(patch, path = "/admin/apps/{app_id}", tag = "apps", description = "Changes an application.", request_body = UpdateApp, params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 200, description = "The application", body = AppView)))]
pub(crate) async fn update_app(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
    AdminJson(body): AdminJson<serde_json::Value>,
) -> Result<Json<AppView>, AdminFailure> {
    let app_id = parse_app_id(&app_id)?;
    // Read here rather than by the extractor, so that a body of the wrong shape is a 400 that
    // says which shape is expected.
    let shape = |why: String| {
        AdminFailure::invalid(format!(
            "the body must be {{\"allow_public_client\": true|false}}: {why}"
        ))
    };
    // An object only: serde would otherwise read `[true]` as the struct's fields in order.
    if !body.is_object() {
        return Err(shape("it is not a JSON object".to_owned()));
    }
    let body: UpdateApp = serde_json::from_value(body).map_err(|e| shape(e.to_string()))?;
    let Some(allow) = body.allow_public_client else {
        return Err(AdminFailure::invalid(
            "nothing to change: give allow_public_client (true or false)",
        ));
    };
    let app = state
        .directory
        .set_allow_public_client(app_id, allow)
        .await?;
    Ok(Json(app_view(app)))
}

#[utoipa::path(get, path = "/admin/apps", tag = "apps", description = "Lists the applications.", responses((status = 200, description = "Every application", body = [AppView])))]
pub(super) async fn list_apps(
    State(state): State<AppState>,
) -> Result<Json<Vec<AppView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .apps()
            .await?
            .into_iter()
            .map(app_view)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/admin/apps/{app_id}/secrets", tag = "credentials", description = "Adds a client secret; its text is shown once.", request_body = AddSecret, params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 201, description = "The secret, with its text", body = SecretCreated)))]
pub(crate) async fn add_secret(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
    AdminJson(body): AdminJson<AddSecret>,
) -> Result<(StatusCode, Json<SecretCreated>), AdminFailure> {
    let app_id = parse_app_id(&app_id)?;
    let lifetime = days(body.days, 730)?;
    let new = state
        .directory
        .add_secret(
            app_id,
            body.display_name.as_deref().unwrap_or("graphmeet"),
            lifetime,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SecretCreated {
            key_id: new.credential.key_id.to_string(),
            secret_text: new.value,
            hint: new.credential.hint,
            end_date_time: rfc3339(new.credential.end),
        }),
    ))
}

#[utoipa::path(post, path = "/admin/apps/{app_id}/certificates", tag = "credentials", description = "Adds a certificate credential (generated, or the public certificate given).", request_body = AddCertificate, params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 201, description = "The certificate", body = CertificateView)))]
pub(crate) async fn add_certificate(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
    AdminJson(body): AdminJson<AddCertificate>,
) -> Result<(StatusCode, Json<CertificateView>), AdminFailure> {
    let app_id = parse_app_id(&app_id)?;
    let view = match body.pem {
        Some(pem) => cert_view(
            state.directory.add_certificate_pem(app_id, &pem).await?,
            None,
        ),
        None => {
            let new = state
                .directory
                .add_generated_certificate(app_id, days(body.days, 365)?)
                .await?;
            cert_view(new.credential, Some(new.pem))
        }
    };
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = "/admin/consents", tag = "consent", description = "Grants admin consent: the application's service principal in a tenant, with app roles.", request_body = GrantConsent, responses((status = 200, description = "The service principal", body = ServicePrincipalView)))]
pub(crate) async fn grant_consent(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<GrantConsent>,
) -> Result<Json<ServicePrincipalView>, AdminFailure> {
    let app_id = parse_app_id(&body.app_id)?;
    Ok(Json(sp_view(
        state
            .directory
            .grant_consent(&body.tenant, app_id, &body.roles)
            .await?,
    )))
}

#[utoipa::path(delete, path = "/admin/apps/{app_id}", tag = "apps", description = "Deletes an application.", params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_app(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_app(parse_app_id(&app_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/admin/apps/{app_id}/credentials", tag = "credentials", description = "Lists an application's secrets and certificates.", params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 200, description = "The credentials", body = AppCredentials)))]
pub(super) async fn list_credentials(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> Result<Json<AppCredentials>, AdminFailure> {
    let app_id = parse_app_id(&app_id)?;
    let credentials = state.directory.credentials(app_id).await?;
    Ok(Json(AppCredentials {
        app_id: app_id.to_string(),
        secrets: credentials.secrets.into_iter().map(secret_view).collect(),
        certificates: credentials
            .certificates
            .into_iter()
            .map(|c| cert_view(c, None))
            .collect(),
    }))
}

#[utoipa::path(delete, path = "/admin/apps/{app_id}/secrets/{key_id}", tag = "credentials", description = "Removes a client secret.", params(("app_id" = Uuid, Path, description = "Application (client) id"), ("key_id" = Uuid, Path, description = "Credential key id")), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_secret(
    State(state): State<AppState>,
    AdminPath((app_id, key_id)): AdminPath<(String, String)>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .remove_secret(parse_app_id(&app_id)?, parse_uuid(&key_id, "key id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/apps/{app_id}/certificates/{key_id}", tag = "credentials", description = "Removes a certificate credential.", params(("app_id" = Uuid, Path, description = "Application (client) id"), ("key_id" = Uuid, Path, description = "Credential key id")), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_certificate(
    State(state): State<AppState>,
    AdminPath((app_id, key_id)): AdminPath<(String, String)>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .remove_certificate(parse_app_id(&app_id)?, parse_uuid(&key_id, "key id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/admin/consents/revoke", tag = "consent", description = "Revokes app roles (all of them: the service principal is removed).", request_body = RevokeConsent, responses((status = 200, description = "The service principal", body = ServicePrincipalView)))]
pub(crate) async fn revoke_consent(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<RevokeConsent>,
) -> Result<Json<ServicePrincipalView>, AdminFailure> {
    let app_id = parse_app_id(&body.app_id)?;
    Ok(Json(sp_view(
        state
            .directory
            .revoke_consent(&body.tenant, app_id, &body.roles)
            .await?,
    )))
}
