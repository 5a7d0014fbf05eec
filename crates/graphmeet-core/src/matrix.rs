//! The access matrix: for one tenant, which apps may act for which users, and why — a page of
//! users at a time, each cell the very [`Explanation`] that `policy explain` gives (and so the
//! decision a Graph call would get now: [`Access::explain`] is the one authorization path).
//!
//! The columns are the apps that matter to the tenant: those consented in it (a service
//! principal), those registered in it, and those its policies list. The rows page through the
//! in-memory index in object-id order after a cursor, narrowed by a search on the UPN or the
//! display name and by group membership, so a page costs the same in a tenant of ten users or
//! of a hundred thousand.

use crate::access::{Access, Explanation};
use crate::index::DirectoryIndex;
use crate::model::{Tenant, User, UserRef};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// The most users one page holds.
pub const MAX_PAGE: usize = 200;

/// Which users a matrix page shows.
#[derive(Debug, Clone, Default)]
pub struct MatrixQuery {
    /// Only users whose UPN or display name contains this, ignoring case.
    pub search: Option<String>,
    /// Only direct members of this group.
    pub group: Option<Uuid>,
    /// Users after this object id (the previous page's last).
    pub after: Option<Uuid>,
    /// At most this many users (0: the default of 25; at most [`MAX_PAGE`]).
    pub limit: usize,
}

/// One column: an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixColumn {
    /// The application (client) id.
    pub app_id: Uuid,
    /// Its display name; the id when the registration is gone (a policy still lists it).
    pub display_name: String,
    /// The Graph app roles consented in this tenant; `None` when the app has no service
    /// principal in it.
    pub consented_roles: Option<Vec<String>>,
    /// The names of the tenant's live policies that list the app now.
    pub listed_by: Vec<String>,
}

/// One row: a user and a decision per column.
#[derive(Debug, Clone)]
pub struct MatrixRow {
    /// The user.
    pub user: Arc<User>,
    /// One explanation per column, in the columns' order.
    pub cells: Vec<Explanation>,
}

/// A page of the matrix.
#[derive(Debug, Clone)]
pub struct MatrixPage {
    /// The apps.
    pub columns: Vec<MatrixColumn>,
    /// The users of this page.
    pub rows: Vec<MatrixRow>,
    /// The cursor of the next page, when more users match.
    pub next_after: Option<Uuid>,
    /// When the decisions were made.
    pub decided_at: DateTime<Utc>,
}

impl MatrixQuery {
    fn limit(&self) -> usize {
        match self.limit {
            0 => 25,
            n => n.min(MAX_PAGE),
        }
    }
}

/// The apps that matter to `tenant`, by display name: consented in it, registered in it, or
/// listed by one of its live policies.
pub fn columns(index: &DirectoryIndex, tenant: &Tenant, now: DateTime<Utc>) -> Vec<MatrixColumn> {
    let mut by_app: BTreeMap<Uuid, MatrixColumn> = BTreeMap::new();
    fn column<'a>(
        by_app: &'a mut BTreeMap<Uuid, MatrixColumn>,
        index: &DirectoryIndex,
        app_id: Uuid,
    ) -> &'a mut MatrixColumn {
        by_app.entry(app_id).or_insert_with(|| MatrixColumn {
            app_id,
            display_name: index
                .app(app_id)
                .map(|a| a.app.display_name.clone())
                .unwrap_or_else(|| app_id.to_string()),
            consented_roles: None,
            listed_by: Vec::new(),
        })
    }
    for sp in index.service_principals_in(tenant.id) {
        column(&mut by_app, index, sp.app_id).consented_roles = Some(sp.app_roles.clone());
    }
    for app in index.apps_homed_in(tenant.id) {
        column(&mut by_app, index, app.app.app_id);
    }
    for policy in index.policies_in(tenant.id) {
        if policy.removed_at.is_some() {
            continue;
        }
        for app in policy.apps.iter().filter(|a| a.removed_at.is_none()) {
            if app.added_at <= now {
                column(&mut by_app, index, app.app_id)
                    .listed_by
                    .push(policy.name.clone());
            }
        }
    }
    let mut all: Vec<MatrixColumn> = by_app.into_values().collect();
    all.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then(a.app_id.cmp(&b.app_id))
    });
    all
}

/// Whether a user matches a search (UPN or display name, ignoring case): see [`Search`].
pub fn matches_search(user: &User, search: &str) -> bool {
    Search::new(search).matches(user)
}

/// A search on the UPN or the display name, ignoring case; the needle is lower-cased once, and
/// ASCII names (most of them) are compared without allocating.
#[derive(Debug, Clone)]
pub struct Search(String);

impl Search {
    /// A search for `text` (blank matches everyone).
    pub fn new(text: &str) -> Self {
        Self(text.trim().to_lowercase())
    }

    /// Whether `user` matches.
    pub fn matches(&self, user: &User) -> bool {
        self.0.is_empty() || self.within(&user.upn) || self.within(&user.display_name)
    }

    fn within(&self, text: &str) -> bool {
        let needle = self.0.as_bytes();
        if text.is_ascii() && self.0.is_ascii() {
            text.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        } else {
            text.to_lowercase().contains(&self.0)
        }
    }
}

/// One page of the matrix of `tenant`: the users `query` selects, each with the decision of
/// [`Access::explain`] for every column.
pub fn page(
    access: &Access,
    index: &DirectoryIndex,
    tenant: &Tenant,
    query: &MatrixQuery,
    now: DateTime<Utc>,
) -> MatrixPage {
    let columns = columns(index, tenant, now);
    let search = Search::new(query.search.as_deref().unwrap_or_default());
    let (users, more) =
        index.users_page_with_groups(tenant.id, query.after, query.limit(), |user, groups| {
            search.matches(user) && query.group.is_none_or(|g| groups.contains(&g))
        });
    let next_after = if more {
        users.last().map(|u| u.id)
    } else {
        None
    };
    let rows = users
        .into_iter()
        .map(|user| {
            let cells = columns
                .iter()
                .filter_map(|c| access.explain(tenant, c.app_id, &UserRef::Id(user.id)))
                .collect();
            MatrixRow { user, cells }
        })
        .filter(|row: &MatrixRow| row.cells.len() == columns.len())
        .collect();
    MatrixPage {
        columns,
        rows,
        next_after,
        decided_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::Search;
    use crate::model::User;

    fn user(upn: &str, name: &str) -> User {
        User {
            id: uuid::Uuid::new_v4(),
            tenant_id: uuid::Uuid::new_v4(),
            upn: upn.to_owned(),
            display_name: name.to_owned(),
            password_hash: None,
            created_at: chrono::Utc::now(),
            account: Default::default(),
        }
    }

    #[test]
    fn a_search_matches_the_upn_or_the_name_ignoring_case() {
        let alice = user("alice@contoso.example", "Alice Émile");
        assert!(Search::new("ALICE").matches(&alice));
        assert!(Search::new(" contoso ").matches(&alice));
        assert!(Search::new("émile").matches(&alice));
        assert!(Search::new("ÉMILE").matches(&alice));
        assert!(Search::new("").matches(&alice));
        assert!(!Search::new("bob").matches(&alice));
        assert!(!Search::new("alice@contoso.example.org").matches(&alice));
    }
}
