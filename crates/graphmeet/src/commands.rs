//! What each command does.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use graphmeet_client::discovery::{read_admin_key, read_ca_cert, ServerFile};
use graphmeet_client::AdminClient;
use graphmeet_wire::admin::{
    AddCertificate, AddSecret, CreateApp, CreateGroup, CreateTenant, CreateUser, GrantConsent,
    GrantPolicy, NewPolicy, SetPolicy, UpdateApp, UpdateUser,
};

use crate::cli::{
    AppCommand, Cli, Command, ConsentCommand, GlobalArgs, GrantTargetArgs, GroupCommand,
    KeysCommand, MeetingArgs, MeetingCommand, OutputFormat, PolicyCommand, RequestsArgs, ServeArgs,
    TenantCommand, UserCommand,
};
use crate::output::{render, CertificateAdded, Explanation, MemberChange, PolicyRemoved, Render};

/// A command line that parsed but makes no sense; exits 2 like clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { global, command } = cli;
    match command {
        Command::Serve(args) => serve(&global, *args).await,
        Command::Tenant(cmd) => tenant(&global, cmd).await,
        Command::User(cmd) => user(&global, cmd).await,
        Command::App(cmd) => app(&global, cmd).await,
        Command::Consent(cmd) => consent(&global, cmd).await,
        Command::Keys(cmd) => keys(&global, cmd).await,
        Command::Group(cmd) => group(&global, cmd).await,
        Command::Policy(cmd) => policy(&global, cmd).await,
        Command::Meeting(args) => meeting(&global, args).await,
        Command::Doctor(args) => crate::doctor::doctor(&global, &data_dir(&global), args).await,
        Command::Onboard(args) => {
            let onboarding = crate::doctor::onboard(&global, args)?;
            print(&onboarding, global.output)
        }
        Command::Requests(args) => requests(&global, args).await,
        Command::Clock(args) => {
            let client = connect(&global)?;
            let now = match (args.advance, args.set) {
                (None, None) => client.clock().await,
                (advance, set) => client.move_clock(advance.as_deref(), set.as_deref()).await,
            }
            .context("the server's clock")?;
            println!("{} ({})", now.now, now.mode);
            Ok(())
        }
        Command::Trust(args) => crate::trust::trust(&data_dir(&global), args.remove),
        Command::Admin(verb) => crate::admin_verbs::run_admin_verb(&global, verb).await,
    }
}

/// `graphmeet meeting …`: the application from the flags (or the local dev credentials),
/// then the verb.
async fn meeting(global: &GlobalArgs, args: MeetingArgs) -> anyhow::Result<()> {
    let app = crate::app::resolve(global, &data_dir(global), &args.app)?;
    match args.command {
        MeetingCommand::Bulk(bulk) => crate::bulk::run(&app, bulk).await,
        cmd => crate::meeting::run(&app, cmd, global.output).await,
    }
}

fn data_dir(global: &GlobalArgs) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(graphmeet_server::Config::default_data_dir)
}

async fn serve(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    // Fields the CLI has no flag for keep `Config::new`'s defaults.
    let config = graphmeet_server::Config {
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
        ..graphmeet_server::Config::new(data_dir(global))
    };
    graphmeet_server::serve(config)
        .await
        .context("the server failed")
}

/// An admin client from the flags, filling in whatever they leave out from the data directory
/// (`server.json` and `admin-key`, which `graphmeet serve` writes).
fn connect(global: &GlobalArgs) -> anyhow::Result<AdminClient> {
    let dir = data_dir(global);
    let (url, ca_cert) = match &global.server {
        Some(url) => {
            // A CA from the flags; else, for a local server reached by URL, its own CA.
            let ca = global.ca_cert.clone().or_else(|| {
                ServerFile::read(&dir)
                    .ok()
                    .filter(|file| file.url.origin() == url.origin())
                    .and_then(|file| file.ca_cert_path)
            });
            (url.clone(), ca)
        }
        None => {
            let file = ServerFile::read(&dir)?;
            (file.url, global.ca_cert.clone().or(file.ca_cert_path))
        }
    };
    let admin_key = match &global.admin_key {
        Some(key) => key.clone(),
        None => read_admin_key(&dir)?,
    };
    let ca = ca_cert.as_deref().map(read_ca_cert).transpose()?;
    Ok(AdminClient::new(url, admin_key, ca.as_deref())?)
}

