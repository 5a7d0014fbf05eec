//! The admin API (`/admin/...`): graphmeet's own surface for creating tenants, users, apps,
//! credentials and consent. Every call needs the admin key that `serve` writes to the data
//! directory; errors are `{"error":{"code","message"}}`.

use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use graphmeet_core::directory::{DirectoryError, UserChanges};
use graphmeet_core::identity::IdentityError;
use graphmeet_core::seed::SeedError;
use graphmeet_core::UserRef;
use graphmeet_core::{
    App, CertificateCredential, GrantTarget, SecretCredential, ServicePrincipal, StoreError,
    Tenant, User,
};
use graphmeet_wire::admin::*;
use graphmeet_wire::cmdlet::strip_tag;
use subtle::ConstantTimeEq;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;
use uuid::Uuid;

/// The largest seed `POST /admin/apply` reads.
pub const SEED_BODY_LIMIT: usize = 256 * 1024 * 1024;

/// The admin routes, with `more` (the `cs` script route, which builds on this module's error
/// and extractors and so cannot be named here without a circle), behind the admin-key check.
pub fn router(state: AppState, more: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_tenant, list_tenants))
        .routes(routes!(delete_tenant))
        .routes(routes!(list_users))
        .routes(routes!(list_groups))
        .routes(routes!(create_user))
        .routes(routes!(update_user, delete_user))
        .routes(routes!(create_app, list_apps))
        .routes(routes!(update_app, delete_app))
        .routes(routes!(list_credentials))
        .routes(routes!(add_secret))
        .routes(routes!(remove_secret))
        .routes(routes!(add_certificate))
        .routes(routes!(remove_certificate))
        .routes(routes!(grant_consent))
        .routes(routes!(revoke_consent))
        .routes(routes!(rotate_keys))
        .routes(routes!(create_group))
        .routes(routes!(delete_group))
        .routes(routes!(add_member, list_members))
        .routes(routes!(remove_member))
        .routes(routes!(new_policy, get_policies))
        .routes(routes!(set_policy, remove_policy))
        .routes(routes!(grant_policy, list_grants))
        .routes(routes!(explain_policy))
        .routes(routes!(query_audit))
        .routes(routes!(recent_requests))
        .routes(routes!(get_clock, move_clock))
        .routes(routes!(metrics))
        // A seed of a large tenant is tens of megabytes of JSON (100,000 users and grants:
        // about 10 MB); only an administrator can send one.
        .routes(routes!(apply_seed).layer(axum::extract::DefaultBodyLimit::max(SEED_BODY_LIMIT)))
        .routes(routes!(export_seed))
        .routes(routes!(reset))
        .merge(more)
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

    /// A 400 `invalidRequest` with a message for people.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
    }

    /// The HTTP status the admin API answers this failure with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message for people, as the admin API's body carries it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Places a script statement's failure: which statement, on which line, after how many
    /// statements that were carried out.
    pub fn at_statement(mut self, cmdlet: &str, line: usize, done: usize) -> Self {
        self.message = format!(
            "{cmdlet} (at line {line}): {} ({done} earlier statement(s) were carried out)",
            self.message
        );
        self
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

impl From<SeedError> for AdminFailure {
    fn from(e: SeedError) -> Self {
        let mut failure = AdminFailure::from(e.error);
        if failure.status != StatusCode::INTERNAL_SERVER_ERROR {
            failure.message = format!("{}: {}", e.at, failure.message);
        }
        failure
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

/// An axum extractor whose rejection is answered in the admin API's JSON error form.
macro_rules! admin_extractor {
    ($(#[$doc:meta])* $name:ident wraps $inner:path) => {
        $(#[$doc])*
        pub struct $name<T>(pub T);

        impl<S, T> axum::extract::FromRequestParts<S> for $name<T>
        where
            T: serde::de::DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = AdminFailure;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &S,
            ) -> Result<Self, Self::Rejection> {
                <$inner>::from_request_parts(parts, state)
                    .await
                    .map(|value| Self(value.0))
                    .map_err(|r| AdminFailure::new(r.status(), "invalidRequest", r.body_text()))
            }
        }
    };
}

admin_extractor!(
    /// `Path`, with a rejection in the admin API's JSON error form.
    AdminPath wraps Path<T>
);
admin_extractor!(
    /// `Query`, with a rejection in the admin API's JSON error form.
    AdminQuery wraps axum::extract::Query<T>
);

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
    let ok = presented.filter(|key| !key.is_empty()).is_some_and(|key| {
        let digest = graphmeet_core::crypto::sha256(key.as_bytes());
        bool::from(digest.as_slice().ct_eq(state.admin_key_hash.as_slice()))
    });
    if !ok {
        let mut refused = AdminFailure::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid admin key is required (header x-graphmeet-admin-key; `graphmeet serve` writes it to DATA_DIR/admin-key)").into_response();
        // The body (a seed can be large) is not read for a caller without the key, so the
        // connection cannot carry another request: say so, rather than let a client reuse it.
        refused.headers_mut().insert(
            header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
        return refused;
    }
    let method = request.method().clone();
    let operation = format!("{} {}", method, request.uri().path());
    let response = next.run(request).await;
    // Every change an administrator makes goes to the audit log.
    if method != axum::http::Method::GET && response.status().is_success() {
        let entry = graphmeet_core::AuditEntry {
            at: state.clock.now(),
            request_id: Uuid::new_v4().to_string(),
            tenant_id: None,
            app_id: None,
            user_id: None,
            operation,
            decision: graphmeet_core::AuditDecision::Changed,
            reason: format!("admin API answered {}", response.status().as_u16()),
        };
        state.audit.record(entry);
    }
    response
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
        account_enabled: u.account.enabled,
        user_type: u.account.user_type.as_str().to_owned(),
        teams_license: u.account.teams_license,
        audio_conferencing: u.account.audio_conferencing,
        mail: u.account.mail,
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
        allow_public_client: a.allow_public_client,
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

#[utoipa::path(post, path = "/admin/tenants", tag = "tenants", description = "Creates a tenant.", request_body = CreateTenant, responses((status = 201, description = "The new tenant", body = TenantView)))]
pub(crate) async fn create_tenant(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateTenant>,
) -> Result<(StatusCode, Json<TenantView>), AdminFailure> {
    let tenant = state
        .directory
        .create_tenant(&body.display_name, body.domain.as_deref(), None)
        .await?;
    Ok((StatusCode::CREATED, Json(tenant_view(tenant))))
}

#[utoipa::path(get, path = "/admin/tenants", tag = "tenants", description = "Lists the tenants.", responses((status = 200, description = "Every tenant", body = [TenantView])))]
async fn list_tenants(
    State(state): State<AppState>,
) -> Result<Json<Vec<TenantView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .tenants()
            .await?
            .into_iter()
            .map(tenant_view)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/admin/users", tag = "users", description = "Creates a user.", request_body = CreateUser, responses((status = 201, description = "The new user", body = UserView)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), AdminFailure> {
    let changes = UserChanges::try_from(&body.settings())?;
    let user = state
        .directory
        .create_user_with(
            &body.tenant,
            &body.upn,
            body.password.as_deref(),
            None,
            &changes,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user_view(user))))
}

/// Changes a user's display name or account state (enabled, member or guest, licences, mail).
#[utoipa::path(patch, path = "/admin/users/{user}", tag = "users", description = "Changes a user's account state, names or licences.", request_body = UpdateUser, params(("user" = String, Path, description = "User object id, or UPN")), responses((status = 200, description = "The user", body = UserView)))]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    AdminPath(user): AdminPath<String>,
    AdminJson(body): AdminJson<UpdateUser>,
) -> Result<Json<UserView>, AdminFailure> {
    let changes = UserChanges::try_from(&body)?;
    let user = state.directory.update_user(&user, &changes).await?;
    Ok(Json(user_view(user)))
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}/users", tag = "users", description = "Lists a tenant's users.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The users", body = [UserView])))]
async fn list_users(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<Json<Vec<UserView>>, AdminFailure> {
    let tenant = state.directory.tenant(&tenant).await?;
    Ok(Json(
        state
            .directory
            .users(&tenant)
            .await?
            .into_iter()
            .map(user_view)
            .collect(),
    ))
}

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
async fn list_apps(State(state): State<AppState>) -> Result<Json<Vec<AppView>>, AdminFailure> {
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

#[utoipa::path(post, path = "/admin/keys/rotate", tag = "keys", description = "Rotates the token-signing key (the old one stays published).", responses((status = 200, description = "The new key", body = KeyRotated)))]
async fn rotate_keys(State(state): State<AppState>) -> Result<Json<KeyRotated>, AdminFailure> {
    let keys = state.identity.keys();
    let key = keys.rotate().await?;
    Ok(Json(KeyRotated {
        kid: key.kid,
        published: keys.published().into_iter().map(|k| k.key.kid).collect(),
    }))
}

fn parse_uuid(text: &str, what: &str) -> Result<Uuid, AdminFailure> {
    Uuid::parse_str(text)
        .map_err(|_| AdminFailure::invalid(format!("'{text}' is not a {what} (a GUID)")))
}

fn parse_uuids(texts: &[String], what: &str) -> Result<Vec<Uuid>, AdminFailure> {
    texts.iter().map(|t| parse_uuid(t.trim(), what)).collect()
}

fn group_view(g: graphmeet_core::Group) -> GroupView {
    GroupView {
        id: g.id.to_string(),
        tenant_id: g.tenant_id.to_string(),
        display_name: g.display_name,
    }
}

fn policy_view(p: graphmeet_core::AccessPolicy) -> PolicyView {
    PolicyView {
        identity: format!("Tag:{}", p.name),
        app_ids: p.current_app_ids().iter().map(Uuid::to_string).collect(),
        name: p.name,
        description: p.description,
        tenant_id: p.tenant_id.to_string(),
    }
}

fn grant_view(g: &graphmeet_core::PolicyGrant) -> GrantView {
    target_view(g.target, Some(g.policy_name.clone()), g.granted_at)
}

/// A target's grant as shown: `policy_name` None after a revocation.
fn target_view(target: GrantTarget, policy_name: Option<String>, at: DateTime<Utc>) -> GrantView {
    let (kind, id, rank) = match target {
        GrantTarget::User(u) => ("user", u.to_string(), None),
        GrantTarget::Group { id, rank } => ("group", id.to_string(), Some(rank)),
        GrantTarget::Global => ("global", String::new(), None),
    };
    GrantView {
        target_kind: kind.to_owned(),
        target_id: id,
        rank,
        policy_name,
        granted_at: rfc3339(at),
    }
}

#[utoipa::path(post, path = "/admin/groups", tag = "groups", description = "Creates a group.", request_body = CreateGroup, responses((status = 201, description = "The new group", body = GroupView)))]
pub(crate) async fn create_group(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<CreateGroup>,
) -> Result<(StatusCode, Json<GroupView>), AdminFailure> {
    let group = state
        .directory
        .create_group(&body.tenant, &body.display_name)
        .await?;
    Ok((StatusCode::CREATED, Json(group_view(group))))
}

#[utoipa::path(post, path = "/admin/groups/{group_id}/members", tag = "groups", description = "Adds a user to a group.", request_body = GroupMember, params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 204, description = "Added")))]
pub(crate) async fn add_member(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
    AdminJson(body): AdminJson<GroupMember>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .add_group_member(
            parse_uuid(&group_id, "group id")?,
            parse_uuid(&body.user_id, "user id")?,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/groups/{group_id}/members/{user_id}", tag = "groups", description = "Removes a user from a group.", params(("group_id" = Uuid, Path, description = "Group object id"), ("user_id" = Uuid, Path, description = "User object id")), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    AdminPath((group_id, user_id)): AdminPath<(String, String)>,
) -> Result<StatusCode, AdminFailure> {
    let removed = state
        .directory
        .remove_group_member(
            parse_uuid(&group_id, "group id")?,
            parse_uuid(&user_id, "user id")?,
        )
        .await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AdminFailure::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("user {user_id} is not a member of group {group_id}"),
        ))
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TenantQuery {
    pub(crate) tenant: Option<String>,
    pub(crate) identity: Option<String>,
}

#[utoipa::path(post, path = "/admin/policies", tag = "policies", description = "Creates an application access policy (New-CsApplicationAccessPolicy).", request_body = NewPolicy, responses((status = 201, description = "The policy", body = PolicyView)))]
pub(crate) async fn new_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<NewPolicy>,
) -> Result<(StatusCode, Json<PolicyView>), AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let apps = parse_uuids(&body.app_ids, "application id")?;
    let policy = state
        .directory
        .create_policy(
            &tenant.id.to_string(),
            strip_tag(&body.identity),
            &apps,
            body.description.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(policy_view(policy))))
}

