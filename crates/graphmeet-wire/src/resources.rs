//! Microsoft's first-party resources whose service principals Entra keeps in every tenant, so
//! that any app may ask the token endpoint for a token to call them (`{resource}/.default`).
//! graphmeet serves only Microsoft Graph; tokens for these resources are issued, with their
//! real `aud`, for tools that ask for them before they call Graph (the Azure CLI's
//! `az login` asks for Azure Resource Manager first), and Graph refuses them as it refuses
//! every foreign audience.
//!
//! Facts (see `docs/fidelity.md`, "First-party resources, the password grant's answer, refresh
//! tokens and the user realm"): app ids from the resources' `requiredResourceAccess` in public
//! deployment templates and Microsoft's sign-in report samples; resource URIs from the Azure
//! CLI's cloud definitions (`azure/cli/core/cloud.py`); `aud` following the form asked for
//! (v1 resources), as observed in decoded tokens.

/// One first-party resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstPartyResource {
    /// Its display name in Entra.
    pub name: &'static str,
    /// Its app id (the service principal's `appId`).
    pub app_id: &'static str,
    /// Its identifier URIs (service principal names), without a trailing slash.
    pub uris: &'static [&'static str],
}

/// The first-party resources the token endpoint issues tokens for, besides Microsoft Graph.
pub const FIRST_PARTY_RESOURCES: &[FirstPartyResource] = &[
    FirstPartyResource {
        name: "Windows Azure Service Management API",
        app_id: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        uris: &[
            "https://management.core.windows.net",
            "https://management.azure.com",
        ],
    },
    FirstPartyResource {
        name: "Windows Azure Active Directory",
        app_id: "00000002-0000-0000-c000-000000000000",
        uris: &["https://graph.windows.net"],
    },
    FirstPartyResource {
        name: "Azure Key Vault",
        app_id: "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
        uris: &["https://vault.azure.net"],
    },
    FirstPartyResource {
        name: "Azure Storage",
        app_id: "e406a681-f3d4-42a8-90b6-c2b029497af1",
        uris: &["https://storage.azure.com"],
    },
    FirstPartyResource {
        name: "Azure SQL Database",
        app_id: "022907d3-0f1b-48f7-badc-1ba6abab6d66",
        uris: &["https://database.windows.net"],
    },
    FirstPartyResource {
        name: "Log Analytics API",
        app_id: "ca7f3f0b-7d91-482c-8e09-c5d840d0eac5",
        uris: &["https://api.loganalytics.io"],
    },
    FirstPartyResource {
        name: "Azure DevOps",
        app_id: "499b84ac-1321-427f-aa17-267ca6975798",
        uris: &["https://app.vssps.visualstudio.com"],
    },
    FirstPartyResource {
        name: "Skype and Teams Tenant Admin API",
        app_id: "48ac35b8-9aa8-4d74-927d-1f4a14a0b239",
        uris: &[],
    },
];

/// The `aud` of a token for `resource` (what precedes `/.default` or a permission name), if it
/// names a first-party resource: the app id when asked by app id, else the identifier URI in
/// its registered spelling, keeping the trailing slash when one was sent
/// (`https://management.core.windows.net//.default` gives `https://management.core.windows.net/`,
/// `https://management.azure.com/.default` gives `https://management.azure.com`).
pub fn first_party_audience(resource: &str) -> Option<(&'static FirstPartyResource, String)> {
    let slash = resource.ends_with('/');
    let bare = resource.trim_end_matches('/');
    FIRST_PARTY_RESOURCES.iter().find_map(|r| {
        if r.app_id.eq_ignore_ascii_case(bare) {
            return Some((r, r.app_id.to_owned()));
        }
        r.uris
            .iter()
            .find(|u| u.eq_ignore_ascii_case(bare))
            .map(|u| {
                (
                    r,
                    if slash {
                        format!("{u}/")
                    } else {
                        (*u).to_owned()
                    },
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_keeps_the_form_asked_for() {
        let aud = |r: &str| first_party_audience(r).map(|(_, a)| a);
        assert_eq!(
            aud("https://management.core.windows.net/").as_deref(),
            Some("https://management.core.windows.net/")
        );
        assert_eq!(
            aud("https://management.azure.com").as_deref(),
            Some("https://management.azure.com")
        );
        assert_eq!(
            aud("HTTPS://Management.Azure.com/").as_deref(),
            Some("https://management.azure.com/")
        );
        assert_eq!(
            aud("797F4846-BA00-4FD7-BA43-DAC1F8F63013").as_deref(),
            Some("797f4846-ba00-4fd7-ba43-dac1f8f63013")
        );
        assert_eq!(aud("https://graph.microsoft.com"), None);
        assert_eq!(aud("https://management.example"), None);
    }
}
