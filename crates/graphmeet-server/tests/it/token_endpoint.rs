//! The token endpoint over real TLS against a bootstrapped server: success, every AADSTS error,
//! and the assertion shapes real clients send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use serde_json::{json, Value};

const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

fn assert_aadsts(status: u16, body: &Value, want_status: u16, error: &str, code: u64) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    assert!(
        description.contains("Trace ID: ")
            && description.contains("Correlation ID: ")
            && description.contains("Timestamp: ")
    );
    assert_eq!(
        body["error_uri"]
            .as_str()
            .unwrap()
            .split("/error?code=")
            .nth(1),
        Some(code.to_string().as_str())
    );
    let ts = body["timestamp"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M:%SZ").is_ok(),
        "{ts}"
    );
}

#[tokio::test]
async fn client_secret_gets_a_v1_graph_token_with_the_consented_role() {
    let t = TestServer::start().await;
    let (status, headers, body) = t
        .token_form(
            &t.cred("tenant_id"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &t.cred("client_id")),
                ("client_secret", &t.cred("client_secret")),
                ("scope", GRAPH_SCOPE),
                ("client_info", "1"),
                ("x-client-SKU", "MSAL.Python"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store, no-cache");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let token = body["access_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &graphmeet_wire::b64::url_decode_lenient(token.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], header["x5t"]);
    let c = claims(token);
    let tid = t.cred("tenant_id");
    assert_eq!(c["aud"], "https://graph.microsoft.com");
    assert_eq!(c["iss"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(c["idp"], c["iss"]);
    assert_eq!(c["tid"], tid.as_str());
    assert_eq!(c["appid"], t.cred("client_id").as_str());
    assert_eq!(c["appidacr"], "1");
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["ver"], "1.0");
    assert_eq!(c["oid"], c["sub"]);
    assert_eq!(c["roles"], json!(["OnlineMeetings.ReadWrite.All"]));
    assert_eq!(c["app_displayname"], "graphmeet dev app");
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3900
    );
    assert_eq!(c["uti"].as_str().unwrap().len(), 22);
    assert!(c.get("scp").is_none());
    t.server.shutdown().await;
}

#[tokio::test]
async fn tenant_by_domain_graph_guid_scope_basic_auth_and_cae() {
    let t = TestServer::start().await;
    let basic = graphmeet_wire::b64::std_encode(format!(
        "{}:{}",
        t.cred("client_id"),
        t.cred("client_secret")
    ));
    let response = t
        .http
        .post(t.url(&format!("/{}/oauth2/v2.0/token?client-request-id=3f1b0c2e-0d6a-4a53-9a0c-8ad1d3c1a001", t.cred("tenant_domain").to_uppercase())))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded;charset=utf-8")
        .body("grant_type=client_credentials&scope=00000003-0000-0000-c000-000000000000%2F.default&claims=%7B%22access_token%22%3A+%7B%22xms_cc%22%3A+%7B%22values%22%3A+%5B%22CP1%22%5D%7D%7D%7D")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["expires_in"], 86399,
        "CAE clients get long-lived tokens"
    );
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["aud"],
        "00000003-0000-0000-c000-000000000000"
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn every_token_error_has_the_real_aadsts_body() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let cid = t.cred("client_id");
    let secret = t.cred("client_secret");
    let form = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut base = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", cid.clone()),
            ("client_secret", secret.clone()),
            ("scope", GRAPH_SCOPE.to_owned()),
        ];
        for (k, v) in extra {
            base.retain(|(bk, _)| bk != k);
            if !v.is_empty() {
                base.push((k, v.clone()));
            }
        }
        base
    };
    type Case = (
        &'static str,
        String,
        Vec<(&'static str, String)>,
        u16,
        &'static str,
        u64,
    );
    let cases: Vec<Case> = vec![
        ("wrong secret", tid.clone(), form(&[("client_secret", "nope".into())]), 401, "invalid_client", 7000215),
        ("unknown client id", tid.clone(), form(&[("client_id", uuid::Uuid::new_v4().to_string())]), 400, "unauthorized_client", 700016),
        ("non-GUID client id", tid.clone(), form(&[("client_id", "my-app".into())]), 400, "unauthorized_client", 700016),
        ("unknown tenant", uuid::Uuid::new_v4().to_string(), form(&[]), 400, "invalid_request", 90002),
        ("unknown tenant domain", "nowhere.onmicrosoft.com".into(), form(&[]), 400, "invalid_request", 90002),
        ("two resources", tid.clone(), form(&[("scope", "https://graph.microsoft.com/.default 00000003-0000-0000-c000-000000000000/.default".into())]), 400, "invalid_scope", 70011),
        ("not /.default", tid.clone(), form(&[("scope", "https://graph.microsoft.com/OnlineMeetings.ReadWrite.All".into())]), 400, "invalid_scope", 1002012),
        // A resource no tenant has a service principal for (first-party resources such as Key
        // Vault are in every tenant and get tokens).
        ("other resource", tid.clone(), form(&[("scope", "https://api.contoso.example/.default".into())]), 400, "invalid_resource", 500011),
        ("missing scope", tid.clone(), form(&[("scope", String::new())]), 400, "invalid_request", 900144),
        ("missing grant_type", tid.clone(), form(&[("grant_type", String::new())]), 400, "invalid_request", 900144),
        ("missing client_id", tid.clone(), form(&[("client_id", String::new())]), 400, "invalid_request", 900144),
        ("unsupported grant", tid.clone(), form(&[("grant_type", "urn:ietf:params:oauth:grant-type:device_code".into())]), 400, "unsupported_grant_type", 70003),
        ("no credential", tid.clone(), form(&[("client_secret", String::new())]), 401, "invalid_client", 7000216),
        ("v1 resource parameter", tid.clone(), form(&[("resource", "https://graph.microsoft.com".into())]), 400, "invalid_request", 901002),
        ("garbage assertion", tid.clone(), form(&[("client_secret", String::new()), ("client_assertion", "not-a-jwt".into()), ("client_assertion_type", graphmeet_wire::JWT_BEARER_ASSERTION_TYPE.into())]), 400, "invalid_request", 50027),
    ];
    for (name, tenant, form, status, error, code) in cases {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (got_status, headers, body) = t.token_form(&tenant, &pairs).await;
        println!("{name}: {body}");
        assert_aadsts(got_status, &body, status, error, code);
        assert_eq!(headers["cache-control"], "no-store, no-cache");
    }
    t.server.shutdown().await;
}