#[utoipa::path(get, path = "/admin/policies", tag = "policies", description = "Lists application access policies (Get-CsApplicationAccessPolicy).", params(TenantQuery), responses((status = 200, description = "The policies", body = [PolicyView])))]
async fn get_policies(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<Json<Vec<PolicyView>>, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(q.tenant.as_deref())
        .await?
        .id
        .to_string();
    let policies = match q.identity {
        Some(identity) => vec![
            state
                .directory
                .policy(&tenant, strip_tag(&identity))
                .await?,
        ],
        None => state.directory.policies(&tenant).await?,
    };
    Ok(Json(policies.into_iter().map(policy_view).collect()))
}

#[utoipa::path(patch, path = "/admin/policies/{identity}", tag = "policies", description = "Changes a policy's apps or description (Set-CsApplicationAccessPolicy).", request_body = SetPolicy, params(("identity" = String, Path, description = "Policy name (Tag: prefix allowed)")), responses((status = 200, description = "The policy", body = PolicyView)))]
pub(crate) async fn set_policy(
    State(state): State<AppState>,
    AdminPath(identity): AdminPath<String>,
    AdminJson(body): AdminJson<SetPolicy>,
) -> Result<Json<PolicyView>, AdminFailure> {
    use graphmeet_core::directory::AppIdsChange;
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?
        .id
        .to_string();
    let change = match (
        &body.add_app_ids,
        &body.remove_app_ids,
        &body.replace_app_ids,
    ) {
        (None, None, None) => None,
        (Some(add), None, None) => Some(AppIdsChange::Add(parse_uuids(add, "application id")?)),
        (None, Some(remove), None) => {
            Some(AppIdsChange::Remove(parse_uuids(remove, "application id")?))
        }
        (None, None, Some(replace)) => Some(AppIdsChange::Replace(parse_uuids(
            replace,
            "application id",
        )?)),
        _ => {
            return Err(AdminFailure::invalid(
                "give one of add_app_ids, remove_app_ids or replace_app_ids",
            ))
        }
    };
    if change.is_none() && body.description.is_none() {
        return Err(AdminFailure::invalid(
            "nothing to change: give app ids to add, remove or replace, or a description",
        ));
    }
    let policy = state
        .directory
        .set_policy(
            &tenant,
            strip_tag(&identity),
            change,
            body.description.as_deref(),
        )
        .await?;
    Ok(Json(policy_view(policy)))
}

