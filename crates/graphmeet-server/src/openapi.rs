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

/// Where the description of the Microsoft surfaces graphmeet serves (Graph and Entra) is.
pub const MICROSOFT_PATH: &str = "/admin/openapi/microsoft.json";

/// Which surface a [`Route`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Microsoft Graph, under both `/v1.0` and `/beta`.
    Graph,
    /// The Microsoft identity platform (Entra ID).
    Entra,
}

/// What a route answers on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An `onlineMeeting`, with this status.
    Meeting(u16),
    /// `{"value":[onlineMeeting…]}`.
    Meetings,
    /// A `user`.
    User,
    /// `{"value":[user…]}`, with `@odata.nextLink` while more pages follow.
    Users,
    /// No body.
    Empty,
    /// A token response.
    Token,
    /// A JSON document described in Microsoft's docs (discovery, keys, realm).
    Document,
    /// A JSON document made by the call: `201 Created` (an event, a subscription).
    Created,
    /// Content of another media type (a transcript's `text/vtt`, a recording's `video/mp4`).
    Content(&'static str),
}

/// One route of a Microsoft surface graphmeet serves.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// Graph or Entra.
    pub surface: Surface,
    /// `get`, `post`, `patch`, `delete`.
    pub method: &'static str,
    /// The path, after `/v1.0` or `/beta` for Graph.
    pub path: &'static str,
    /// What it does, and the permission it needs.
    pub summary: &'static str,
    /// Its success answer.
    pub answer: Answer,
}

const fn graph(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    answer: Answer,
) -> Route {
    Route {
        surface: Surface::Graph,
        method,
        path,
        summary,
        answer,
    }
}

const fn entra(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    answer: Answer,
) -> Route {
    Route {
        surface: Surface::Entra,
        method,
        path,
        summary,
        answer,
    }
}

const APP: &str = "App-only: OnlineMeetings.ReadWrite.All (or .Read.All for reads), and an application access policy granted to the organizer.";
const SUBSCRIBE: &str = "A change-notification subscription (201 on create) after the validation handshake with notificationUrl (and lifecycleNotificationUrl): transcripts (OnlineMeetingTranscript.Read.All), recordings (OnlineMeetingRecording.Read.All), meeting call events (OnlineMeetings.Read.All); for a user's meetings also an application access policy granted to the organizer.";
const DELEGATED: &str = "Delegated: OnlineMeetings.ReadWrite (or .Read for reads); the signed-in user is the organizer.";

const ARTIFACT: &str = "OnlineMeetingArtifact.Read.All (app-only with an application access policy granted to the organizer, or delegated for the signed-in organizer); also under /me.";
const TRANSCRIPT: &str = "OnlineMeetingTranscript.Read.All (app-only with an application access policy, or delegated); also under /me.";
const CALENDAR: &str = "App-only: Calendars.ReadWrite (Calendars.Read for reads), allowed by Exchange's application access policy for the mailbox; delegated: the same scopes for the signed-in user (also under /me and .../calendar/). An isOnlineMeeting event with teamsForBusiness gets a Teams meeting.";
const RECORDING: &str = "OnlineMeetingRecording.Read.All (app-only with an application access policy, or delegated); also under /me.";