/// Prints a result on stdout in the chosen format.
pub fn print<T: Render + ?Sized>(value: &T, format: OutputFormat) -> anyhow::Result<()> {
    let text = render(value, format)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
}

/// `graphmeet requests`: the inspector's last records, then (with `--follow`) the new ones, one
/// line (or one JSON object) each.
async fn requests(global: &GlobalArgs, args: RequestsArgs) -> anyhow::Result<()> {
    let client = connect(global)?;
    let surface = args.surface.as_deref();
    let first = client
        .requests(surface, 0, args.limit.max(1))
        .await
        .context("reading the server's recent requests")?;
    if !args.follow {
        return print(&first, global.output);
    }
    let mut after = 0;
    let mut batch = first;
    loop {
        let mut stdout = std::io::stdout().lock();
        for record in &batch {
            let line = match global.output {
                OutputFormat::Table => crate::output::request_line(record),
                OutputFormat::Json => format!("{}\n", serde_json::to_string(record)?),
            };
            stdout
                .write_all(line.as_bytes())
                .context("writing to stdout")?;
            after = after.max(record.seq);
        }
        stdout.flush().context("writing to stdout")?;
        drop(stdout);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        batch = client
            .requests(surface, after, crate::REQUESTS_PAGE)
            .await
            .context("reading the server's recent requests")?;
    }
}

async fn tenant(global: &GlobalArgs, cmd: TenantCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        TenantCommand::Extra(extra) => crate::admin_verbs::run_tenant_extra(global, extra).await,
        TenantCommand::Create { name, domain } => {
            let body = CreateTenant {
                display_name: name.clone(),
                domain,
            };
            let tenant = client
                .create_tenant(&body)
                .await
                .with_context(|| format!("creating tenant '{name}'"))?;
            print(&tenant, global.output)
        }
        TenantCommand::List => {
            let tenants = client.list_tenants().await.context("listing tenants")?;
            print(&tenants, global.output)
        }
    }
}

async fn user(global: &GlobalArgs, cmd: UserCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        UserCommand::Extra(extra) => crate::admin_verbs::run_user_extra(global, extra).await,
        UserCommand::Create {
            tenant,
            upn,
            display_name,
            password,
            account,
        } => {
            let tenant = tenant_or_only(&client, tenant).await?;
            let body = CreateUser {
                tenant: tenant.clone(),
                upn: upn.clone(),
                display_name,
                password,
                account_enabled: account.account_enabled,
                user_type: account.user_type,
                teams_license: account.teams_license,
                audio_conferencing: account.audio_conferencing,
                mail: account.mail,
            };
            let user = client
                .create_user(&body)
                .await
                .with_context(|| format!("creating user '{upn}' in tenant '{tenant}'"))?;
            print(&user, global.output)
        }
        UserCommand::Update {
            user,
            display_name,
            account,
        } => {
            let body = UpdateUser {
                display_name,
                account_enabled: account.account_enabled,
                user_type: account.user_type,
                teams_license: account.teams_license,
                audio_conferencing: account.audio_conferencing,
                mail: account.mail,
            };
            let user_view = client
                .update_user(&user, &body)
                .await
                .with_context(|| format!("updating user '{user}'"))?;
            print(&user_view, global.output)
        }
        UserCommand::List { tenant } => {
            let tenant = tenant_or_only(&client, tenant).await?;
            let users = client
                .list_users(&tenant)
                .await
                .with_context(|| format!("listing the users of tenant '{tenant}'"))?;
            print(&users, global.output)
        }
    }
}

