//! Groups and their members.

use super::{Directory, DirectoryError};

use crate::model::*;
use uuid::Uuid;

impl Directory {
    /// Creates a security group.
    pub async fn create_group(
        &self,
        tenant: &str,
        display_name: &str,
    ) -> Result<Group, DirectoryError> {
        self.create_group_with_id(tenant, display_name, None).await
    }

    /// [`Directory::create_group`] with a fixed object id (random when `None`).
    pub async fn create_group_with_id(
        &self,
        tenant: &str,
        display_name: &str,
        id: Option<Uuid>,
    ) -> Result<Group, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(DirectoryError::Invalid(
                "a group needs a display name".to_owned(),
            ));
        }
        let group = Group {
            id: id.unwrap_or_else(Uuid::new_v4),
            tenant_id: tenant.id,
            display_name: display_name.to_owned(),
            created_at: self.clock.now(),
        };
        self.store.create_group(&group).await?;
        Ok(group)
    }

    /// Adds a user of the group's tenant to the group.
    pub async fn add_group_member(
        &self,
        group_id: Uuid,
        user_id: Uuid,
    ) -> Result<(), DirectoryError> {
        let group = self
            .store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))?;
        self.store
            .get_user(user_id)
            .await?
            .filter(|u| u.tenant_id == group.tenant_id)
            .ok_or_else(|| {
                DirectoryError::NotFound(format!("user {user_id} in tenant {}", group.tenant_id))
            })?;
        Ok(self
            .written(self.store.add_group_member(group_id, user_id).await)
            .await?)
    }

    /// Removes a user from a group; returns whether the user was a member.
    pub async fn remove_group_member(
        &self,
        group_id: Uuid,
        user_id: Uuid,
    ) -> Result<bool, DirectoryError> {
        self.store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))?;
        Ok(self
            .written(self.store.remove_group_member(group_id, user_id).await)
            .await?)
    }
}

impl Directory {
    /// A group by object id.
    pub async fn group(&self, group_id: Uuid) -> Result<Group, DirectoryError> {
        self.store
            .get_group(group_id)
            .await?
            .ok_or_else(|| DirectoryError::NotFound(format!("group {group_id}")))
    }

    /// The groups of a tenant, oldest first.
    pub async fn groups(&self, tenant: &str) -> Result<Vec<Group>, DirectoryError> {
        let tenant = self.tenant(tenant).await?;
        Ok(self.store.list_groups(tenant.id).await?)
    }

    /// The direct members of a group.
    pub async fn group_members(&self, group_id: Uuid) -> Result<Vec<User>, DirectoryError> {
        self.group(group_id).await?;
        Ok(self.store.list_group_members(group_id).await?)
    }

    /// Deletes a group with its memberships and the policy grants made to it.
    pub async fn delete_group(&self, group_id: Uuid) -> Result<Group, DirectoryError> {
        let group = self.group(group_id).await?;
        if !self
            .written(self.store.delete_group(group_id).await)
            .await?
        {
            return Err(DirectoryError::NotFound(format!("group {group_id}")));
        }
        Ok(group)
    }
}
