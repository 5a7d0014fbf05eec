//! Conformance of third-party clients with a graphmeet server.
//!
//! The tests in `tests/` start a real server over TLS and drive it with the official Python
//! clients, installed from PyPI into virtual environments made on first use: the quick one
//! (MSAL, azure-identity, msgraph-sdk; `python/requirements.txt`, or the venv named by
//! `GRAPHMEET_COMPAT_VENV`) and the Azure CLI's own, which is large
//! (`python/requirements-az.txt`, or `GRAPHMEET_COMPAT_AZ_VENV`). This crate holds the shared
//! set-up.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python scripts and their pinned requirements.
pub fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// Why a Python environment could not be prepared; says what to install by hand.
#[derive(Clone)]
pub struct VenvError(pub String);

impl std::fmt::Display for VenvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// A test that returns `Err` prints the error with `Debug`: print the message itself.
impl std::fmt::Debug for VenvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VenvError {}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// One virtual environment: where it lives and what it holds.
struct Venv {
    /// The variable that names an existing venv to use.
    variable: &'static str,
    /// Its default place, under the workspace's `target/`.
    default_dir: &'static str,
    /// The requirements file in [`python_dir`].
    requirements: &'static str,
}

impl Venv {
    fn dir(&self) -> PathBuf {
        std::env::var_os(self.variable)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target")
                    .join(self.default_dir)
            })
    }

    /// The venv's Python, made with the pinned requirements installed unless the venv already
    /// holds exactly them (its `.requirements` stamp).
    fn prepare(&self) -> Result<PathBuf, VenvError> {
        let venv = self.dir();
        let python = venv.join("bin/python");
        let requirements = python_dir().join(self.requirements);
        let help = |detail: String| {
            VenvError(format!(
                "the compat tests need Python 3 (with its venv module) and the packages pinned in \
                 {requirements}, from PyPI; preparing {venv} failed:\n{detail}\n\
                 Make the environment by hand with\n  python3 -m venv {venv}\n  \
                 {venv}/bin/python -m pip install -r {requirements}\n  \
                 cp {requirements} {venv}/.requirements\n\
                 or point {variable} at a venv that has them (GRAPHMEET_PYTHON names the \
                 Python that makes it).",
                requirements = requirements.display(),
                venv = venv.display(),
                variable = self.variable,
            ))
        };
        let stamp = venv.join(".requirements");
        let wanted = std::fs::read_to_string(&requirements)
            .map_err(|e| help(format!("{}: {e}", requirements.display())))?;
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
            && python.exists()
        {
            return Ok(python);
        }
        let system_python =
            std::env::var("GRAPHMEET_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        run(Command::new(&system_python)
            .arg("-m")
            .arg("venv")
            .arg(&venv))
        .map_err(help)?;
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements))
        .map_err(help)?;
        std::fs::write(&stamp, wanted).map_err(|e| help(e.to_string()))?;
        Ok(python)
    }
}

const QUICK: Venv = Venv {
    variable: "GRAPHMEET_COMPAT_VENV",
    default_dir: "compat-venv",
    requirements: "requirements.txt",
};

const AZ: Venv = Venv {
    variable: "GRAPHMEET_COMPAT_AZ_VENV",
    default_dir: "compat-az-venv",
    requirements: "requirements-az.txt",
};

/// The quick venv's Python (MSAL, azure-identity, msgraph-sdk), made once per process.
pub fn venv_python() -> Result<PathBuf, VenvError> {
    static PYTHON: OnceLock<Result<PathBuf, VenvError>> = OnceLock::new();
    PYTHON.get_or_init(|| QUICK.prepare()).clone()
}

/// The Azure CLI's `az`, from its own venv, made once per process.
pub fn az_cli() -> Result<PathBuf, VenvError> {
    static AZ_CLI: OnceLock<Result<PathBuf, VenvError>> = OnceLock::new();
    AZ_CLI
        .get_or_init(|| {
            let python = AZ.prepare()?;
            let az = python.with_file_name("az");
            if az.exists() {
                Ok(az)
            } else {
                Err(VenvError(format!(
                    "{} has no az; reinstall it from {}",
                    AZ.dir().display(),
                    python_dir().join(AZ.requirements).display()
                )))
            }
        })
        .clone()
}

/// The Node.js clients' folder (`node/`: scripts, `package.json`, `package-lock.json`).
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// The `node` that runs the Node.js scripts, with `node/node_modules` installed from the lock
/// file (`npm ci`) unless it already holds exactly it; made once per process.
pub fn node() -> Result<PathBuf, VenvError> {
    static NODE: OnceLock<Result<PathBuf, VenvError>> = OnceLock::new();
    NODE.get_or_init(prepare_node).clone()
}

fn prepare_node() -> Result<PathBuf, VenvError> {
    let dir = node_dir();
    let lock = dir.join("package-lock.json");
    let help = |detail: String| {
        VenvError(format!(
            "the Node.js compat tests need Node.js 20 or later with npm, and the packages \
             locked in {lock}, from the npm registry; preparing {dir}/node_modules failed:\n\
             {detail}\nInstall them by hand with\n  npm ci --prefix {dir}",
            lock = lock.display(),
            dir = dir.display(),
        ))
    };
    let node = PathBuf::from(std::env::var("GRAPHMEET_NODE").unwrap_or_else(|_| "node".to_owned()));
    run(Command::new(&node).arg("--version")).map_err(help)?;
    // A copy of the lock file, written after `npm ci` succeeded, says node_modules holds
    // exactly what is locked.
    let stamp = dir.join("node_modules/.graphmeet-lock");
    let wanted = std::fs::read(&lock).map_err(|e| help(format!("{}: {e}", lock.display())))?;
    if std::fs::read(&stamp).ok().as_deref() != Some(wanted.as_slice()) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir))
        .map_err(help)?;
        std::fs::write(&stamp, &wanted).map_err(|e| help(e.to_string()))?;
    }
    Ok(node)
}

/// The JSON object a compat script printed, or why there is none: the script failed (its
/// stderr), or printed something else (what it printed, and its stderr).
pub fn script_json(output: &std::process::Output) -> Result<serde_json::Value, String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("the script failed ({}):\n{stderr}", output.status));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{e}: {}\n{stderr}", String::from_utf8_lossy(&output.stdout)))
}
