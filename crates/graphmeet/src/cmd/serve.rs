//! `graphmeet serve`: the flags of [`ServeArgs`] onto the server's one [`graphmeet_server::Config`].

use anyhow::Context as _;

use crate::args::{GlobalArgs, ServeArgs};
use crate::connect;

/// Runs the server until SIGINT or SIGTERM.
pub async fn exec(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    // Every field, named: a new setting of the server cannot be left without its flag.
    let config = graphmeet_server::Config {
        data_dir: connect::data_dir(global),
        listen: args.listen,
        database_url: args.database_url,
        public_url: args.public_url,
        plain_http: args.plain_http,
        bootstrap: !args.no_bootstrap,
        admin_key: global.admin_key.clone(),
        policy_propagation_delay: args.policy_propagation_delay,
        join_url_base: args.join_url_base,
        fault: args.fault,
        audit_retention: args.audit_retention,
        header_read_timeout: args
            .header_read_timeout
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(10)),
        max_connections_per_peer: args.max_connections_per_peer,
        key_encryption_key: args.key_encryption_key,
        seed: args.seed,
        lockout: graphmeet_server::LockoutPolicy {
            threshold: args.lockout_threshold,
            duration: args.lockout_duration,
        },
        meeting_quota: args.meeting_quota,
        proxy_listen: args.proxy_listen,
        proxy_pass: args.proxy_pass,
        manual_clock: args.clock == "manual",
        notification_loopback_hosts: args.notification_loopback_hosts,
    };
    graphmeet_server::serve(config)
        .await
        .context("the server failed")
}
