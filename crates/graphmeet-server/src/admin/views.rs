//! The directory's records as the admin API shows them (`graphmeet_wire::admin`'s views).

use chrono::{DateTime, SecondsFormat, Utc};
use graphmeet_core::{
    App, CertificateCredential, GrantTarget, SecretCredential, ServicePrincipal, Tenant, User,
};
use graphmeet_wire::admin::*;
use uuid::Uuid;

/// A time as the admin API and the console show it: RFC 3339, to the second, `Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(super) fn tenant_view(t: Tenant) -> TenantView {
    TenantView {
        id: t.id.to_string(),
        display_name: t.display_name,
        domains: t.domains,
        created_at: rfc3339(t.created_at),
    }
}

pub(super) fn user_view(u: User) -> UserView {
    UserView {
        id: u.id.to_string(),
        tenant_id: u.tenant_id.to_string(),
        upn: u.upn,
        display_name: u.display_name,
        account_enabled: u.account.enabled,
        user_type: u.account.user_type.as_str().to_owned(),
        teams_license: u.account.teams_license,
        audio_conferencing: u.account.audio_conferencing,
        mail: u.account.mail,
    }
}

pub(super) fn app_view(a: App) -> AppView {
    AppView {
        app_id: a.app_id.to_string(),
        object_id: a.object_id.to_string(),
        home_tenant_id: a.home_tenant_id.to_string(),
        display_name: a.display_name,
        sign_in_audience: if a.multi_tenant {
            "AzureADMultipleOrgs"
        } else {
            "AzureADMyOrg"
        }
        .to_owned(),
        allow_public_client: a.allow_public_client,
    }
}

pub(super) fn sp_view(sp: ServicePrincipal) -> ServicePrincipalView {
    ServicePrincipalView {
        id: sp.id.to_string(),
        tenant_id: sp.tenant_id.to_string(),
        app_id: sp.app_id.to_string(),
        app_roles: sp.app_roles,
    }
}

pub(super) fn cert_view(c: CertificateCredential, private_pem: Option<String>) -> CertificateView {
    CertificateView {
        key_id: c.key_id.to_string(),
        display_name: c.display_name,
        thumbprint: c.thumbprint_sha1,
        thumbprint_sha256: c.thumbprint_sha256,
        start_date_time: rfc3339(c.start),
        end_date_time: rfc3339(c.end),
        private_pem,
    }
}

pub(super) fn group_view(g: graphmeet_core::Group) -> GroupView {
    GroupView {
        id: g.id.to_string(),
        tenant_id: g.tenant_id.to_string(),
        display_name: g.display_name,
    }
}

pub(super) fn policy_view(p: graphmeet_core::AccessPolicy) -> PolicyView {
    PolicyView {
        identity: format!("Tag:{}", p.name),
        app_ids: p.current_app_ids().iter().map(Uuid::to_string).collect(),
        name: p.name,
        description: p.description,
        tenant_id: p.tenant_id.to_string(),
    }
}

pub(super) fn grant_view(g: &graphmeet_core::PolicyGrant) -> GrantView {
    target_view(g.target, Some(g.policy_name.clone()), g.granted_at)
}

/// A target's grant as shown: `policy_name` None after a revocation.
pub(super) fn target_view(
    target: GrantTarget,
    policy_name: Option<String>,
    at: DateTime<Utc>,
) -> GrantView {
    let (kind, id, rank) = match target {
        GrantTarget::User(u) => ("user", u.to_string(), None),
        GrantTarget::Group { id, rank } => ("group", id.to_string(), Some(rank)),
        GrantTarget::Global => ("global", String::new(), None),
    };
    GrantView {
        target_kind: kind.to_owned(),
        target_id: id,
        rank,
        policy_name,
        granted_at: rfc3339(at),
    }
}

pub(super) fn secret_view(s: SecretCredential) -> SecretView {
    SecretView {
        key_id: s.key_id.to_string(),
        hint: s.hint,
        display_name: s.display_name,
        start_date_time: rfc3339(s.start),
        end_date_time: rfc3339(s.end),
    }
}