/// The AADSTS body of `status`/`error`/`code` whose message (before ` Trace ID:`) is `message`.
fn assert_aadsts_message(status: u16, body: &Value, want: (u16, &str, u64), message: &str) {
    assert_aadsts(status, body, want.0, want.1, want.2);
    let description = body["error_description"].as_str().unwrap();
    let text = description
        .strip_prefix(&format!("AADSTS{}: ", want.2))
        .and_then(|d| d.split(" Trace ID: ").next())
        .unwrap();
    assert_eq!(text, message, "{body}");
}

#[tokio::test]
async fn a_parameter_sent_twice_is_aadsts9000411_whichever_value_is_right() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let cid = t.cred("client_id");
    let secret = t.cred("client_secret");
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "client_secret",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_secret", &secret),
                ("client_secret", "wrong"),
                ("scope", GRAPH_SCOPE),
            ],
        ),
        (
            "client_id",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_id", &cid),
                ("client_secret", &secret),
                ("scope", GRAPH_SCOPE),
            ],
        ),
        (
            "grant_type",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_secret", &secret),
                ("grant_type", "client_credentials"),
                ("scope", GRAPH_SCOPE),
            ],
        ),
        (
            "scope",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_secret", &secret),
                ("scope", GRAPH_SCOPE),
                ("scope", GRAPH_SCOPE),
            ],
        ),
    ];
    for (name, form) in cases {
        let (status, headers, body) = t.token_form(&tid, &form).await;
        assert_aadsts_message(
            status,
            &body,
            (400, "invalid_request", 9000411),
            &format!(
                "The request is not properly formatted. The parameter '{name}' is duplicated."
            ),
        );
        assert_eq!(headers["cache-control"], "no-store, no-cache");
    }
    // An empty repeat counts as not sent (RFC 6749 §3.1), so this one is fine.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_secret", ""),
                ("client_secret", &secret),
                ("scope", GRAPH_SCOPE),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    t.server.shutdown().await;
}

