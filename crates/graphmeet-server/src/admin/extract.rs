//! The admin API's extractors: JSON, path and query, each rejecting in the admin error form.

use super::error::AdminFailure;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request};
use axum::http::StatusCode;
use axum::Json;

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
