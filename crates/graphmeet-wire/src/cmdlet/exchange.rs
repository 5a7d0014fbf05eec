//! Exchange Online's application access policy as its cmdlets print it: `Identity`
//! (`{tenantId}\{appId}:{groupSid};{groupObjectId}`), `ScopeIdentityRaw`, the auto-filled
//! description, `New-`/`Get-` records and `Test-ApplicationAccessPolicy`'s, in PowerShell's
//! list layout (spec `events-artifacts-notifications.md` A.13, from public walkthroughs).

use uuid::Uuid;

/// The security identifier Exchange shows for a directory object (`S-1-5-21-…`). Real SIDs
/// come from the on-premises-style directory Exchange keeps; graphmeet derives a stable one
/// from the object id.
pub fn object_sid(id: Uuid) -> String {
    let b = id.as_bytes();
    let part = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    format!(
        "S-1-5-21-{}-{}-{}-{}",
        part(0),
        part(4),
        part(8),
        1000 + part(12) % 9_000_000
    )
}

/// A policy's fields as the cmdlets need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangePolicyFacts {
    /// The tenant.
    pub tenant_id: Uuid,
    /// `-AppId`, a GUID or `*`.
    pub app_id: String,
    /// The scope group's object id.
    pub group_id: Uuid,
    /// The scope group's name.
    pub group_name: String,
    /// When the policy was made, `yyyyMMddHHmmss` (the `ScopeIdentity` suffix).
    pub created: String,
    /// `RestrictAccess` or `DenyAccess`.
    pub access_right: String,
    /// `-Description`.
    pub description: String,
}

impl ExchangePolicyFacts {
    /// `ScopeIdentityRaw`: `{groupSid};{groupObjectId}`.
    pub fn scope_identity_raw(&self) -> String {
        format!("{};{}", object_sid(self.group_id), self.group_id)
    }

    /// `Identity`: `{tenantId}\{appId}:{groupSid};{groupObjectId}`.
    pub fn identity(&self) -> String {
        format!(
            "{}\\{}:{}",
            self.tenant_id,
            self.app_id,
            self.scope_identity_raw()
        )
    }

    /// The record `New-` and `Get-ApplicationAccessPolicy` print, in their order.
    pub fn record(&self) -> Vec<(String, String)> {
        [
            ("ScopeName", self.group_name.clone()),
            (
                "ScopeIdentity",
                format!("{}{}", self.group_name, self.created),
            ),
            ("Identity", self.identity()),
            ("AppId", self.app_id.clone()),
            ("ScopeIdentityRaw", self.scope_identity_raw()),
            ("Description", self.description.clone()),
            ("AccessRight", self.access_right.clone()),
            ("ShardType", "All".to_owned()),
            ("IsValid", "True".to_owned()),
            ("ObjectState", "Unchanged".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// The description Exchange fills in when `-Description` is not given.
pub fn default_description(app_id: &str, group_id: Uuid, access_right: &str) -> String {
    format!(
        "AppId: {app_id}; ScopeIdentitySid: {}; ScopeIdentityOid: {group_id}; AccessRight: {access_right}; ShardType: All",
        object_sid(group_id)
    )
}

/// What `Test-ApplicationAccessPolicy` prints, one `Name : Value` per line.
pub fn test_record(
    app_id: Uuid,
    mailbox: &str,
    mailbox_id: Uuid,
    granted: bool,
) -> Vec<(String, String)> {
    vec![
        ("AppId".to_owned(), app_id.to_string()),
        ("Mailbox".to_owned(), mailbox.to_owned()),
        ("MailboxId".to_owned(), mailbox_id.to_string()),
        ("MailboxSid".to_owned(), object_sid(mailbox_id)),
        (
            "AccessCheckResult".to_owned(),
            if granted { "Granted" } else { "Denied" }.to_owned(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_have_the_shape_exchange_prints() {
        let (tenant, group) = (Uuid::new_v4(), Uuid::new_v4());
        let facts = ExchangePolicyFacts {
            tenant_id: tenant,
            app_id: "*".to_owned(),
            group_id: group,
            group_name: "MyRestrictedSecGroup".to_owned(),
            created: "20210509121159".to_owned(),
            access_right: "RestrictAccess".to_owned(),
            description: String::new(),
        };
        let sid = object_sid(group);
        assert!(sid.starts_with("S-1-5-21-"));
        assert_eq!(sid, object_sid(group), "stable");
        assert_eq!(facts.identity(), format!("{tenant}\\*:{sid};{group}"));
        let record = facts.record();
        assert_eq!(record[1].1, "MyRestrictedSecGroup20210509121159");
        assert_eq!(
            record.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            [
                "ScopeName",
                "ScopeIdentity",
                "Identity",
                "AppId",
                "ScopeIdentityRaw",
                "Description",
                "AccessRight",
                "ShardType",
                "IsValid",
                "ObjectState"
            ]
        );
        assert!(default_description("*", group, "DenyAccess")
            .ends_with("AccessRight: DenyAccess; ShardType: All"));
    }
}
