//! Tenants, users, apps and their credentials, service principals, signing keys, groups and
//! their members.

use super::*;
use graphmeet_wire::admin::{
    AppView, CertificateView, GroupView, KeyRotated, SecretCreated, ServicePrincipalView,
    TenantView, UserView,
};
use serde::Serialize;

impl Render for GroupView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("display_name", self.display_name.clone()),
        ])
    }
}

/// The outcome of adding a user to, or removing one from, a group (the server answers 204).
#[derive(Debug, Serialize)]
pub struct MemberChange {
    /// The group's object id.
    pub group_id: String,
    /// The user's object id.
    pub user_id: String,
    /// Whether the user is now a member.
    pub member: bool,
}

impl Render for MemberChange {
    fn table(&self) -> String {
        fields(&[
            ("group_id", self.group_id.clone()),
            ("user_id", self.user_id.clone()),
            ("member", self.member.to_string()),
        ])
    }
}

fn tenant_row(t: &TenantView) -> Vec<String> {
    vec![
        t.id.clone(),
        t.display_name.clone(),
        t.domains.join(","),
        t.created_at.clone(),
    ]
}

impl Render for TenantView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("display_name", self.display_name.clone()),
            ("domains", self.domains.join(", ")),
            ("created_at", self.created_at.clone()),
        ])
    }
}

impl Render for Vec<TenantView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self.iter().map(tenant_row).collect();
        table(&["ID", "NAME", "DOMAINS", "CREATED"], &rows)
    }
}

impl Render for UserView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("upn", self.upn.clone()),
            ("display_name", self.display_name.clone()),
        ])
    }
}

impl Render for Vec<UserView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|u| vec![u.id.clone(), u.upn.clone(), u.display_name.clone()])
            .collect();
        table(&["ID", "UPN", "DISPLAY NAME"], &rows)
    }
}

impl Render for AppView {
    fn table(&self) -> String {
        fields(&[
            ("app_id", self.app_id.clone()),
            ("object_id", self.object_id.clone()),
            ("home_tenant_id", self.home_tenant_id.clone()),
            ("display_name", self.display_name.clone()),
            ("sign_in_audience", self.sign_in_audience.clone()),
            ("allow_public_client", self.allow_public_client.to_string()),
        ])
    }
}

impl Render for Vec<AppView> {
    fn table(&self) -> String {
        let rows: Vec<_> = self
            .iter()
            .map(|a| {
                vec![
                    a.app_id.clone(),
                    a.display_name.clone(),
                    a.home_tenant_id.clone(),
                    a.sign_in_audience.clone(),
                    if a.allow_public_client { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        table(
            &["APP ID", "NAME", "HOME TENANT", "AUDIENCE", "PUBLIC CLIENT"],
            &rows,
        )
    }
}

impl Render for SecretCreated {
    fn table(&self) -> String {
        fields(&[
            ("key_id", self.key_id.clone()),
            ("secret_text", self.secret_text.clone()),
            ("hint", self.hint.clone()),
            ("end_date_time", self.end_date_time.clone()),
        ])
    }
}

/// A certificate credential as the CLI prints it: the server's view without the private key,
/// which went to a file instead, and that file's path.
#[derive(Debug, Serialize)]
pub struct CertificateAdded {
    /// The server's view, `private_pem` removed.
    #[serde(flatten)]
    pub certificate: CertificateView,
    /// Where the generated certificate and private key were written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_pem_path: Option<String>,
}

impl Render for CertificateAdded {
    fn table(&self) -> String {
        let c = &self.certificate;
        let mut pairs = vec![
            ("key_id", c.key_id.clone()),
            ("display_name", c.display_name.clone()),
            ("thumbprint", c.thumbprint.clone()),
            ("thumbprint_sha256", c.thumbprint_sha256.clone()),
            ("start_date_time", c.start_date_time.clone()),
            ("end_date_time", c.end_date_time.clone()),
        ];
        if let Some(path) = &self.private_pem_path {
            pairs.push(("private_pem_path", path.clone()));
        }
        fields(&pairs)
    }
}

impl Render for ServicePrincipalView {
    fn table(&self) -> String {
        fields(&[
            ("id", self.id.clone()),
            ("tenant_id", self.tenant_id.clone()),
            ("app_id", self.app_id.clone()),
            ("app_roles", self.app_roles.join(", ")),
        ])
    }
}

impl Render for KeyRotated {
    fn table(&self) -> String {
        fields(&[
            ("kid", self.kid.clone()),
            ("published", self.published.join(", ")),
        ])
    }
}
