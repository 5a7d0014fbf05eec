//! Signing keys, discovery, restarts and the access-token verifier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_core::verify::TokenError;
use graphmeet_core::Store;
use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use serde_json::{json, Value};
use std::sync::Arc;

async fn jwks(t: &TestServer) -> Vec<String> {
    let body: Value = t
        .http
        .get(t.url(&format!("/{}/discovery/v2.0/keys", t.cred("tenant_id"))))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

/// A verifier over the same database the server uses, as a second instance would have.
async fn verifier_for(
    dir: &std::path::Path,
) -> (
    graphmeet_server::Parts,
    Arc<graphmeet_core::verify::TokenVerifier>,
) {
    let url = format!("sqlite://{}", dir.join("graphmeet.db").display());
    let mut settings = graphmeet_server::Settings::new("https://127.0.0.1", "k");
    settings.key_encryption =
        Arc::new(graphmeet_server::read_or_make_key_encryption_key(dir, None).unwrap());
    let parts = graphmeet_server::build(&url, Arc::new(graphmeet_core::SystemClock), settings)
        .await
        .unwrap();
    let verifier = parts.state.verifier.clone();
    (parts, verifier)
}

#[tokio::test]
async fn data_keys_and_tokens_survive_a_restart() {
    let t = TestServer::start().await;
    let (status, body) = t.secret_token().await;
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().unwrap().to_owned();
    let kids_before = jwks(&t).await;
    let creds_before = t.creds.clone();
    let ca_before = std::fs::read(t.server.ca_cert_path.as_ref().unwrap()).unwrap();
    let TestServer { server, dir, .. } = t;
    server.shutdown().await;

    let t = TestServer::start_in(dir).await;
    assert!(
        t.server.dev_credentials.is_none(),
        "a second start must not bootstrap again"
    );
    assert_eq!(t.creds, creds_before, "dev-credentials.json is kept");
    assert_eq!(
        std::fs::read(t.server.ca_cert_path.as_ref().unwrap()).unwrap(),
        ca_before,
        "the CA is reused"
    );
    assert_eq!(jwks(&t).await, kids_before, "the signing key is kept");
    assert_eq!(
        t.secret_token().await.0,
        200,
        "the stored secret still works"
    );
    let (parts, verifier) = verifier_for(t.dir.path()).await;
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.tid, t.cred("tenant_id"));
    // The bootstrap's application access policy lists the app and is granted to the organizer.
    let tid: uuid::Uuid = t.cred("tenant_id").parse().unwrap();
    let policy = parts
        .store
        .get_policy(tid, graphmeet_server::bootstrap::DEV_POLICY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        policy.current_app_ids(),
        vec![t.cred("client_id").parse::<uuid::Uuid>().unwrap()]
    );
    let grants = parts.store.list_policy_grants(tid).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].target,
        graphmeet_core::GrantTarget::User(t.cred("user_id").parse().unwrap())
    );
    assert_eq!(
        grants[0].policy_name,
        graphmeet_server::bootstrap::DEV_POLICY
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn rotation_publishes_the_new_key_and_keeps_the_old_one() {
    let t = TestServer::start().await;
    let old_token = t.secret_token().await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let old_kids = jwks(&t).await;
    assert_eq!(old_kids.len(), 1);
    let admin_key = std::fs::read_to_string(t.dir.path().join("admin-key")).unwrap();
    let rotated: Value = t
        .http
        .post(t.url("/admin/keys/rotate"))
        .header("x-graphmeet-admin-key", admin_key.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_kid = rotated["kid"].as_str().unwrap().to_owned();
    let kids = jwks(&t).await;
    assert_eq!(
        kids,
        vec![new_kid.clone(), old_kids[0].clone()],
        "newest first, old key still published"
    );
    let new_token = t.secret_token().await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let header: Value = serde_json::from_slice(
        &graphmeet_wire::b64::url_decode_lenient(new_token.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], new_kid.as_str(), "the new key signs");
    let (_parts, verifier) = verifier_for(t.dir.path()).await;
    assert!(
        verifier.verify(&old_token).await.is_ok(),
        "tokens of the old key still verify"
    );
    assert!(verifier.verify(&new_token).await.is_ok());
    t.server.shutdown().await;
}

#[tokio::test]
async fn forged_tokens_are_refused() {
    let t = TestServer::start().await;
    let token = t.secret_token().await.1["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_parts, verifier) = verifier_for(t.dir.path()).await;
    let parts: Vec<&str> = token.split('.').collect();
    let enc = |v: &Value| graphmeet_wire::b64::url_encode(v.to_string());
    let none = format!(
        "{}.{}.",
        enc(&json!({"alg": "none", "typ": "JWT"})),
        parts[1]
    );
    assert_eq!(
        verifier.verify(&none).await,
        Err(TokenError::AlgorithmNotAllowed("none".into()))
    );
    let hs = {
        use jsonwebtoken::{encode, EncodingKey, Header};
        let claims = claims(&token);
        encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"guess"),
        )
        .unwrap()
    };
    assert_eq!(
        verifier.verify(&hs).await,
        Err(TokenError::AlgorithmNotAllowed("HS256".into()))
    );
    let mut altered = claims(&token);
    altered["roles"] = json!(["OnlineMeetings.ReadWrite.All", "User.Read.All"]);
    let tampered = format!("{}.{}.{}", parts[0], enc(&altered), parts[2]);
    assert_eq!(
        verifier.verify(&tampered).await,
        Err(TokenError::BadSignature)
    );
    assert!(matches!(
        verifier.verify("garbage").await,
        Err(TokenError::Malformed(_))
    ));
    assert!(matches!(
        verifier
            .verify(&format!(
                "{}.e30.",
                enc(&json!({"alg": "RS256", "kid": "nope"}))
            ))
            .await,
        Err(TokenError::UnknownKey(_))
    ));
    t.server.shutdown().await;
}

#[tokio::test]
async fn discovery_documents_point_at_this_server() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    for tenant in [tid.clone(), t.cred("tenant_domain"), tid.to_uppercase()] {
        let r = t
            .http
            .get(t.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "max-age=86400, private");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(
            doc["token_endpoint"],
            t.url(&format!("/{tid}/oauth2/v2.0/token"))
        );
        assert_eq!(doc["issuer"], t.url(&format!("/{tid}/v2.0")));
        assert_eq!(
            doc["jwks_uri"],
            t.url(&format!("/{tid}/discovery/v2.0/keys"))
        );
        assert!(doc["authorization_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
    }
    // A trailing-slash authority makes MSAL Python ask for an empty segment.
    let r = t
        .http
        .get(t.url(&format!("/{tid}//v2.0/.well-known/openid-configuration")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let common: Value = t
        .http
        .get(t.url("/common/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(common["issuer"], t.url("/{tenantid}/v2.0"));
    let r = t
        .http
        .get(t.url("/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error_codes"],
        json!([90002])
    );

    let keys: Value = t
        .http
        .get(t.url("/common/discovery/v2.0/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["e"], "AQAB");
    let cert = graphmeet_wire::b64::std_decode_lenient(key["x5c"][0].as_str().unwrap()).unwrap();
    assert_eq!(
        graphmeet_core::crypto::x5t(&cert),
        key["kid"].as_str().unwrap()
    );

    let host = url::Url::parse(&t.server.base_url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    let r = t
        .http
        .get(t.url("/common/discovery/instance"))
        .query(&[
            ("api-version", "1.0"),
            (
                "authorization_endpoint",
                &format!("https://{host}/{tid}/oauth2/v2.0/authorize"),
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["tenant_discovery_endpoint"],
        t.url(&format!("/{tid}/v2.0/.well-known/openid-configuration"))
    );
    let r = t
        .http
        .get(t.url("/common/discovery/instance"))
        .query(&[(
            "authorization_endpoint",
            "https://login.example.org/common/oauth2/v2.0/authorize",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_instance");
    assert_eq!(body["error_codes"], json!([50049]));
    t.server.shutdown().await;
}

#[tokio::test]
async fn admin_api_requires_the_admin_key() {
    let t = TestServer::start().await;
    let r = t
        .http
        .post(t.url("/admin/tenants"))
        .json(&json!({"display_name": "Fabrikam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = t
        .http
        .post(t.url("/admin/tenants"))
        .header("x-graphmeet-admin-key", "wrong")
        .json(&json!({"display_name": "Fabrikam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let key = std::fs::read_to_string(t.dir.path().join("admin-key")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [
            "admin-key",
            "dev-credentials.json",
            "dev-app.pem",
            "tls/ca-key.pem",
            "tls/server-key.pem",
        ] {
            assert_eq!(
                std::fs::metadata(t.dir.path().join(f))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o600,
                "{f}"
            );
        }
    }
    let r = t
        .http
        .post(t.url("/admin/tenants"))
        .header("x-graphmeet-admin-key", key.trim())
        .json(&json!({"display_name": "Fabrikam"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = t
        .http
        .post(t.url("/admin/tenants"))
        .header("x-graphmeet-admin-key", key.trim())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "invalidRequest"
    );
    t.server.shutdown().await;
}
