//! The admin API (`/admin/...`): graphmeet's own surface for creating tenants, users, apps,
//! credentials and consent. Every call needs the admin key that `serve` writes to the data
//! directory; errors are `{"error":{"code","message"}}`.

use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use graphmeet_core::directory::DirectoryError;
use graphmeet_core::identity::IdentityError;
use graphmeet_core::{App, CertificateCredential, ServicePrincipal, StoreError, Tenant, User};
use graphmeet_wire::admin::*;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// The admin routes, behind the admin-key check.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/tenants", post(create_tenant).get(list_tenants))
        .route("/admin/tenants/{tenant}/users", get(list_users))
        .route("/admin/users", post(create_user))
        .route("/admin/apps", post(create_app).get(list_apps))
        .route("/admin/apps/{app_id}/secrets", post(add_secret))
        .route("/admin/apps/{app_id}/certificates", post(add_certificate))
        .route("/admin/consents", post(grant_consent))
        .route("/admin/keys/rotate", post(rotate_keys))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            require_admin_key,
        ))
}

/// An admin API failure.
#[derive(Debug)]
pub struct AdminFailure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl AdminFailure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
    }
}

impl IntoResponse for AdminFailure {
    fn into_response(self) -> Response {
        let body = AdminErrorBody {
            error: AdminError {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<DirectoryError> for AdminFailure {
    fn from(e: DirectoryError) -> Self {
        match e {
            DirectoryError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "notFound",
                format!("{what} not found"),
            ),
            DirectoryError::Invalid(why) => Self::invalid(why),
            DirectoryError::Conflict(what) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("already exists: {what}"),
            ),
            other => {
                tracing::error!(error = %other, "admin call failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internalError",
                    "the server failed; see its log",
                )
            }
        }
    }
}

impl From<StoreError> for AdminFailure {
    fn from(e: StoreError) -> Self {
        DirectoryError::from(e).into()
    }
}

impl From<IdentityError> for AdminFailure {
    fn from(e: IdentityError) -> Self {
        tracing::error!(error = %e, "key operation failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internalError",
            "the server failed; see its log",
        )
    }
}

/// A JSON body whose rejection speaks the admin error format.
pub struct AdminJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for AdminJson<T> {
    type Rejection = AdminFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => AdminFailure::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "invalidRequest",
                    "the body must be JSON (Content-Type: application/json)",
                ),
                other => AdminFailure::new(other.status(), "invalidRequest", other.body_text()),
            }),
        }
    }
}

async fn require_admin_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let presented = headers
        .get(ADMIN_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .map(str::trim);
    let ok = presented.is_some_and(|key| {
        let digest = graphmeet_core::crypto::sha256(key.as_bytes());
        bool::from(digest.as_slice().ct_eq(state.admin_key_hash.as_slice()))
    });
    if !ok {
        return AdminFailure::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid admin key is required (header x-graphmeet-admin-key; `graphmeet serve` writes it to DATA_DIR/admin-key)").into_response();
    }
    next.run(request).await
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn tenant_view(t: Tenant) -> TenantView {
    TenantView {
        id: t.id.to_string(),
        display_name: t.display_name,
        domains: t.domains,
        created_at: rfc3339(t.created_at),
    }
}

fn user_view(u: User) -> UserView {
    UserView {
        id: u.id.to_string(),
        tenant_id: u.tenant_id.to_string(),
        upn: u.upn,
        display_name: u.display_name,
    }
}

fn app_view(a: App) -> AppView {
    AppView {
        app_id: a.app_id.to_string(),
        object_id: a.object_id.to_string(),
        home_tenant_id: a.home_tenant_id.to_string(),
        display_name: a.display_name,
        sign_in_audience: if a.multi_tenant {
            "AzureADMultipleOrgs"
        } else {
            "AzureADMyOrg"
        }
        .to_owned(),
    }
}

fn sp_view(sp: ServicePrincipal) -> ServicePrincipalView {
    ServicePrincipalView {
        id: sp.id.to_string(),
        tenant_id: sp.tenant_id.to_string(),
        app_id: sp.app_id.to_string(),
        app_roles: sp.app_roles,
    }
}

fn cert_view(c: CertificateCredential, private_pem: Option<String>) -> CertificateView {
    CertificateView {
        key_id: c.key_id.to_string(),
        display_name: c.display_name,
        thumbprint: c.thumbprint_sha1,
        thumbprint_sha256: c.thumbprint_sha256,
        start_date_time: rfc3339(c.start),
        end_date_time: rfc3339(c.end),
        private_pem,
    }
}

fn parse_app_id(text: &str) -> Result<Uuid, AdminFailure> {
    Uuid::parse_str(text)
        .map_err(|_| AdminFailure::invalid(format!("'{text}' is not an application id (a GUID)")))
}

fn days(value: Option<i64>, default: i64) -> Result<Duration, AdminFailure> {
    let days = value.unwrap_or(default);
    if !(1..=3650).contains(&days) {
        return Err(AdminFailure::invalid(format!(
            "days must be between 1 and 3650, not {days}"
        )));
    }
    Ok(Duration::days(days))
}

async fn create_tenant(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateTenant>,
) -> Result<(StatusCode, Json<TenantView>), AdminFailure> {
    let tenant = state
        .directory
        .create_tenant(&body.display_name, body.domain.as_deref(), None)
        .await?;
    Ok((StatusCode::CREATED, Json(tenant_view(tenant))))
}

async fn list_tenants(
    State(state): State<AppState>,
) -> Result<Json<Vec<TenantView>>, AdminFailure> {
    Ok(Json(
        state
            .store
            .list_tenants()
            .await?
            .into_iter()
            .map(tenant_view)
            .collect(),
    ))
}

async fn create_user(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), AdminFailure> {
    let user = state
        .directory
        .create_user(&body.tenant, &body.upn, body.display_name.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(user_view(user))))
}

async fn list_users(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Vec<UserView>>, AdminFailure> {
    let tenant = state.directory.tenant(&tenant).await?;
    Ok(Json(
        state
            .store
            .list_users(tenant.id)
            .await?
            .into_iter()
            .map(user_view)
            .collect(),
    ))
}

async fn create_app(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateApp>,
) -> Result<(StatusCode, Json<AppView>), AdminFailure> {
    let (app, _) = state
        .directory
        .create_app(&body.tenant, &body.display_name, body.multi_tenant)
        .await?;
    Ok((StatusCode::CREATED, Json(app_view(app))))
}

async fn list_apps(State(state): State<AppState>) -> Result<Json<Vec<AppView>>, AdminFailure> {
    Ok(Json(
        state
            .store
            .list_apps()
            .await?
            .into_iter()
            .map(app_view)
            .collect(),
    ))
}

async fn add_secret(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
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

async fn add_certificate(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
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

async fn grant_consent(
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

async fn rotate_keys(State(state): State<AppState>) -> Result<Json<KeyRotated>, AdminFailure> {
    let keys = state.identity.keys();
    let key = keys.rotate().await?;
    Ok(Json(KeyRotated {
        kid: key.kid,
        published: keys.published().into_iter().map(|k| k.key.kid).collect(),
    }))
}
