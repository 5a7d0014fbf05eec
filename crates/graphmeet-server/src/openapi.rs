//! The OpenAPI 3.1 description of the admin API, generated from the handlers' `#[utoipa::path]`
//! attributes and the body types' `ToSchema` derives (the same items axum routes, so the two
//! cannot drift apart), served at `GET /admin/openapi.json`.

use graphmeet_wire::admin::{AdminErrorBody, ADMIN_KEY_HEADER};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, RefOr, ResponseBuilder, SecurityRequirement,
};
use utoipa::{PartialSchema, ToSchema};

/// Where the document is served (without the admin key: it describes shapes, holds no data).
pub const PATH: &str = "/admin/openapi.json";

/// Completes the document the admin router collected: what it is, how to authenticate (the
/// admin key, as a header or a bearer token, on every operation), and the error body every
/// operation answers with when it fails (`{"error":{"code","message"}}`, any 4xx or 5xx).
pub fn admin(mut api: OpenApi) -> OpenApi {
    api.info = InfoBuilder::new()
        .title("graphmeet admin API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "graphmeet's own surface for tenants, users, groups, applications, credentials, \
             consent, application access policies, seeds, the audit log, the request \
             inspector, the virtual clock and metrics. Every operation needs the admin key \
             that `graphmeet serve` writes to DATA_DIR/admin-key.",
        ))
        .build();
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "adminKey",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(ADMIN_KEY_HEADER))),
    );
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    let mut schemas = vec![("AdminErrorBody".to_owned(), AdminErrorBody::schema())];
    AdminErrorBody::schemas(&mut schemas);
    components.schemas.extend(schemas);
    api.security = Some(vec![
        SecurityRequirement::new("adminKey", Vec::<String>::new()),
        SecurityRequirement::new("bearer", Vec::<String>::new()),
    ]);
    let failure = ResponseBuilder::new()
        .description(
            "The call failed: 400/422 invalid input, 401 no or a wrong admin key, 404 not \
             found, 409 conflict, 413 body too large, 415 not JSON, 500 the server failed",
        )
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "AdminErrorBody",
                ))))
                .build(),
        )
        .build();
    for item in api.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            operation
                .responses
                .responses
                .entry("default".to_owned())
                .or_insert_with(|| RefOr::T(failure.clone()));
        }
    }
    api
}
