//! The client's error type.

use crate::diagnosis::{GraphCallError, TokenRequestError};

/// Why a client call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status; `code` and `message` come from its error body.
    #[error("{message} ({code}, HTTP {status})")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The server's stable error code, e.g. `notFound` or `unauthorized`.
        code: String,
        /// The server's explanation, for people.
        message: String,
    },
    /// The request did not complete: connection refused, TLS failure, timeout, ...
    #[error("cannot reach the server: {0}")]
    Transport(String),
    /// The server answered with success but a body that is not what the API promises.
    #[error("unexpected response from the server: {0}")]
    Decode(String),
    /// The client could not be set up: a bad URL, CA certificate, key, or data directory.
    #[error("{0}")]
    Config(String),
    /// Microsoft Graph (or a graphmeet server's Graph API) answered a meetings or users call
    /// with an error: its status, code, message and ids, and what to do about it.
    #[error("{0}")]
    Graph(Box<GraphCallError>),
    /// The token endpoint refused to issue an app-only token (an AADSTS error), with what to
    /// do about it.
    #[error("{0}")]
    Token(Box<TokenRequestError>),
}

impl ClientError {
    /// The HTTP status if the server answered with an error, else `None`.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            ClientError::Graph(e) => Some(e.status),
            ClientError::Token(e) => Some(e.status),
            _ => None,
        }
    }

    /// What to do about the failure, when the client recognises it (a missing access policy,
    /// a missing role, a wrong or expired secret, ...).
    pub fn diagnosis(&self) -> Option<&crate::Diagnosis> {
        match self {
            ClientError::Graph(e) => e.diagnosis.as_ref(),
            ClientError::Token(e) => e.diagnosis.as_ref(),
            _ => None,
        }
    }

    /// The Graph failure, if this is one.
    pub fn as_graph(&self) -> Option<&GraphCallError> {
        match self {
            ClientError::Graph(e) => Some(e),
            _ => None,
        }
    }

    /// The token-endpoint failure, if this is one.
    pub fn as_token(&self) -> Option<&TokenRequestError> {
        match self {
            ClientError::Token(e) => Some(e),
            _ => None,
        }
    }

    /// A transport error, with every cause in the chain (reqwest's own message is terse).
    pub(crate) fn transport(err: &reqwest::Error) -> Self {
        ClientError::Transport(chain(err))
    }
}

/// Sends `request` and reads the whole answer, its status and body; a request that does not
/// complete is a [`ClientError::Transport`]. What the status means is the caller's business.
pub(crate) async fn exchange(
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>), ClientError> {
    let response = request
        .send()
        .await
        .map_err(|err| ClientError::transport(&err))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|err| ClientError::transport(&err))?;
    Ok((status, bytes.to_vec()))
}

/// An error and all its sources, joined with `: `.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_reads_well() {
        let err = ClientError::Api {
            status: 404,
            code: "notFound".into(),
            message: "tenant 'x' not found".into(),
        };
        assert_eq!(err.to_string(), "tenant 'x' not found (notFound, HTTP 404)");
        assert_eq!(err.status(), Some(404));
        assert_eq!(ClientError::Config("bad".into()).status(), None);
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn chain_joins_sources() {
        let err = Outer(std::io::Error::other("inner"));
        assert_eq!(chain(&err), "outer: inner");
    }
}
