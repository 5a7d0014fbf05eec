//! [`AdminClient`] calls for Exchange Online's application access policies
//! (`/admin/exchange-policies`): New-, Get-, Set-, Remove- and Test-ApplicationAccessPolicy.

use graphmeet_wire::admin_exchange::{
    ExchangePolicyView, ExchangeTestView, NewExchangePolicyBody, RemoveExchangePolicyBody,
    SetExchangePolicyBody,
};
use reqwest::Method;

use crate::admin::{optional_pairs, AdminClient};
use crate::ClientError;

impl AdminClient {
    /// `New-ApplicationAccessPolicy`: one policy per app id (`*` for every app).
    pub async fn new_exchange_policies(
        &self,
        body: &NewExchangePolicyBody,
    ) -> Result<Vec<ExchangePolicyView>, ClientError> {
        self.request(
            Method::POST,
            &["admin", "exchange-policies"],
            &[],
            Some(body),
        )
        .await
    }

    /// `Get-ApplicationAccessPolicy [-Identity]`: the live policies (all of them when the
    /// identity names none).
    pub async fn exchange_policies(
        &self,
        tenant: Option<&str>,
        identity: Option<&str>,
    ) -> Result<Vec<ExchangePolicyView>, ClientError> {
        let query = optional_pairs(&[("tenant", tenant), ("identity", identity)]);
        self.request::<(), _>(Method::GET, &["admin", "exchange-policies"], &query, None)
            .await
    }

    /// `Set-ApplicationAccessPolicy -Identity … -Description …`.
    pub async fn set_exchange_policy(
        &self,
        body: &SetExchangePolicyBody,
    ) -> Result<ExchangePolicyView, ClientError> {
        self.request(
            Method::POST,
            &["admin", "exchange-policies", "set"],
            &[],
            Some(body),
        )
        .await
    }

    /// `Remove-ApplicationAccessPolicy -Identity …`.
    pub async fn remove_exchange_policy(
        &self,
        body: &RemoveExchangePolicyBody,
    ) -> Result<(), ClientError> {
        self.send_no_content(
            Method::POST,
            &["admin", "exchange-policies", "remove"],
            &[],
            Some(body),
        )
        .await
    }

    /// `Test-ApplicationAccessPolicy -Identity <user> -AppId <app>`, and what a Graph calendar
    /// call gets now.
    pub async fn test_exchange_policy(
        &self,
        tenant: Option<&str>,
        user: &str,
        app_id: &str,
    ) -> Result<ExchangeTestView, ClientError> {
        let query = optional_pairs(&[
            ("tenant", tenant),
            ("user", Some(user)),
            ("app_id", Some(app_id)),
        ]);
        self.request::<(), _>(
            Method::GET,
            &["admin", "exchange-policies", "test"],
            &query,
            None,
        )
        .await
    }
}