#[tokio::test]
async fn an_assertion_and_a_secret_together_are_aadsts9002324() {
    let t = TestServer::start().await;
    let key = AppKey::from_pem(&std::fs::read_to_string(t.cred("certificate_path")).unwrap());
    let tid = t.cred("tenant_id");
    let cid = t.cred("client_id");
    let secret = t.cred("client_secret");
    let jwt = assertion(
        &key,
        &cid,
        &t.cred("token_url"),
        &AssertionShape::default(),
        json!({}),
    );
    let message = "Request should not contain more than one client credential parameters, this includes 'client_secret', 'client_assertion' and 'request' parameters.";
    for form in [
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", cid.as_str()),
            ("client_secret", secret.as_str()),
            ("client_assertion", jwt.as_str()),
            (
                "client_assertion_type",
                graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
            ),
            ("scope", GRAPH_SCOPE),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", cid.as_str()),
            ("client_assertion", jwt.as_str()),
            (
                "client_assertion_type",
                graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
            ),
            ("client_secret", "wrong"),
            ("scope", GRAPH_SCOPE),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", cid.as_str()),
            ("client_secret", secret.as_str()),
            ("request", "eyJhbGciOiJub25lIn0.e30."),
            ("scope", GRAPH_SCOPE),
        ],
    ] {
        let (status, _, body) = t.token_form(&tid, &form).await;
        assert_aadsts_message(status, &body, (400, "invalid_request", 9002324), message);
    }
    // Each credential alone still works.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("client_assertion", &jwt),
                (
                    "client_assertion_type",
                    graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
                ),
                ("scope", GRAPH_SCOPE),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.secret_token().await.0, 200);
    t.server.shutdown().await;
}

#[tokio::test]
async fn certificate_assertions_in_every_client_shape_are_accepted() {
    let t = TestServer::start().await;
    let key = AppKey::from_pem(&std::fs::read_to_string(t.cred("certificate_path")).unwrap());
    let cid = t.cred("client_id");
    let tid = t.cred("tenant_id");
    let shapes = [
        (
            "msal-node PS256",
            AssertionShape::default(),
            t.cred("token_url"),
        ),
        (
            "MSAL Python RS256 padded x5t, float times, no nbf",
            AssertionShape {
                pss: false,
                pad: false,
                float_times: true,
                with_iat: true,
                with_nbf: false,
            },
            t.cred("token_url"),
        ),
        (
            "azure-identity aio PS256 padded segments, no iat",
            AssertionShape {
                pss: true,
                pad: true,
                float_times: false,
                with_iat: false,
                with_nbf: true,
            },
            t.cred("token_url"),
        ),
        (
            "domain authority",
            AssertionShape::default(),
            t.url(&format!("/{}/oauth2/v2.0/token", t.cred("tenant_domain"))),
        ),
    ];
    for (name, shape, aud) in shapes {
        let jwt = assertion(&key, &cid, &aud, &shape, json!({}));
        let (status, _, body) = t
            .token_form(
                &tid,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &cid),
                    ("client_assertion", &jwt),
                    (
                        "client_assertion_type",
                        graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
                    ),
                    ("scope", GRAPH_SCOPE),
                ],
            )
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_eq!(
            claims(body["access_token"].as_str().unwrap())["appidacr"],
            "2",
            "{name}"
        );
    }
    t.server.shutdown().await;
}

