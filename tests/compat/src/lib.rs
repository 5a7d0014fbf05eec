//! Conformance of third-party clients with a graphmeet server.
//!
//! The tests in `tests/` start a real server over TLS and drive it with the official Python
//! clients, installed from PyPI into a virtual environment made on first use (or the one named
//! by `GRAPHMEET_COMPAT_VENV`). This crate holds the shared set-up.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python scripts and their pinned requirements.
pub fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python")
}

/// Why the Python environment could not be prepared.
#[derive(Debug, Clone)]
pub struct VenvError(pub String);

impl std::fmt::Display for VenvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn run(cmd: &mut Command) -> Result<(), VenvError> {
    let out = cmd
        .output()
        .map_err(|e| VenvError(format!("{cmd:?}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(VenvError(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn prepare() -> Result<PathBuf, VenvError> {
    let venv = std::env::var_os("GRAPHMEET_COMPAT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/compat-venv"));
    let python = venv.join("bin/python");
    let requirements = python_dir().join("requirements.txt");
    let stamp = venv.join(".requirements");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| VenvError(e.to_string()))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(python);
    }
    let system_python = std::env::var("GRAPHMEET_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    run(Command::new(&system_python)
        .arg("-m")
        .arg("venv")
        .arg(&venv))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements))?;
    std::fs::write(&stamp, wanted).map_err(|e| VenvError(e.to_string()))?;
    Ok(python)
}

/// The venv's Python, made (once per process) with the pinned requirements installed.
pub fn venv_python() -> Result<PathBuf, VenvError> {
    static PYTHON: OnceLock<Result<PathBuf, VenvError>> = OnceLock::new();
    PYTHON.get_or_init(prepare).clone()
}