/// Every Graph and Entra route graphmeet serves. `server/tests/openapi.rs` sends a request to
/// each and checks that it is routed (not the unknown-segment 400 or the unserved 501), and
/// that none of them is in the unserved tables.
pub const MICROSOFT_ROUTES: &[Route] = &[
    graph("post", "/users/{user}/onlineMeetings", APP, Answer::Meeting(201)),
    graph("get", "/users/{user}/onlineMeetings", APP, Answer::Meetings),
    graph("post", "/users/{user}/onlineMeetings/createOrGet", APP, Answer::Meeting(201)),
    graph("get", "/users/{user}/onlineMeetings/{id}", APP, Answer::Meeting(200)),
    graph("patch", "/users/{user}/onlineMeetings/{id}", APP, Answer::Meeting(200)),
    graph("delete", "/users/{user}/onlineMeetings/{id}", APP, Answer::Empty),
    graph("post", "/me/onlineMeetings", DELEGATED, Answer::Meeting(201)),
    graph("get", "/me/onlineMeetings", DELEGATED, Answer::Meetings),
    graph("post", "/me/onlineMeetings/createOrGet", DELEGATED, Answer::Meeting(201)),
    graph("get", "/me/onlineMeetings/{id}", DELEGATED, Answer::Meeting(200)),
    graph("patch", "/me/onlineMeetings/{id}", DELEGATED, Answer::Meeting(200)),
    graph("delete", "/me/onlineMeetings/{id}", DELEGATED, Answer::Empty),
    graph("get", "/users", "App-only: User.Read.All (or User.ReadBasic.All, Directory.Read.All). $filter, $select, $top, $count and $skiptoken as Graph takes them.", Answer::Users),
    graph("get", "/users/{user}", "App-only: User.Read.All (or User.ReadBasic.All, Directory.Read.All); {user} is an object id or a UPN.", Answer::User),
    graph("get", "/me", "Delegated: User.Read; the signed-in user.", Answer::User),
    graph("get", "/users/{user}/onlineMeetings/{id}/attendanceReports", ARTIFACT, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/attendanceReports/{reportId}", "As attendanceReports; $expand=attendanceRecords.", Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/attendanceReports/{reportId}/attendanceRecords", ARTIFACT, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/transcripts", TRANSCRIPT, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/transcripts/{transcriptId}", TRANSCRIPT, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/transcripts/{transcriptId}/content", TRANSCRIPT, Answer::Content("text/vtt")),
    graph("get", "/users/{user}/onlineMeetings/{id}/transcripts/{transcriptId}/metadataContent", TRANSCRIPT, Answer::Content("text/vtt")),
    graph("get", "/users/{user}/onlineMeetings/{id}/recordings", RECORDING, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/recordings/{recordingId}", RECORDING, Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/{id}/recordings/{recordingId}/content", RECORDING, Answer::Content("video/mp4")),
    graph("get", "/users/{user}/onlineMeetings/getAllTranscripts(meetingOrganizerUserId='{user}')", "App-only: OnlineMeetingTranscript.Read.All and an application access policy; startDateTime, endDateTime; $top; /delta.", Answer::Document),
    graph("get", "/users/{user}/onlineMeetings/getAllRecordings(meetingOrganizerUserId='{user}')", "App-only: OnlineMeetingRecording.Read.All and an application access policy; startDateTime, endDateTime; $top; /delta.", Answer::Document),
    graph("post", "/users/{user}/events", CALENDAR, Answer::Created),
    graph("get", "/users/{user}/events", CALENDAR, Answer::Document),
    graph("get", "/users/{user}/events/{id}", CALENDAR, Answer::Document),
    graph("patch", "/users/{user}/events/{id}", CALENDAR, Answer::Document),
    graph("delete", "/users/{user}/events/{id}", CALENDAR, Answer::Empty),
    graph("post", "/users/{user}/events/{id}/cancel", CALENDAR, Answer::Empty),
    graph("post", "/users/{user}/events/{id}/accept", CALENDAR, Answer::Empty),
    graph("post", "/users/{user}/events/{id}/decline", CALENDAR, Answer::Empty),
    graph("post", "/users/{user}/events/{id}/tentativelyAccept", CALENDAR, Answer::Empty),
    graph("get", "/users/{user}/calendarView", "As events; startDateTime and endDateTime are required.", Answer::Document),
    graph("post", "/users/{user}/calendar/events", CALENDAR, Answer::Created),
    graph("get", "/users/{user}/calendar/events", CALENDAR, Answer::Document),
    graph("get", "/users/{user}/calendar/calendarView", "As events; startDateTime and endDateTime are required.", Answer::Document),
    graph("post", "/me/events", CALENDAR, Answer::Created),
    graph("get", "/me/events", CALENDAR, Answer::Document),
    graph("get", "/me/calendarView", "As events; startDateTime and endDateTime are required.", Answer::Document),
    graph("post", "/subscriptions", SUBSCRIBE, Answer::Created),
    graph("get", "/subscriptions", "The caller's app's unexpired subscriptions in its tenant.", Answer::Document),
    graph("get", "/subscriptions/{id}", SUBSCRIBE, Answer::Document),
    graph("patch", "/subscriptions/{id}", "Renews: a new expirationDateTime (within the resource's maximum lifetime from now); the permission is checked again.", Answer::Document),
    graph("delete", "/subscriptions/{id}", SUBSCRIBE, Answer::Empty),
    graph("post", "/subscriptions/{id}/reauthorize", "Reauthorizes after a reauthorizationRequired lifecycle notification.", Answer::Empty),
    entra("post", "/{tenant}/oauth2/v2.0/token", "The token endpoint: client_credentials (secret or certificate assertion), password, refresh_token; form-encoded.", Answer::Token),
    entra("get", "/{tenant}/v2.0/.well-known/openid-configuration", "OpenID Connect discovery.", Answer::Document),
    entra("get", "/{tenant}/discovery/v2.0/keys", "The signing keys (JWKS).", Answer::Document),
    entra("get", "/{tenant}/discovery/keys", "The signing keys (JWKS), v1 path.", Answer::Document),
    entra("get", "/common/discovery/instance", "Instance discovery, as MSAL asks it.", Answer::Document),
    entra("get", "/common/userrealm/{user}", "Home realm discovery (managed), as MSAL asks it before a password grant.", Answer::Document),
];

fn json_content(
    schema: impl Into<RefOr<utoipa::openapi::schema::Schema>>,
) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema.into())).build()
}