#[tokio::test]
async fn bad_assertions_get_the_real_errors() {
    let t = TestServer::start().await;
    let key = AppKey::from_pem(&std::fs::read_to_string(t.cred("certificate_path")).unwrap());
    let cid = t.cred("client_id");
    let tid = t.cred("tenant_id");
    let aud = t.cred("token_url");
    let now = chrono::Utc::now().timestamp();
    let stranger = AppKey::generate();
    let replayed = assertion(&key, &cid, &aud, &AssertionShape::default(), json!({}));
    let mut tampered = assertion(&key, &cid, &aud, &AssertionShape::default(), json!({}));
    tampered.push('A');
    let forged_alg = {
        let good = assertion(&key, &cid, &aud, &AssertionShape::default(), json!({}));
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[0] =
            graphmeet_wire::b64::url_encode(br#"{"alg":"HS256","typ":"JWT","x5t#S256":"x"}"#);
        parts.join(".")
    };
    let cases: Vec<(&str, String, u16, &str, u64)> = vec![
        (
            "unregistered certificate",
            assertion(&stranger, &cid, &aud, &AssertionShape::default(), json!({})),
            401,
            "invalid_client",
            700027,
        ),
        ("bad signature", tampered, 401, "invalid_client", 700027),
        (
            "wrong audience",
            assertion(
                &key,
                &cid,
                "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                &AssertionShape::default(),
                json!({}),
            ),
            401,
            "invalid_client",
            700023,
        ),
        (
            "expired",
            assertion(
                &key,
                &cid,
                &aud,
                &AssertionShape::default(),
                json!({"exp": now - 3600, "nbf": now - 4000}),
            ),
            401,
            "invalid_client",
            700024,
        ),
        (
            "not yet valid",
            assertion(
                &key,
                &cid,
                &aud,
                &AssertionShape::default(),
                json!({"nbf": now + 3600, "exp": now + 4000}),
            ),
            401,
            "invalid_client",
            700024,
        ),
        (
            "issuer is another app",
            assertion(
                &key,
                &cid,
                &aud,
                &AssertionShape::default(),
                json!({"iss": uuid::Uuid::new_v4().to_string()}),
            ),
            401,
            "invalid_client",
            700021,
        ),
        ("HS256", forged_alg, 401, "invalid_client", 50012),
        ("first use", replayed.clone(), 200, "", 0),
        ("replayed jti", replayed, 401, "invalid_client", 70002),
    ];
    for (name, jwt, status, error, code) in cases {
        let (got, _, body) = t
            .token_form(
                &tid,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &cid),
                    ("client_assertion", &jwt),
                    (
                        "client_assertion_type",
                        graphmeet_wire::JWT_BEARER_ASSERTION_TYPE,
                    ),
                    ("scope", GRAPH_SCOPE),
                ],
            )
            .await;
        println!("{name}: {body}");
        if status == 200 {
            assert_eq!(got, 200, "{name}: {body}");
        } else {
            assert_aadsts(got, &body, status, error, code);
        }
    }
    t.server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_errors_and_the_server_keeps_serving() {
    let t = TestServer::start().await;
    let url = t.url(&format!("/{}/oauth2/v2.0/token", t.cred("tenant_id")));
    // JSON instead of a form.
    let r = t
        .http
        .post(&url)
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    // Oversized body.
    let big = format!("grant_type=client_credentials&pad={}", "a".repeat(200_000));
    let r = t
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_codes"], json!([90023]));
    // Broken percent-encoding and binary junk.
    let r = t
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'%', b'z', b'&', b'='])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // GET on the token endpoint.
    let r = t.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error_codes"], json!([900561]));
    // Still serving.
    assert_eq!(
        t.http.get(t.url("/healthz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(t.secret_token().await.0, 200);
    t.server.shutdown().await;
}

/// `client_credentials` with neither a secret nor an assertion gets the code Entra has for that
/// grant, AADSTS7000216, not the other grants' AADSTS7000218.
#[tokio::test]
async fn client_credentials_without_a_credential_is_aadsts7000216() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let cid = t.cred("client_id");
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &cid),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
        .await;
    assert_aadsts_message(
        status,
        &body,
        (401, "invalid_client", 7000216),
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
    );
    assert_eq!(body["error_codes"], serde_json::json!([7000216]));
    t.server.shutdown().await;
}