#[utoipa::path(delete, path = "/admin/policies/{identity}", tag = "policies", description = "Removes a policy and its grants (Remove-CsApplicationAccessPolicy).", params(("identity" = String, Path, description = "Policy name (Tag: prefix allowed)"), TenantQuery), responses((status = 204, description = "Removed")))]
pub(crate) async fn remove_policy(
    State(state): State<AppState>,
    AdminPath(identity): AdminPath<String>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<StatusCode, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(q.tenant.as_deref())
        .await?
        .id
        .to_string();
    state
        .directory
        .remove_policy(&tenant, strip_tag(&identity))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/admin/policy-grants", tag = "policies", description = "Grants a policy to a user, a group (with rank) or the tenant (Grant-CsApplicationAccessPolicy).", request_body = GrantPolicy, responses((status = 200, description = "The grant", body = GrantView)))]
pub(crate) async fn grant_policy(
    State(state): State<AppState>,
    AdminJson(body): AdminJson<GrantPolicy>,
) -> Result<Json<GrantView>, AdminFailure> {
    let tenant = state
        .directory
        .tenant_or_only(body.tenant.as_deref())
        .await?;
    let target = match (&body.user, &body.group, body.global) {
        (Some(user), None, false) => {
            GrantTarget::User(state.directory.user_in(&tenant, user).await?.id)
        }
        (None, Some(group), false) => GrantTarget::Group {
            id: parse_uuid(group, "group id")?,
            rank: body.rank.unwrap_or(1),
        },
        (None, None, true) => GrantTarget::Global,
        _ => {
            return Err(AdminFailure::invalid(
                "grant to exactly one of: a user, a group, or the whole tenant (global)",
            ))
        }
    };
    if body.rank.is_some() && !matches!(target, GrantTarget::Group { .. }) {
        return Err(AdminFailure::invalid("a rank applies to group grants only"));
    }
    let tid = tenant.id.to_string();
    match body.policy_name.as_deref().map(strip_tag) {
        Some(name) => Ok(Json(grant_view(
            &state.directory.grant_policy(&tid, name, target).await?,
        ))),
        None => {
            state.directory.revoke_policy(&tid, target).await?;
            Ok(Json(target_view(target, None, state.clock.now())))
        }
    }
}

#[utoipa::path(get, path = "/admin/policy-grants", tag = "policies", description = "Lists a tenant's policy grants.", params(TenantQuery), responses((status = 200, description = "The grants", body = [GrantView])))]
async fn list_grants(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<TenantQuery>,
) -> Result<Json<Vec<GrantView>>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let grants = state.directory.grants(&tenant).await?;
    Ok(Json(
        grants
            .iter()
            .filter(|g| g.revoked_at.is_none())
            .map(grant_view)
            .collect(),
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExplainQuery {
    tenant: Option<String>,
    app: String,
    user: String,
}

/// "Explain this app for this user": the decision the Graph API would make now, with reasons.
#[utoipa::path(get, path = "/admin/policy-explain", tag = "policies", description = "Explains the decision the Graph API would make now for an app and a user.", params(ExplainQuery), responses((status = 200, description = "The decision, with its reasons", body = Object)))]
async fn explain_policy(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<ExplainQuery>,
) -> Result<Json<serde_json::Value>, AdminFailure> {
    let tenant = state.directory.tenant_or_only(q.tenant.as_deref()).await?;
    let app_id = parse_uuid(&q.app, "application id")?;
    let explanation = state
        .access
        .explain(&tenant, app_id, &UserRef::parse(&q.user))
        .ok_or_else(|| {
            AdminFailure::from(DirectoryError::NotFound(format!(
                "user {} in tenant {}",
                q.user, tenant.id
            )))
        })?;
    let mut body = serde_json::to_value(&explanation.decision).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert(
            "reason".to_owned(),
            serde_json::Value::String(explanation.reason()),
        );
        map.insert(
            "user_id".to_owned(),
            serde_json::Value::String(explanation.user.id.to_string()),
        );
        map.insert(
            "app_id".to_owned(),
            serde_json::Value::String(app_id.to_string()),
        );
        // The policy may allow the app while the user still cannot organise meetings.
        map.insert(
            "meetings_allowed".to_owned(),
            serde_json::Value::Bool(explanation.allowed()),
        );
        map.insert(
            "missing_prerequisite".to_owned(),
            match explanation.missing {
                Some(m) => serde_json::json!({
                    "kind": m,
                    "description": m.describe(),
                    "fix": m.fix(),
                }),
                None => serde_json::Value::Null,
            },
        );
        // The calendar path's gate: Exchange's application access policy, as a calendar call
        // would be decided now.
        if let Some((_, exchange)) =
            state
                .access
                .explain_exchange(&tenant, app_id, &UserRef::parse(&q.user))
        {
            let mut ex = serde_json::to_value(&exchange).unwrap_or_default();
            if let Some(ex) = ex.as_object_mut() {
                ex.insert(
                    "reason".to_owned(),
                    serde_json::Value::String(exchange.reason()),
                );
            }
            map.insert("exchange".to_owned(), ex);
        }
    }
    Ok(Json(body))
}

/// Prometheus' text exposition of this instance's metrics.
#[utoipa::path(get, path = "/metrics", tag = "observability", description = "Prometheus / OpenMetrics exposition of this instance.", responses((status = 200, description = "Metrics", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String)))]
async fn metrics(
    State(state): State<AppState>,
    axum::Extension(metrics): axum::Extension<std::sync::Arc<crate::metrics::Metrics>>,
) -> Response {
    let text = metrics.render(crate::metrics::Sizes {
        users: state.index.user_count(),
        tenants: state.index.tenants().len(),
        apps: state.index.app_count(),
        queued_creates: state.meetings.queued_creates(),
        queued_audit: state.audit.queued(),
        audit_dropped: state.audit.stats().dropped,
    });
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// `POST /admin/clock`: `{"advance": "PT30M"}` or `{"set": "2026-12-01T10:00:00Z"}`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance: Option<String>,
    set: Option<String>,
}

fn clock_view(state: &AppState) -> serde_json::Value {
    serde_json::json!({
        "now": state.clock.now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "mode": if state.manual_clock.is_some() { "manual" } else { "system" },
    })
}

/// The server's time and whether it is the system's or a virtual one.
#[utoipa::path(get, path = "/admin/clock", tag = "clock", description = "The server's time and clock mode.", responses((status = 200, description = "The clock", body = ClockView)))]
async fn get_clock(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(clock_view(&state))
}

/// Moves the virtual clock (`serve --clock manual`): forward by an ISO 8601 duration, or to a
/// time.
#[utoipa::path(post, path = "/admin/clock", tag = "clock", description = "Moves the virtual clock (serve --clock manual).", request_body = ClockChange, responses((status = 200, description = "The clock", body = ClockView)))]
async fn move_clock(
    State(state): State<AppState>,
    AdminJson(change): AdminJson<ClockChange>,
) -> Result<Json<serde_json::Value>, AdminFailure> {
    let Some(clock) = &state.manual_clock else {
        return Err(AdminFailure::new(
            StatusCode::CONFLICT,
            "conflict",
            "the server runs on the system clock; start it with `serve --clock manual` to move time",
        ));
    };
    match (change.advance.as_deref(), change.set.as_deref()) {
        (Some(advance), None) => {
            let by = graphmeet_core::clock::parse_iso_duration(advance).ok_or_else(|| {
                AdminFailure::invalid(format!(
                    "advance must be an ISO 8601 duration of days, hours, minutes and seconds (e.g. PT30M, P1DT2H), not '{advance}'"
                ))
            })?;
            clock.advance(by);
        }
        (None, Some(set)) => {
            let to = DateTime::parse_from_rfc3339(set)
                .map_err(|_| {
                    AdminFailure::invalid(format!("set must be an RFC 3339 time, not '{set}'"))
                })?
                .with_timezone(&Utc);
            clock.set(to);
        }
        _ => {
            return Err(AdminFailure::invalid(
                "give exactly one of advance (an ISO 8601 duration) and set (an RFC 3339 time)",
            ))
        }
    }
    Ok(Json(clock_view(&state)))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RequestsQuery {
    surface: Option<String>,
    after: Option<u64>,
    limit: Option<usize>,
}

/// The request inspector: the last requests, oldest first, after `after`, of one surface or
/// all (`graph`, `entra`, `admin`, `join`, `health`).
#[utoipa::path(get, path = "/admin/requests", tag = "observability", description = "The request inspector: the last requests, oldest first.", params(RequestsQuery), responses((status = 200, description = "Requests", body = [RequestRecord])))]
async fn recent_requests(
    axum::Extension(inspector): axum::Extension<std::sync::Arc<crate::inspector::Inspector>>,
    AdminQuery(q): AdminQuery<RequestsQuery>,
) -> Result<Json<Vec<crate::inspector::Record>>, AdminFailure> {
    if let Some(s) = q.surface.as_deref() {
        if !["graph", "entra", "admin", "join", "health", "console"].contains(&s) {
            return Err(AdminFailure::invalid(format!(
                "surface must be graph, entra, admin, join, health or console, not '{s}'"
            )));
        }
    }
    let limit = q
        .limit
        .unwrap_or(100)
        .clamp(1, crate::inspector::CAPACITY * 5);
    Ok(Json(inspector.since(
        q.surface.as_deref(),
        q.after.unwrap_or(0),
        limit,
    )))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    tenant: Option<String>,
    app: Option<String>,
    user: Option<String>,
    decision: Option<String>,
    since: Option<String>,
    limit: Option<u32>,
}

/// The audit log, newest first, narrowed by tenant, app, user, decision and time.
#[utoipa::path(get, path = "/admin/audit", tag = "audit", description = "The audit log, newest first.", params(AuditParams), responses((status = 200, description = "Entries", body = [AuditEntry])))]
async fn query_audit(
    State(state): State<AppState>,
    AdminQuery(p): AdminQuery<AuditParams>,
) -> Result<Json<Vec<graphmeet_core::AuditEntry>>, AdminFailure> {
    let tenant = match p.tenant.as_deref() {
        Some(t) => Some(state.directory.tenant(t).await?),
        None => None,
    };
    let user = match (p.user.as_deref(), &tenant) {
        (Some(u), Some(t)) => Some(state.directory.user_in(t, u).await?.id),
        (Some(u), None) => Some(parse_uuid(u, "user id (or give --tenant to use a UPN)")?),
        (None, _) => None,
    };
    let decision = match p.decision.as_deref() {
        Some(d) => Some(graphmeet_core::AuditDecision::parse(d).ok_or_else(|| {
            AdminFailure::invalid(format!(
                "decision must be allowed, denied or changed, not '{d}'"
            ))
        })?),
        None => None,
    };
    let since = match p.since.as_deref() {
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    AdminFailure::invalid(format!("since must be an RFC 3339 time, not '{s}'"))
                })?,
        ),
        None => None,
    };
    let query = graphmeet_core::AuditQuery {
        tenant_id: tenant.map(|t| t.id),
        app_id: p
            .app
            .as_deref()
            .map(|a| parse_uuid(a, "application id"))
            .transpose()?,
        user_id: user,
        decision,
        since,
        limit: p.limit.unwrap_or(100),
    };
    // Entries recorded before this query are written first.
    state.audit.flush().await;
    Ok(Json(state.directory.audit(&query).await?))
}

