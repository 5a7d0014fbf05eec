//! Proxy mode (`serve --proxy-listen`): through an HTTP proxy, Microsoft's own hostnames are
//! served by this server over real TLS with the local CA, with the real authority in tokens
//! and metadata; other hosts are refused, listed loopback hosts tunnelled.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use graphmeet_testkit::assertion::*;
use graphmeet_testkit::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn proxied() -> (TestServer, reqwest::Client, std::net::SocketAddr) {
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let proxy = t.server.proxy_addr.unwrap();
    let client = client_builder(t.server.ca_cert_path.as_ref().unwrap())
        .proxy(reqwest::Proxy::https(format!("http://{proxy}")).unwrap())
        .build()
        .unwrap();
    (t, client, proxy)
}

/// The proxy's answer to one raw request, up to the end of its head and body.
async fn raw(proxy: std::net::SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(proxy).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut out))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8_lossy(&out[..n]).into_owned()
}

#[tokio::test]
async fn the_real_hostnames_get_tokens_metadata_and_meetings_from_this_server() {
    let (t, client, _) = proxied().await;
    let tid = t.cred("tenant_id");
    let config: Value = client
        .get(format!(
            "https://login.microsoftonline.com/{tid}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["issuer"],
        format!("https://login.microsoftonline.com/{tid}/v2.0")
    );
    assert_eq!(
        config["token_endpoint"],
        format!("https://login.microsoftonline.com/{tid}/oauth2/v2.0/token")
    );
    let keys: Value = client
        .get(config["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!keys["keys"].as_array().unwrap().is_empty(), "{keys}");

    // MSAL's instance discovery gets Entra's recorded answer, whichever alias it names.
    let discovery: Value = client
        .get(format!(
            "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.windows.net/{tid}/oauth2/v2.0/authorize"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["tenant_discovery_endpoint"],
        format!("https://login.microsoftonline.com/{tid}/v2.0/.well-known/openid-configuration")
    );
    assert_eq!(
        discovery["metadata"][0],
        json!({"preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net",
            "aliases": ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"]})
    );
    assert_eq!(
        discovery["metadata"].as_array().unwrap().len(),
        5,
        "{discovery}"
    );

    let token: Value = client
        .post(config["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &t.cred("client_id")),
            ("client_secret", &t.cred("client_secret")),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access_token = token["access_token"].as_str().unwrap();
    assert_eq!(
        claims(access_token)["iss"],
        format!("https://sts.windows.net/{tid}/")
    );

    let user = t.cred("user_id");
    let created = client
        .post(format!(
            "https://graph.microsoft.com/v1.0/users/{user}/onlineMeetings"
        ))
        .bearer_auth(access_token)
        .json(&json!({"subject": "Through the proxy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let meeting: Value = created.json().await.unwrap();
    assert!(
        meeting["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with("https://graph.microsoft.com/v1.0/$metadata#users("),
        "{meeting}"
    );
    // curl, with nothing but the proxy and the CA.
    let out = tokio::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--write-out",
            "\n%{http_code}",
            "--proxy",
        ])
        .arg(format!("http://{}", t.server.proxy_addr.unwrap()))
        .arg("--cacert")
        .arg(t.server.ca_cert_path.as_ref().unwrap())
        .args(["-H", &format!("Authorization: Bearer {access_token}")])
        .args([
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"subject":"curl"}"#,
        ])
        .arg(format!(
            "https://graph.microsoft.com/v1.0/users/{user}/onlineMeetings"
        ))
        .output()
        .await
        .expect("curl is needed for this test (apt-get install curl)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with("\n201"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deleted = client
        .delete(format!(
            "https://graph.microsoft.com/v1.0/users/{user}/onlineMeetings/{}",
            meeting["id"].as_str().unwrap()
        ))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    t.server.shutdown().await;
}

#[tokio::test]
async fn other_hosts_are_refused_and_only_connect_is_proxied() {
    let (t, client, proxy) = proxied().await;
    let answer = raw(
        proxy,
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(
        answer.contains("CONNECT to example.com:443 is refused"),
        "{answer}"
    );
    assert!(answer.contains("graph.microsoft.com"), "{answer}");
    // The served names only on 443.
    let answer = raw(
        proxy,
        "CONNECT graph.microsoft.com:8443 HTTP/1.1\r\nHost: graph.microsoft.com:8443\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let answer = raw(
        proxy,
        "GET http://graph.microsoft.com/v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        client.get("https://example.com/").send().await.is_err(),
        "a refused CONNECT fails the request"
    );
    t.server.shutdown().await;
}

#[tokio::test]
async fn a_listed_loopback_host_is_tunnelled() {
    // The tunnel's target: this same server's own HTTPS port.
    let first = TestServer::start().await;
    let target = first.server.addr;
    let t = TestServer::start_with(tempfile::tempdir().unwrap(), |c| {
        c.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
        c.proxy_pass = vec![format!("127.0.0.1:{}", target.port())];
    })
    .await;
    let client = client_builder(first.server.ca_cert_path.as_ref().unwrap())
        .proxy(reqwest::Proxy::https(format!("http://{}", t.server.proxy_addr.unwrap())).unwrap())
        .build()
        .unwrap();
    let r = client
        .get(format!("https://127.0.0.1:{}/healthz", target.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    t.server.shutdown().await;
    first.server.shutdown().await;
}

#[tokio::test]
async fn proxy_mode_refuses_plain_http_and_a_non_loopback_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    c.plain_http = true;
    let e = graphmeet_server::start(c).await.err().unwrap().to_string();
    assert!(e.contains("--plain-http"), "{e}");
    let mut c = config(dir.path());
    c.proxy_listen = Some("127.0.0.1:0".parse().unwrap());
    c.proxy_pass = vec!["example.com:443".to_owned()];
    let e = graphmeet_server::start(c).await.err().unwrap().to_string();
    assert!(e.contains("only loopback hosts"), "{e}");
}