/// The decoded segment `n` (0 header, 1 payload) of a JWT.
fn jwt_part(jwt: &str, n: usize) -> Value {
    serde_json::from_slice(
        &graphmeet_wire::b64::url_decode_lenient(jwt.split('.').nth(n).unwrap()).unwrap(),
    )
    .unwrap()
}

/// Azure Resource Manager and the other first-party resources every tenant has get tokens
/// with their real `aud` (the form asked for) and no Graph roles; Graph refuses them.
#[tokio::test]
async fn first_party_resources_get_tokens_with_their_real_audience_and_graph_refuses_them() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let cid = t.cred("client_id");
    let secret = t.cred("client_secret");
    let get = |scope: &'static str| {
        let (tid, cid, secret) = (tid.clone(), cid.clone(), secret.clone());
        let t = &t;
        async move {
            t.token_form(
                &tid,
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &cid),
                    ("client_secret", &secret),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    for (scope, aud) in [
        // What `az login --service-principal` asks for.
        (
            "https://management.core.windows.net//.default",
            "https://management.core.windows.net/",
        ),
        (
            "https://management.azure.com/.default",
            "https://management.azure.com",
        ),
        (
            "797f4846-ba00-4fd7-ba43-dac1f8f63013/.default",
            "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        ),
        (
            "https://vault.azure.net/.default",
            "https://vault.azure.net",
        ),
        (
            "https://graph.windows.net//.default",
            "https://graph.windows.net/",
        ),
        (
            "https://storage.azure.com/.default",
            "https://storage.azure.com",
        ),
    ] {
        let (status, _, body) = get(scope).await;
        assert_eq!(status, 200, "{scope}: {body}");
        assert!(body.get("scope").is_none(), "{body}");
        let c = claims(body["access_token"].as_str().unwrap());
        assert_eq!(c["aud"], aud, "{scope}");
        assert_eq!(c["idtyp"], "app");
        assert_eq!(c["appid"], cid.as_str());
        assert!(c.get("roles").is_none(), "{scope}: {c}");
    }
    let (status, _, body) = get("https://management.core.windows.net//.default").await;
    assert_eq!(status, 200);
    let arm = body["access_token"].as_str().unwrap().to_owned();
    let (status, _, body) = t
        .graph(
            Some(&arm),
            reqwest::Method::GET,
            &format!("/v1.0/users/{}/onlineMeetings", t.cred("user_id")),
            None,
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["error"]["code"], "InvalidAuthenticationToken",
        "{body}"
    );
    assert_eq!(
        body["error"]["message"],
        "Access token validation failure. Invalid audience."
    );
    // A resource no tenant has is still AADSTS500011.
    let (status, _, body) = get("https://management.example.com/.default").await;
    assert_aadsts(status, &body, 400, "invalid_resource", 500011);
    t.server.shutdown().await;
}

/// A public client app, allowed to use the password grant, and a user with a password.
async fn public_client_and_user(t: &TestServer, upn: &str) -> (String, String) {
    let tid = t.cred("tenant_id");
    let (status, user) = t
        .admin(
            reqwest::Method::POST,
            "/admin/users",
            Some(json!({"tenant": tid, "upn": upn, "display_name": "Dana Scully", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let (status, app) = t
        .admin(
            reqwest::Method::POST,
            "/admin/apps",
            Some(json!({"tenant": tid, "display_name": "desktop tool"})),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    let app_id = app["app_id"].as_str().unwrap().to_owned();
    let (status, body) = t
        .admin(
            reqwest::Method::PATCH,
            &format!("/admin/apps/{app_id}"),
            Some(json!({"allow_public_client": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (app_id, user["id"].as_str().unwrap().to_owned())
}

/// What MSAL's `acquire_token_by_username_password` sends.
fn msal_password_form<'a>(client_id: &'a str, upn: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client_id),
        ("grant_type", "password"),
        ("username", upn),
        ("password", "correct horse battery"),
        (
            "scope",
            "https://graph.microsoft.com/OnlineMeetings.ReadWrite offline_access openid profile",
        ),
        ("client_info", "1"),
        ("nonce", "n-0S6_WzA2Mj"),
    ]
}

async fn the_password_grant_answers_as_entra(database_url: Option<String>) {
    let t = TestServer::start_on(database_url).await;
    let tid = t.cred("tenant_id");
    let upn = "dana@graphmeetdev.onmicrosoft.com";
    let (app_id, user_id) = public_client_and_user(&t, upn).await;
    let response = t
        .http
        .post(t.url(&format!("/{tid}/oauth2/v2.0/token")))
        .form(&msal_password_form(&app_id, upn))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    // Entra's fields, in Entra's order.
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut positions: Vec<usize> = [
        "token_type",
        "scope",
        "expires_in",
        "ext_expires_in",
        "access_token",
        "refresh_token",
        "id_token",
        "client_info",
    ]
    .iter()
    .map(|k| {
        text.find(&format!("\"{k}\""))
            .unwrap_or_else(|| panic!("{k} in {text}"))
    })
    .collect();
    assert_eq!(keys.len(), 8, "{text}");
    let sorted = {
        let mut p = positions.clone();
        p.sort();
        p
    };
    assert_eq!(positions, sorted, "field order: {text}");
    positions.clear();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["scope"],
        "OnlineMeetings.ReadWrite profile openid email"
    );
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);

    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["aud"], "https://graph.microsoft.com");
    assert_eq!(at["scp"], "OnlineMeetings.ReadWrite");
    assert_eq!(at["oid"], user_id.as_str());
    assert_eq!(at["appidacr"], "0");

    let id_token = body["id_token"].as_str().unwrap();
    let header = jwt_part(id_token, 0);
    assert_eq!(header["alg"], "RS256");
    let id = jwt_part(id_token, 1);
    assert_eq!(id["aud"], app_id.as_str());
    assert_eq!(id["iss"], format!("{}/{tid}/v2.0", t.server.base_url));
    assert_eq!(id["ver"], "2.0");
    assert_eq!(id["oid"], user_id.as_str());
    assert_eq!(id["tid"], tid.as_str());
    assert_eq!(id["preferred_username"], upn);
    assert_eq!(id["name"], "Dana Scully");
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["sub"], at["sub"]);
    assert_eq!(id["iat"], id["nbf"]);
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3900
    );
    // The ID token verifies against the published keys, as any OIDC library would check it.
    let (_, _, jwks) = {
        let r = t
            .http
            .get(t.url(&format!("/{tid}/discovery/v2.0/keys")))
            .send()
            .await
            .unwrap();
        (0, (), r.json::<Value>().await.unwrap())
    };
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap(),
        jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[app_id.as_str()]);
    validation.set_issuer(&[format!("{}/{tid}/v2.0", t.server.base_url)]);
    jsonwebtoken::decode::<Value>(id_token, &key, &validation).unwrap();

    let client_info: Value = serde_json::from_slice(
        &graphmeet_wire::b64::url_decode_lenient(body["client_info"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(client_info, json!({"uid": user_id, "utid": tid}));
    let rt = body["refresh_token"].as_str().unwrap();
    assert!(!rt.contains(&user_id) && rt.len() > 100, "{rt}");

    // Without offline_access, openid or client_info, none of those.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("client_id", &app_id),
                ("grant_type", "password"),
                ("username", upn),
                ("password", "correct horse battery"),
                ("scope", "OnlineMeetings.ReadWrite"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "OnlineMeetings.ReadWrite");
    for absent in ["refresh_token", "id_token", "client_info"] {
        assert!(body.get(absent).is_none(), "{absent}: {body}");
    }

    // A first-party resource on the delegated grant: Azure Resource Manager's token, which
    // Graph refuses.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("client_id", &app_id),
                ("grant_type", "password"),
                ("username", upn),
                ("password", "correct horse battery"),
                (
                    "scope",
                    "https://management.core.windows.net//user_impersonation openid",
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "user_impersonation openid email");
    let arm = body["access_token"].as_str().unwrap();
    let c = claims(arm);
    assert_eq!(c["aud"], "https://management.core.windows.net/");
    assert_eq!(c["scp"], "user_impersonation");
    let (status, _, body) = t
        .graph(Some(arm), reqwest::Method::GET, "/v1.0/me", None)
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    t.server.shutdown().await;
}

#[tokio::test]
async fn the_password_grant_answers_as_entra_on_every_backend() {
    on_every_backend(the_password_grant_answers_as_entra).await;
}

async fn refresh_tokens_redeem_for_their_client_user_and_tenant_only(database_url: Option<String>) {
    let t = TestServer::start_on(database_url).await;
    let tid = t.cred("tenant_id");
    let upn = "dana@graphmeetdev.onmicrosoft.com";
    let (app_id, user_id) = public_client_and_user(&t, upn).await;
    let (status, _, first) = t.token_form(&tid, &msal_password_form(&app_id, upn)).await;
    assert_eq!(status, 200, "{first}");
    let rt = first["refresh_token"].as_str().unwrap().to_owned();
    // What MSAL's acquire_token_silent sends when it refreshes.
    let refresh = |client: String, token: String, extra: Option<(&'static str, String)>| {
        let tid = tid.clone();
        let t = &t;
        async move {
            let mut form = vec![
                ("client_id", client),
                ("grant_type", "refresh_token".to_owned()),
                (
                    "scope",
                    "OnlineMeetings.ReadWrite offline_access openid profile".to_owned(),
                ),
                ("refresh_token", token),
                ("client_info", "1".to_owned()),
            ];
            form.extend(extra);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.token_form(&tid, &pairs).await
        }
    };
    let (status, _, body) = refresh(app_id.clone(), rt.clone(), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["scope"],
        "OnlineMeetings.ReadWrite profile openid email"
    );
    let at = claims(body["access_token"].as_str().unwrap());
    assert_eq!(at["oid"], user_id.as_str());
    assert_eq!(at["scp"], "OnlineMeetings.ReadWrite");
    assert_eq!(
        jwt_part(body["id_token"].as_str().unwrap(), 1)["oid"],
        user_id.as_str()
    );
    assert!(body["client_info"].is_string());
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, rt);
    // The new refresh token works too, for the resource's other permissions.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("client_id", &app_id),
                ("grant_type", "refresh_token"),
                ("refresh_token", &rotated),
                ("scope", "https://graph.microsoft.com/User.Read"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["scp"],
        "User.Read"
    );
    // The refreshed delegated token works on /me.
    let (status, _, me) = t
        .graph(
            Some(body["access_token"].as_str().unwrap()),
            reqwest::Method::GET,
            "/v1.0/me",
            None,
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], user_id.as_str());

    // Not ours, or altered: AADSTS9002313.
    let mut altered = rt.clone().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    for token in [
        "not-a-token".to_owned(),
        String::from_utf8(altered).unwrap(),
    ] {
        let (status, _, body) = refresh(app_id.clone(), token, None).await;
        assert_aadsts_message(
            status,
            &body,
            (400, "invalid_grant", 9002313),
            "Invalid request. Request is malformed or invalid.",
        );
    }
    // Another client (the dev app, with its own secret) may not redeem it: AADSTS70000.
    let (status, _, body) = refresh(
        t.cred("client_id"),
        rt.clone(),
        Some(("client_secret", t.cred("client_secret"))),
    )
    .await;
    assert_aadsts_message(
        status,
        &body,
        (400, "invalid_grant", 70000),
        "The provided value for the input parameter 'refresh_token' or 'assertion' is not valid.",
    );
    // No refresh_token: AADSTS900144.
    let (status, _, body) = t
        .token_form(
            &tid,
            &[
                ("client_id", &app_id),
                ("grant_type", "refresh_token"),
                ("scope", "User.Read"),
            ],
        )
        .await;
    assert_aadsts(status, &body, 400, "invalid_request", 900144);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("'refresh_token'"));

    // Deleting the user revokes its refresh tokens, even when the UPN is given to a new user.
    let (status, body) = t
        .admin(
            reqwest::Method::DELETE,
            &format!("/admin/users/{user_id}"),
            None,
        )
        .await;
    assert!(status == 204 || status == 200, "{status} {body}");
    let (status, body) = t
        .admin(
            reqwest::Method::POST,
            "/admin/users",
            Some(json!({"tenant": tid, "upn": upn, "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = refresh(app_id.clone(), rotated, None).await;
    assert_aadsts(status, &body, 400, "invalid_grant", 70000);
    t.server.shutdown().await;
}

#[tokio::test]
async fn refresh_tokens_redeem_for_their_client_user_and_tenant_only_on_every_backend() {
    on_every_backend(refresh_tokens_redeem_for_their_client_user_and_tenant_only).await;
}

/// A disabled account signs in neither with its password nor with a refresh token issued
/// before it was disabled: AADSTS50057; enabled again, both work.
#[tokio::test]
async fn a_disabled_account_is_aadsts50057_for_the_password_and_the_refresh_token() {
    let t = TestServer::start().await;
    let tid = t.cred("tenant_id");
    let upn = "dana@graphmeetdev.onmicrosoft.com";
    let (app_id, user_id) = public_client_and_user(&t, upn).await;
    let sign_in = || async {
        let r = t
            .http
            .post(t.url(&format!("/{tid}/oauth2/v2.0/token")))
            .form(&msal_password_form(&app_id, upn))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) = sign_in().await;
    assert_eq!(status, 200, "{body}");
    let refresh_token = body["refresh_token"].as_str().unwrap().to_owned();
    let set_enabled = |enabled: bool| {
        let t = &t;
        let user_id = user_id.clone();
        async move {
            let (status, body) = t
                .admin(
                    reqwest::Method::PATCH,
                    &format!("/admin/users/{user_id}"),
                    Some(json!({"account_enabled": enabled})),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    let redeem = || async {
        let r = t
            .http
            .post(t.url(&format!("/{tid}/oauth2/v2.0/token")))
            .form(&[
                ("client_id", app_id.as_str()),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    set_enabled(false).await;
    let (status, body) = sign_in().await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50057);
    let (status, body) = redeem().await;
    assert_aadsts(status, &body, 400, "invalid_grant", 50057);
    set_enabled(true).await;
    assert_eq!(sign_in().await.0, 200);
    assert_eq!(redeem().await.0, 200);
    t.server.shutdown().await;
}

/// The user-realm lookup MSAL makes before a password sign-in.
#[tokio::test]
async fn the_user_realm_lookup_answers_managed_for_our_domains() {
    let t = TestServer::start().await;
    let host = t.server.base_url.trim_start_matches("https://").to_owned();
    let realm = |path: String| {
        let t = &t;
        async move {
            let r = t.http.get(t.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"));
            r.json::<Value>().await.unwrap()
        }
    };
    let body =
        realm("/common/userrealm/Organizer@GraphmeetDev.onmicrosoft.com?api-version=1.0".into())
            .await;
    assert_eq!(
        body,
        json!({"ver": "1.0", "account_type": "Managed", "domain_name": "graphmeetdev.onmicrosoft.com", "cloud_instance_name": host, "cloud_audience_urn": "urn:federation:MicrosoftOnline"})
    );
    let body = realm("/common/userrealm/someone@elsewhere.example?api-version=1.0".into()).await;
    assert_eq!(body["account_type"], "Unknown");
    assert!(body.get("domain_name").is_none());
    let body =
        realm("/common/userrealm/organizer@graphmeetdev.onmicrosoft.com?api-version=2.0".into())
            .await;
    assert_eq!(body["NameSpaceType"], "Managed");
    assert_eq!(body["DomainName"], "graphmeetdev.onmicrosoft.com");
    assert_eq!(body["Login"], "organizer@graphmeetdev.onmicrosoft.com");
    t.server.shutdown().await;
}