// ---- deletions, credentials, consent revocation, seeds, reset ----------------------------------

#[utoipa::path(delete, path = "/admin/tenants/{tenant}", tag = "tenants", description = "Deletes a tenant and everything in it.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_tenant(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_tenant(&tenant).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/users/{user}", tag = "users", description = "Deletes a user.", params(("user" = String, Path, description = "User object id, or UPN")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    AdminPath(user): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_user(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/admin/tenants/{tenant}/groups", tag = "groups", description = "Lists a tenant's groups.", params(("tenant" = String, Path, description = "Tenant id or domain")), responses((status = 200, description = "The groups", body = [GroupView])))]
async fn list_groups(
    State(state): State<AppState>,
    AdminPath(tenant): AdminPath<String>,
) -> Result<Json<Vec<GroupView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .groups(&tenant)
            .await?
            .into_iter()
            .map(group_view)
            .collect(),
    ))
}

#[utoipa::path(get, path = "/admin/groups/{group_id}/members", tag = "groups", description = "Lists a group's members.", params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 200, description = "The members", body = [UserView])))]
async fn list_members(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
) -> Result<Json<Vec<UserView>>, AdminFailure> {
    Ok(Json(
        state
            .directory
            .group_members(parse_uuid(&group_id, "group id")?)
            .await?
            .into_iter()
            .map(user_view)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/admin/groups/{group_id}", tag = "groups", description = "Deletes a group.", params(("group_id" = Uuid, Path, description = "Group object id")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_group(
    State(state): State<AppState>,
    AdminPath(group_id): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state
        .directory
        .delete_group(parse_uuid(&group_id, "group id")?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/apps/{app_id}", tag = "apps", description = "Deletes an application.", params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 204, description = "Deleted")))]
pub(crate) async fn delete_app(
    State(state): State<AppState>,
    AdminPath(app_id): AdminPath<String>,
) -> Result<StatusCode, AdminFailure> {
    state.directory.delete_app(parse_app_id(&app_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn secret_view(s: SecretCredential) -> SecretView {
    SecretView {
        key_id: s.key_id.to_string(),
        hint: s.hint,
        display_name: s.display_name,
        start_date_time: rfc3339(s.start),
        end_date_time: rfc3339(s.end),
    }
}

#[utoipa::path(get, path = "/admin/apps/{app_id}/credentials", tag = "credentials", description = "Lists an application's secrets and certificates.", params(("app_id" = Uuid, Path, description = "Application (client) id")), responses((status = 200, description = "The credentials", body = AppCredentials)))]
async fn list_credentials(
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

#[utoipa::path(post, path = "/admin/apply", tag = "seed", description = "Applies a declarative seed (idempotent).", request_body = Seed, responses((status = 200, description = "What was created, updated and left", body = ApplySummary)))]
async fn apply_seed(
    State(state): State<AppState>,
    AdminJson(seed): AdminJson<Seed>,
) -> Result<Json<ApplySummary>, AdminFailure> {
    let mut summary = state.directory.apply_seed(&seed).await?;
    summary.played = state.playback.apply_seed(&seed, &state.meetings).await?;
    Ok(Json(summary))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    format: Option<String>,
}

/// The state as a seed: JSON by default, TOML with `?format=toml`.
#[utoipa::path(get, path = "/admin/export", tag = "seed", description = "The whole state as a seed.", params(ExportQuery), responses((status = 200, description = "The seed (JSON, or TOML with format=toml)", content((Seed = "application/json"), (String = "application/toml")))))]
async fn export_seed(
    State(state): State<AppState>,
    AdminQuery(q): AdminQuery<ExportQuery>,
) -> Result<Response, AdminFailure> {
    let seed = state.directory.export_seed().await?;
    match q.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(Json(seed).into_response()),
        Some("toml") => {
            let text = seed.to_toml().map_err(|e| {
                tracing::error!(error = %e, "could not write the export as TOML");
                AdminFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internalError",
                    "the server failed; see its log",
                )
            })?;
            Ok(([(header::CONTENT_TYPE, "application/toml")], text).into_response())
        }
        Some(other) => Err(AdminFailure::invalid(format!(
            "format must be json or toml, not '{other}'"
        ))),
    }
}

#[utoipa::path(post, path = "/admin/reset", tag = "seed", description = "Deletes everything but the signing keys.", responses((status = 204, description = "Reset")))]
async fn reset(State(state): State<AppState>) -> Result<StatusCode, AdminFailure> {
    // Entries queued before the reset must not outlive it.
    state.audit.flush().await;
    state.directory.reset().await?;
    tracing::warn!("the admin API reset the server's state");
    Ok(StatusCode::NO_CONTENT)
}