fn reference(name: &str) -> RefOr<utoipa::openapi::schema::Schema> {
    RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name))
}

fn collection(of: &str) -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ObjectBuilder::new()
        .property(
            "@odata.context",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property(
            "@odata.nextLink",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property("value", ArrayBuilder::new().items(reference(of)))
        .required("value")
        .into()
}

/// Graph's `user` resource: the properties graphmeet renders (the default set, and the ones
/// `$select` may add).
fn user_schema() -> utoipa::openapi::schema::Schema {
    use graphmeet_wire::graph::user::{DEFAULT_PROPERTIES, SELECTABLE_ONLY};
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let mut object = ObjectBuilder::new().description(Some(
        "Graph's user resource (https://learn.microsoft.com/graph/api/resources/user); \
         properties graphmeet does not model are null or empty",
    ));
    for name in DEFAULT_PROPERTIES.iter().chain(SELECTABLE_ONLY) {
        object = match *name {
            "businessPhones" => object.property(
                *name,
                ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
            ),
            "assignedLicenses" => object.property(
                *name,
                ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object)),
            ),
            "accountEnabled" => {
                object.property(*name, ObjectBuilder::new().schema_type(Type::Boolean))
            }
            _ => object.property(
                *name,
                ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                    Type::String,
                    Type::Null,
                ])),
            ),
        };
    }
    object.into()
}

/// Graph's error body: `{"error":{"code","message","innerError":{…}}}`.
fn graph_error_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .property(
            "error",
            ObjectBuilder::new()
                .property("code", string())
                .property("message", string())
                .property(
                    "innerError",
                    ObjectBuilder::new()
                        .property("code", string())
                        .property("message", string())
                        .property("date", string())
                        .property("request-id", string())
                        .property("client-request-id", string()),
                )
                .required("code")
                .required("message"),
        )
        .required("error")
        .into()
}