async fn app(global: &GlobalArgs, cmd: AppCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        AppCommand::Extra(extra) => crate::admin_verbs::run_app_extra(global, extra).await,
        AppCommand::Create {
            tenant,
            name,
            multi_tenant,
            allow_public_client,
        } => {
            let tenant = tenant_or_only(&client, tenant).await?;
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
        let certs = certificate_blocks(&text);
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
    write_private(&out, private_pem.as_bytes()).with_context(|| {
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
fn certificate_blocks(text: &str) -> String {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let Some(len) = rest[start..].find(END) else {
            break;
        };
        let end = start + len + END.len();
        out.push_str(&rest[start..end]);
        out.push('\n');
        rest = &rest[end..];
    }
    out
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

/// Writes a new file readable only by its owner; never replaces an existing one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

async fn consent(global: &GlobalArgs, cmd: ConsentCommand) -> anyhow::Result<()> {
    match cmd {
        ConsentCommand::Extra(extra) => crate::admin_verbs::run_consent_extra(global, extra).await,
        ConsentCommand::Grant {
            tenant,
            app_id,
            roles,
        } => {
            let roles = parse_roles(&roles)?;
            let client = connect(global)?;
            let tenant = tenant_or_only(&client, tenant).await?;
            let body = GrantConsent {
                tenant: tenant.clone(),
                app_id: app_id.clone(),
                roles,
            };
            let sp = client.grant_consent(&body).await.with_context(|| {
                format!("granting consent to app '{app_id}' in tenant '{tenant}'")
            })?;
            print(&sp, global.output)
        }
    }
}

/// The roles of `--roles A,B --roles C`: split on commas, trimmed, duplicates dropped, in
/// order. An empty list, or an empty name between commas, is a usage error.
pub fn parse_roles(values: &[String]) -> Result<Vec<String>, UsageError> {
    let mut roles: Vec<String> = Vec::new();
    for value in values {
        for role in value.split(',') {
            let role = role.trim();
            if role.is_empty() {
                return Err(UsageError(format!(
                    "--roles '{value}' has an empty role name; give role names separated by commas"
                )));
            }
            if !roles.iter().any(|r| r == role) {
                roles.push(role.to_owned());
            }
        }
    }
    if roles.is_empty() {
        return Err(UsageError("--roles needs at least one role".into()));
    }
    Ok(roles)
}

async fn keys(global: &GlobalArgs, cmd: KeysCommand) -> anyhow::Result<()> {
    let client = connect(global)?;
    match cmd {
        KeysCommand::Rotate => {
            let rotated = client
                .rotate_keys()
                .await
                .context("rotating the signing key")?;
            print(&rotated, global.output)
        }
    }
}

async fn group(global: &GlobalArgs, cmd: GroupCommand) -> anyhow::Result<()> {
    match cmd {
        GroupCommand::Extra(extra) => crate::admin_verbs::run_group_extra(global, extra).await,
        GroupCommand::Create { tenant, name } => {
            let client = connect(global)?;
            let tenant = tenant_or_only(&client, tenant).await?;
            let body = CreateGroup {
                tenant: tenant.clone(),
                display_name: name.clone(),
            };
            let group = client
                .create_group(&body)
                .await
                .with_context(|| format!("creating group '{name}' in tenant '{tenant}'"))?;
            print(&group, global.output)
        }
        GroupCommand::AddMember { group, user } => {
            let group = guid("--group", "group id", &group)?;
            let user = guid("--user", "user id", &user)?;
            let client = connect(global)?;
            client
                .add_group_member(&group, &user)
                .await
                .with_context(|| format!("adding user '{user}' to group '{group}'"))?;
            print(
                &MemberChange {
                    group_id: group,
                    user_id: user,
                    member: true,
                },
                global.output,
            )
        }
        GroupCommand::RemoveMember { group, user } => {
            let group = guid("--group", "group id", &group)?;
            let user = guid("--user", "user id", &user)?;
            let client = connect(global)?;
            client
                .remove_group_member(&group, &user)
                .await
                .with_context(|| format!("removing user '{user}' from group '{group}'"))?;
            print(
                &MemberChange {
                    group_id: group,
                    user_id: user,
                    member: false,
                },
                global.output,
            )
        }
    }
}

/// The tenant a command names with `--tenant`, or else the server's only tenant (on a local
/// server, the dev tenant), as `meeting` verbs default to the dev app. Several tenants and no
/// `--tenant` is a usage error that lists them.
pub(crate) async fn tenant_or_only(
    client: &AdminClient,
    tenant: Option<String>,
) -> anyhow::Result<String> {
    if let Some(tenant) = tenant {
        return Ok(tenant);
    }
    let mut tenants = client.list_tenants().await.context("listing tenants")?;
    match tenants.len() {
        0 => anyhow::bail!(
            "the server has no tenant: create one with `graphmeet tenant create --name NAME`"
        ),
        1 => {
            let only = tenants.remove(0);
            Ok(only.domains.into_iter().next().unwrap_or(only.id))
        }
        n => {
            let names: Vec<String> = tenants
                .iter()
                .map(|t| match t.domains.first() {
                    Some(domain) => format!("  {domain} ({}, {})", t.display_name, t.id),
                    None => format!("  {} ({})", t.id, t.display_name),
                })
                .collect();
            Err(UsageError(format!(
                "the server has {n} tenants; name one with --tenant:\n{}",
                names.join("\n")
            ))
            .into())
        }
    }
}

/// `" in tenant 'T'"`, or nothing when the server's only tenant is meant.
fn in_tenant(tenant: Option<&str>) -> String {
    tenant
        .map(|t| format!(" in tenant '{t}'"))
        .unwrap_or_default()
}

/// The `--tenant` of a policy verb.
fn policy_tenant(cmd: &mut PolicyCommand) -> &mut crate::cli::TenantArg {
    match cmd {
        PolicyCommand::New { tenant, .. }
        | PolicyCommand::Set { tenant, .. }
        | PolicyCommand::Get { tenant, .. }
        | PolicyCommand::Remove { tenant, .. }
        | PolicyCommand::Grant { tenant, .. }
        | PolicyCommand::Revoke { tenant, .. }
        | PolicyCommand::Grants { tenant, .. }
        | PolicyCommand::Explain { tenant, .. } => tenant,
    }
}

async fn policy(global: &GlobalArgs, mut cmd: PolicyCommand) -> anyhow::Result<()> {
    // The server would take its only tenant too; asking here names the tenants when there
    // are several.
    let tenant = policy_tenant(&mut cmd);
    if tenant.tenant.is_none() {
        tenant.tenant = Some(tenant_or_only(&connect(global)?, None).await?);
    }
    match cmd {
        PolicyCommand::New {
            identity,
            app_ids,
            description,
            tenant,
        } => {
            let app_ids = parse_app_ids("--app-ids", &app_ids)?;
            let client = connect(global)?;
            let where_ = in_tenant(tenant.tenant.as_deref());
            let body = NewPolicy {
                tenant: tenant.tenant,
                // `Tag:Name` names the policy `Name`, as in every other verb.
                identity: strip_tag(&identity).to_owned(),
                app_ids,
                description,
            };
            let policy = client
                .new_policy(&body)
                .await
                .with_context(|| format!("creating policy '{identity}'{where_}"))?;
            print(&policy, global.output)
        }
        PolicyCommand::Set {
            identity,
            add_app_ids,
            remove_app_ids,
            replace_app_ids,
            description,
            tenant,
        } => {
            let some = |flag: &str, values: &[String]| -> Result<Option<Vec<String>>, UsageError> {
                if values.is_empty() {
                    Ok(None)
                } else {
                    parse_app_ids(flag, values).map(Some)
                }
            };
            let body = SetPolicy {
                add_app_ids: some("--add-app-ids", &add_app_ids)?,
                remove_app_ids: some("--remove-app-ids", &remove_app_ids)?,
                replace_app_ids: some("--replace-app-ids", &replace_app_ids)?,
                description,
                tenant: tenant.tenant,
            };
            let client = connect(global)?;
            let policy = client.set_policy(&identity, &body).await.with_context(|| {
                format!(
                    "changing policy '{identity}'{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&policy, global.output)
        }
        PolicyCommand::Get { identity, tenant } => {
            let client = connect(global)?;
            let tenant = tenant.tenant;
            let policies = client
                .get_policies(tenant.as_deref(), identity.as_deref())
                .await
                .with_context(|| match &identity {
                    Some(identity) => {
                        format!(
                            "getting policy '{identity}'{}",
                            in_tenant(tenant.as_deref())
                        )
                    }
                    None => format!("listing policies{}", in_tenant(tenant.as_deref())),
                })?;
            print(&policies, global.output)
        }
        PolicyCommand::Remove { identity, tenant } => {
            let client = connect(global)?;
            let tenant = tenant.tenant;
            client
                .remove_policy(&identity, tenant.as_deref())
                .await
                .with_context(|| {
                    format!(
                        "removing policy '{identity}'{}",
                        in_tenant(tenant.as_deref())
                    )
                })?;
            print(
                &PolicyRemoved {
                    identity,
                    removed: true,
                },
                global.output,
            )
        }
        PolicyCommand::Grant {
            policy_name,
            target,
            rank,
            tenant,
        } => {
            if rank.is_some() && target.group.is_none() {
                return Err(UsageError(
                    "--rank applies to a group grant only (with --group)".into(),
                )
                .into());
            }
            let (mut body, whom) = grant_body(target)?;
            body.tenant = tenant.tenant;
            body.policy_name = Some(policy_name.clone());
            body.rank = rank;
            let client = connect(global)?;
            let grant = client.grant_policy(&body).await.with_context(|| {
                format!(
                    "granting policy '{policy_name}' to {whom}{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&grant, global.output)
        }
        PolicyCommand::Revoke { target, tenant } => {
            let (mut body, whom) = grant_body(target)?;
            body.tenant = tenant.tenant;
            let client = connect(global)?;
            let grant = client.grant_policy(&body).await.with_context(|| {
                format!(
                    "revoking the policy grant of {whom}{}",
                    in_tenant(body.tenant.as_deref())
                )
            })?;
            print(&grant, global.output)
        }
        PolicyCommand::Grants { tenant } => {
            let client = connect(global)?;
            let tenant = tenant.tenant;
            let grants = client
                .list_policy_grants(tenant.as_deref())
                .await
                .with_context(|| {
                    format!("listing policy grants{}", in_tenant(tenant.as_deref()))
                })?;
            print(&grants, global.output)
        }
        PolicyCommand::Explain { app, user, tenant } => {
            let app = guid("--app", "application id", &app)?;
            let client = connect(global)?;
            let tenant = tenant.tenant;
            let decision = client
                .explain_policy(tenant.as_deref(), &app, &user)
                .await
                .with_context(|| {
                    format!(
                        "explaining access of app '{app}' for user '{user}'{}",
                        in_tenant(tenant.as_deref())
                    )
                })?;
            print(&Explanation(decision), global.output)
        }
    }
}

/// `Name` from `Tag:Name` (any case of `Tag`); anything else unchanged.
pub fn strip_tag(identity: &str) -> &str {
    match identity.split_once(':') {
        Some((tag, name)) if tag.eq_ignore_ascii_case("tag") => name,
        _ => identity,
    }
}

/// The target part of a grant body (no policy, no tenant), and the target in words.
fn grant_body(target: GrantTargetArgs) -> Result<(GrantPolicy, String), UsageError> {
    let mut body = GrantPolicy::default();
    let whom = match (target.identity, target.group, target.global) {
        (Some(user), None, false) => {
            let whom = format!("user '{user}'");
            body.user = Some(user);
            whom
        }
        (None, Some(group), false) => {
            let group = guid("--group", "group id", &group)?;
            let whom = format!("group '{group}'");
            body.group = Some(group);
            whom
        }
        (None, None, true) => {
            body.global = true;
            "the whole tenant (global)".to_owned()
        }
        // clap enforces exactly one; this guards against the flags drifting apart.
        _ => {
            return Err(UsageError(
                "give exactly one of --identity USER, --group GROUP_ID or --global".into(),
            ))
        }
    };
    Ok((body, whom))
}

/// A GUID given to `flag`, in its canonical form (lower-case, hyphenated); anything else is a
/// usage error naming the value.
pub fn guid(flag: &str, what: &str, value: &str) -> Result<String, UsageError> {
    uuid::Uuid::parse_str(value.trim())
        .map(|id| id.to_string())
        .map_err(|_| UsageError(format!("{flag} '{value}' is not a valid {what} (a GUID)")))
}

/// The application ids of `--app-ids A,B --app-ids C`: split on commas, trimmed, each a GUID
/// (canonicalised), duplicates dropped, in order. A malformed id, an empty entry or an empty
/// list is a usage error naming the flag and the value.
pub fn parse_app_ids(flag: &str, values: &[String]) -> Result<Vec<String>, UsageError> {
    let mut ids: Vec<String> = Vec::new();
    for value in values {
        for item in value.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(UsageError(format!(
                    "{flag} '{value}' has an empty entry; give application ids separated by commas"
                )));
            }
            let id = guid(flag, "application id", item)?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(UsageError(format!(
            "{flag} needs at least one application id"
        )));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn roles_split_on_commas_and_repeat() {
        assert_eq!(
            parse_roles(&strings(&[
                "OnlineMeetings.ReadWrite.All, User.Read.All",
                "Calendars.Read"
            ]))
            .unwrap(),
            strings(&[
                "OnlineMeetings.ReadWrite.All",
                "User.Read.All",
                "Calendars.Read"
            ])
        );
    }

    #[test]
    fn duplicate_roles_are_dropped() {
        assert_eq!(
            parse_roles(&strings(&["A,B", "A"])).unwrap(),
            strings(&["A", "B"])
        );
    }

    #[test]
    fn empty_roles_are_usage_errors() {
        assert!(parse_roles(&[]).is_err());
        assert!(parse_roles(&strings(&[""])).is_err());
        let err = parse_roles(&strings(&["A,,B"])).unwrap_err();
        assert!(err.to_string().contains("A,,B"), "{err}");
    }

    const A: &str = "11111111-2222-3333-4444-555555555555";
    const B: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    #[test]
    fn app_ids_split_repeat_dedupe_and_canonicalise() {
        let upper = B.to_ascii_uppercase();
        assert_eq!(
            parse_app_ids("--app-ids", &strings(&[&format!("{A}, {upper}"), A])).unwrap(),
            strings(&[A, B])
        );
    }

    #[test]
    fn bad_app_ids_are_usage_errors_naming_the_value() {
        let err = parse_app_ids("--app-ids", &strings(&[&format!("{A},not-a-guid")])).unwrap_err();
        assert!(err.to_string().contains("'not-a-guid'"), "{err}");
        assert!(err.to_string().contains("--app-ids"), "{err}");
        let err = parse_app_ids("--add-app-ids", &strings(&[&format!("{A},,{B}")])).unwrap_err();
        assert!(err.to_string().contains("empty entry"), "{err}");
        assert!(parse_app_ids("--app-ids", &[]).is_err());
    }

    #[test]
    fn tags_are_stripped_from_policy_names() {
        assert_eq!(strip_tag("Tag:P"), "P");
        assert_eq!(strip_tag("tag:P:Q"), "P:Q");
        assert_eq!(strip_tag("P"), "P");
        assert_eq!(strip_tag("Other:P"), "Other:P");
    }

    #[test]
    fn grant_targets_are_exactly_one() {
        let target = |identity: Option<&str>, group: Option<&str>, global| GrantTargetArgs {
            identity: identity.map(str::to_owned),
            group: group.map(str::to_owned),
            global,
        };
        let (body, whom) = grant_body(target(Some("alice@x"), None, false)).unwrap();
        assert_eq!(body.user.as_deref(), Some("alice@x"));
        assert_eq!(whom, "user 'alice@x'");
        let (body, _) = grant_body(target(None, Some(&A.to_ascii_uppercase()), false)).unwrap();
        assert_eq!(body.group.as_deref(), Some(A));
        let (body, _) = grant_body(target(None, None, true)).unwrap();
        assert!(body.global && body.user.is_none() && body.group.is_none());
        assert!(grant_body(target(Some("u"), None, true)).is_err());
        assert!(grant_body(target(None, None, false)).is_err());
        let err = grant_body(target(None, Some("g"), false)).unwrap_err();
        assert!(err.to_string().contains("'g'"), "{err}");
    }

    #[test]
    fn only_certificates_leave_the_machine() {
        let text = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n\
                    -----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
        let certs = certificate_blocks(text);
        assert_eq!(
            certs,
            "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\
             -----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n"
        );
        assert_eq!(certificate_blocks("no pem here"), "");
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("1b2c-3d"), "1b2c-3d");
        assert_eq!(file_stem("../x y"), ".._x_y");
    }

    #[test]
    fn private_files_are_owner_only_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_private(&path, b"key").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_private(&path, b"other").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"key");
    }
}
