//! `graphmeet app …`: app registrations and their credentials.

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use graphmeet_client::AdminClient;
use graphmeet_server::fsutil::{write_private, Existing};
use graphmeet_wire::admin::{AddCertificate, AddSecret, AppCredentials, CreateApp, UpdateApp};
use serde::Serialize;

use crate::args::{guid, AppCommand, GlobalArgs, OutputFormat};
use crate::connect;
use crate::output::{fields, or_dash, print, table, CertificateAdded, Deleted, Render};

/// Runs an `app` verb.
pub async fn exec(global: &GlobalArgs, cmd: AppCommand) -> anyhow::Result<()> {
    let client = connect::admin(global)?;
    match cmd {
        AppCommand::Credentials { app_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let credentials = client
                .credentials(&app_id)
                .await
                .with_context(|| format!("listing the credentials of app '{app_id}'"))?;
            print(&Credentials(credentials), global.output)
        }
        AppCommand::RemoveSecret { app_id, key_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let key_id = guid("--key-id", "key id", &key_id)?;
            client
                .remove_secret(&app_id, &key_id)
                .await
                .with_context(|| format!("removing secret {key_id} of app '{app_id}'"))?;
            print(&Deleted::new("secret", key_id), global.output)
        }
        AppCommand::RemoveCert { app_id, key_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let key_id = guid("--key-id", "key id", &key_id)?;
            client
                .remove_certificate(&app_id, &key_id)
                .await
                .with_context(|| format!("removing certificate {key_id} of app '{app_id}'"))?;
            print(&Deleted::new("certificate", key_id), global.output)
        }
        AppCommand::Delete { app_id } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            client
                .delete_app(&app_id)
                .await
                .with_context(|| format!("deleting app '{app_id}'"))?;
            print(&Deleted::new("app", app_id), global.output)
        }
        AppCommand::Create {
            tenant,
            name,
            multi_tenant,
            allow_public_client,
        } => {
            let tenant = connect::tenant_or_only(&client, tenant).await?;
            let body = CreateApp {
                tenant: tenant.clone(),
                display_name: name.clone(),
                multi_tenant,
                allow_public_client,
            };
            let app = client
                .create_app(&body)
                .await
                .with_context(|| format!("registering app '{name}' in tenant '{tenant}'"))?;
            print(&app, global.output)
        }
        AppCommand::Update {
            app_id,
            allow_public_client,
        } => {
            let app_id = guid("--app-id", "application id", &app_id)?;
            let body = UpdateApp {
                allow_public_client,
            };
            let app = client
                .update_app(&app_id, &body)
                .await
                .with_context(|| format!("changing app '{app_id}'"))?;
            print(&app, global.output)
        }
        AppCommand::List => {
            let apps = client.list_apps().await.context("listing apps")?;
            print(&apps, global.output)
        }
        AppCommand::AddSecret { app_id, name, days } => {
            let body = AddSecret {
                display_name: name,
                days,
            };
            let secret = client
                .add_secret(&app_id, &body)
                .await
                .with_context(|| format!("adding a secret to app '{app_id}'"))?;
            print(&secret, global.output)?;
            eprintln!("warning: save the secret now: it cannot be shown again");
            Ok(())
        }
        AppCommand::AddCert {
            app_id,
            pem,
            days,
            out,
        } => add_cert(&client, global.output, &app_id, pem, days, out).await,
    }
}