/// The OpenAPI 3.1 description of the Microsoft surfaces graphmeet serves: every route of
/// [`MICROSOFT_ROUTES`] (Graph under both `/v1.0` and `/beta`), with the `onlineMeeting`
/// schema derived from the wire types the server renders and parses.
pub fn microsoft() -> OpenApi {
    use graphmeet_wire::graph::meeting::OnlineMeeting;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    let mut api = OpenApi::new(
        InfoBuilder::new()
            .title("graphmeet: the Microsoft Graph and identity platform routes it serves")
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(
                "The subset of Microsoft Graph (online meetings and users) and of the Microsoft \
                 identity platform that graphmeet serves, wire-compatible with the real \
                 services. Routes of Graph it does not serve answer 501 with a Graph error \
                 naming them (docs/fidelity.md lists them).",
            ))
            .build(),
        utoipa::openapi::Paths::new(),
    );
    let mut schemas = vec![("onlineMeeting".to_owned(), OnlineMeeting::schema())];
    OnlineMeeting::schemas(&mut schemas);
    let mut token_schemas = vec![
        (
            "tokenResponse".to_owned(),
            graphmeet_wire::token::TokenResponse::schema(),
        ),
        (
            "aadstsError".to_owned(),
            graphmeet_wire::aadsts::AadstsBody::schema(),
        ),
    ];
    graphmeet_wire::token::TokenResponse::schemas(&mut token_schemas);
    let components = api.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
    components.schemas.extend(token_schemas);
    components
        .schemas
        .insert("user".to_owned(), user_schema().into());
    components
        .schemas
        .insert("graphError".to_owned(), graph_error_schema().into());
    components.schemas.insert(
        "meetingCollection".to_owned(),
        collection("onlineMeeting").into(),
    );
    components
        .schemas
        .insert("userCollection".to_owned(), collection("user").into());
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );

    for route in MICROSOFT_ROUTES {
        let prefixes: &[&str] = match route.surface {
            Surface::Graph => &["/v1.0", "/beta"],
            Surface::Entra => &[""],
        };
        for prefix in prefixes {
            let full = format!("{prefix}{}", route.path);
            let mut operation =
                OperationBuilder::new()
                    .summary(Some(route.summary))
                    .tag(match route.surface {
                        Surface::Graph => "graph",
                        Surface::Entra => "entra",
                    });
            for name in route
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                operation = operation.parameter(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(ParameterIn::Path)
                        .required(utoipa::openapi::Required::True)
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
                );
            }
            let (status, content) = match route.answer {
                Answer::Meeting(status) => (status, Some(reference("onlineMeeting"))),
                Answer::Meetings => (200, Some(reference("meetingCollection"))),
                Answer::User => (200, Some(reference("user"))),
                Answer::Users => (200, Some(reference("userCollection"))),
                Answer::Empty => (204, None),
                Answer::Token => (200, Some(reference("tokenResponse"))),
                Answer::Document => (
                    200,
                    Some(ObjectBuilder::new().schema_type(Type::Object).into()),
                ),
                Answer::Created => (
                    201,
                    Some(ObjectBuilder::new().schema_type(Type::Object).into()),
                ),
                Answer::Content(_) => (200, None),
            };
            let mut success = ResponseBuilder::new().description("Success");
            if let Answer::Content(media_type) = route.answer {
                success = success.content(
                    media_type,
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .build(),
                );
            } else if let Some(schema) = content {
                success = success.content("application/json", json_content(schema));
            }
            let error = match route.surface {
                Surface::Graph => ResponseBuilder::new()
                    .description("Graph's error: 400, 401, 403, 404, 409, 429, 501 …")
                    .content("application/json", json_content(reference("graphError"))),
                Surface::Entra => ResponseBuilder::new()
                    .description("The identity platform's AADSTS error")
                    .content("application/json", json_content(reference("aadstsError"))),
            };
            operation = operation
                .response(status.to_string(), success.build())
                .response("default", error.build());
            if route.surface == Surface::Graph {
                operation =
                    operation.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
            }
            let method = match route.method {
                "post" => HttpMethod::Post,
                "patch" => HttpMethod::Patch,
                "delete" => HttpMethod::Delete,
                _ => HttpMethod::Get,
            };
            api.paths
                .add_path_operation(full, vec![method], operation.build());
        }
    }
    api
}
