//! [`AdminFailure`]: an admin API failure, its status, code and message, and the one mapping
//! of each domain error onto it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use graphmeet_core::directory::DirectoryError;
use graphmeet_core::identity::IdentityError;
use graphmeet_core::seed::SeedError;
use graphmeet_core::StoreError;
use graphmeet_wire::admin::*;

/// An admin API failure.
#[derive(Debug)]
pub struct AdminFailure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl AdminFailure {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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