async fn add_cert(
    client: &AdminClient,
    format: OutputFormat,
    app_id: &str,
    pem: Option<PathBuf>,
    days: Option<i64>,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    if let Some(path) = pem {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the certificate {}", path.display()))?;
        // Send only the certificate blocks: a private key in the same file stays here.
        let certs = certificate_blocks(&text)
            .with_context(|| format!("reading the certificate {}", path.display()))?;
        if certs.is_empty() {
            anyhow::bail!("{} holds no PEM certificate", path.display());
        }
        let body = AddCertificate {
            pem: Some(certs),
            days,
        };
        let mut cert = client
            .add_certificate(app_id, &body)
            .await
            .with_context(|| format!("adding a certificate to app '{app_id}'"))?;
        cert.private_pem = None;
        return print(
            &CertificateAdded {
                certificate: cert,
                private_pem_path: None,
            },
            format,
        );
    }

    let out = out.unwrap_or_else(|| PathBuf::from(format!("./{}.pem", file_stem(app_id))));
    if out.exists() {
        anyhow::bail!(
            "{} already exists; refusing to overwrite it (choose another --out)",
            out.display()
        );
    }
    let body = AddCertificate { pem: None, days };
    let mut cert = client
        .add_certificate(app_id, &body)
        .await
        .with_context(|| format!("adding a certificate to app '{app_id}'"))?;
    let private_pem = cert.private_pem.take().with_context(|| {
        format!(
            "the server registered certificate {} but returned no private key",
            cert.key_id
        )
    })?;
    write_private(&out, private_pem.as_bytes(), Existing::Refuse)
        .map_err(|err| err.source)
        .with_context(|| {
            format!(
                "certificate {} was registered, but its private key could not be written to {}",
                cert.key_id,
                out.display()
            )
        })?;
    let path = out.display().to_string();
    print(
        &CertificateAdded {
            certificate: cert,
            private_pem_path: Some(path.clone()),
        },
        format,
    )?;
    eprintln!("the certificate and its private key are in {path} (mode 0600)");
    Ok(())
}

/// The `CERTIFICATE` blocks of a PEM text, in order; nothing if there are none.
fn certificate_blocks(text: &str) -> Result<String, pem::PemError> {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    Ok(pem::parse_many(text)?
        .iter()
        .filter(|block| block.tag() == "CERTIFICATE")
        .map(|block| pem::encode_config(block, config))
        .collect())
}

/// A name safe to use as a file name, from an app id.
fn file_stem(app_id: &str) -> String {
    app_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The credentials of `app credentials`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Credentials(pub AppCredentials);

impl Render for Credentials {
    fn table(&self) -> String {
        let c = &self.0;
        let status = |end: &str| if expired(end) { "expired" } else { "valid" }.to_owned();
        let secrets: Vec<Vec<String>> = c
            .secrets
            .iter()
            .map(|s| {
                vec![
                    s.key_id.clone(),
                    or_dash(&s.display_name),
                    format!("{}…", s.hint),
                    s.start_date_time.clone(),
                    s.end_date_time.clone(),
                    status(&s.end_date_time),
                ]
            })
            .collect();
        let certificates: Vec<Vec<String>> = c
            .certificates
            .iter()
            .map(|k| {
                vec![
                    k.key_id.clone(),
                    k.thumbprint.clone(),
                    or_dash(&k.display_name),
                    k.start_date_time.clone(),
                    k.end_date_time.clone(),
                    status(&k.end_date_time),
                ]
            })
            .collect();
        let mut out = fields(&[("app_id", c.app_id.clone())]);
        out.push_str("\nsecrets:\n");
        out.push_str(&table(
            &["KEY ID", "NAME", "HINT", "START", "END", "STATUS"],
            &secrets,
        ));
        out.push_str("\ncertificates:\n");
        out.push_str(&table(
            &["KEY ID", "THUMBPRINT", "SUBJECT", "START", "END", "STATUS"],
            &certificates,
        ));
        out
    }
}

/// Whether an RFC 3339 end time has passed.
fn expired(end: &str) -> bool {
    DateTime::parse_from_rfc3339(end).is_ok_and(|end| end < Utc::now())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn only_certificates_leave_the_machine() {
        let text = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n\
                    -----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";
        let certs = certificate_blocks(text).unwrap();
        assert_eq!(
            certs,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
             -----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(certificate_blocks("no pem here").unwrap(), "");
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("1b2c-3d"), "1b2c-3d");
        assert_eq!(file_stem("../x y"), ".._x_y");
    }
}
