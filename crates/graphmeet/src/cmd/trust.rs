//! `graphmeet trust`: adds the local CA (`DATA_DIR/tls/ca.pem`) to the operating system's trust
//! store, or takes it out with `--remove`, and prints what runtimes that ignore the system
//! store need (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `NODE_EXTRA_CA_CERTS`, Java's keytool).

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The name the CA takes in the system stores.
const NAME: &str = "graphmeet-local-ca";

/// One operating system's trust store: where the CA goes and the command that refreshes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// Debian, Ubuntu: `/usr/local/share/ca-certificates/*.crt` and `update-ca-certificates`.
    Debian,
    /// Fedora, RHEL: `/etc/pki/ca-trust/source/anchors/` and `update-ca-trust`.
    Fedora,
    /// macOS: the System keychain, through `security`.
    MacOs,
    /// Windows: the machine's Root store, through `certutil`.
    Windows,
}

impl Store {
    /// The store of this machine, if graphmeet knows it.
    pub fn detect() -> Option<Self> {
        if cfg!(target_os = "macos") {
            Some(Self::MacOs)
        } else if cfg!(windows) {
            Some(Self::Windows)
        } else if Path::new("/usr/sbin/update-ca-certificates").exists()
            || Path::new("/usr/local/share/ca-certificates").is_dir()
        {
            Some(Self::Debian)
        } else if Path::new("/etc/pki/ca-trust/source/anchors").is_dir() {
            Some(Self::Fedora)
        } else {
            None
        }
    }

    fn anchor(&self) -> Option<PathBuf> {
        match self {
            Self::Debian => Some(PathBuf::from(format!(
                "/usr/local/share/ca-certificates/{NAME}.crt"
            ))),
            Self::Fedora => Some(PathBuf::from(format!(
                "/etc/pki/ca-trust/source/anchors/{NAME}.pem"
            ))),
            Self::MacOs | Self::Windows => None,
        }
    }

    /// The commands that add (`add`) or remove the CA, in order.
    fn commands(&self, ca: &Path, add: bool) -> Vec<Vec<String>> {
        let ca = ca.display().to_string();
        match (self, add) {
            // It also drops from the bundle what left the directory.
            (Self::Debian, _) => vec![vec!["update-ca-certificates".into()]],
            (Self::Fedora, _) => vec![vec!["update-ca-trust".into(), "extract".into()]],
            (Self::MacOs, true) => vec![vec![
                "security".into(),
                "add-trusted-cert".into(),
                "-d".into(),
                "-r".into(),
                "trustRoot".into(),
                "-k".into(),
                "/Library/Keychains/System.keychain".into(),
                ca,
            ]],
            (Self::MacOs, false) => vec![vec![
                "security".into(),
                "remove-trusted-cert".into(),
                "-d".into(),
                ca,
            ]],
            (Self::Windows, true) => vec![vec![
                "certutil".into(),
                "-addstore".into(),
                "-f".into(),
                "ROOT".into(),
                ca,
            ]],
            (Self::Windows, false) => vec![vec![
                "certutil".into(),
                "-delstore".into(),
                "ROOT".into(),
                "graphmeet local CA".into(),
            ]],
        }
    }
}

fn run(command: &[String]) -> anyhow::Result<()> {
    let (program, args) = command.split_first().context("an empty command")?;
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    if !output.status.success() {
        anyhow::bail!(
            "{} failed: {}{}",
            command.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// What runtimes that do not read the system store need.
pub fn runtime_hints(ca: &Path) -> String {
    let ca = ca.display();
    format!(
        "For runtimes that ignore the system store:\n  export REQUESTS_CA_BUNDLE={ca} SSL_CERT_FILE={ca} NODE_EXTRA_CA_CERTS={ca}\n  keytool -importcert -noprompt -alias {NAME} -file {ca} -cacerts -storepass changeit\n"
    )
}

/// `graphmeet trust [--remove]`: adds (or takes out) the CA of the data directory in this
/// machine's trust store.
pub fn exec(global: &crate::args::GlobalArgs, args: &crate::args::TrustArgs) -> anyhow::Result<()> {
    let remove = args.remove;
    let ca = crate::connect::data_dir(global).join("tls").join("ca.pem");
    if !remove && !ca.exists() {
        anyhow::bail!(
            "no local CA at {}: run `graphmeet serve` once first (it makes the CA)",
            ca.display()
        );
    }
    let store = Store::detect().context(
        "this operating system's trust store is not one graphmeet knows (Debian/Ubuntu, Fedora/RHEL, macOS, Windows); trust the CA by hand",
    )?;
    if let Some(anchor) = store.anchor() {
        if remove {
            match std::fs::remove_file(&anchor) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    println!("the local CA was not in the system trust store");
                    return Ok(());
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "removing {} (run as root, e.g. with sudo)",
                            anchor.display()
                        )
                    })
                }
            }
        } else {
            std::fs::copy(&ca, &anchor).with_context(|| {
                format!(
                    "copying the CA to {} (run as root, e.g. with sudo)",
                    anchor.display()
                )
            })?;
        }
    }
    for command in store.commands(&ca, !remove) {
        run(&command)?;
    }
    if remove {
        println!("removed the local CA from the system trust store");
    } else {
        println!("the system trusts the local CA {}", ca.display());
        print!("{}", runtime_hints(&ca));
    }
    Ok(())
}
