//! RS256 signatures and verifications per second of the RSA providers the token endpoint could
//! use, on one 2048-bit key like graphmeet's signing keys, over a signing input the size of an
//! app-only Graph token:
//!
//! - `ring, key parsed per signature`: what `jsonwebtoken` 9 does on every `encode`
//!   (`RsaKeyPair::from_der`, which checks the whole private key, then one signature);
//! - `ring, key parsed once`: a `ring::signature::RsaKeyPair` kept and reused;
//! - `aws-lc-rs, key parsed once`: an `aws_lc_rs::signature::RsaKeyPair` kept and reused, the
//!   signer graphmeet uses.
//!
//! Verification: ring parses the public key on every call (it has no parsed public-key type);
//! aws-lc-rs verifies with a `ParsedPublicKey` made once, as graphmeet's verifier does.
//!
//! ```text
//! cargo run --release -p graphmeet-core --example sign_providers -- \
//!     [--seconds S] [--rounds R] [--threads T] [--openssl-sign-1 N] [--openssl-sign-multi N]
//! ```
//!
//! Each figure is the best of `--rounds` rounds of `--seconds` each, the rounds of all cases
//! interleaved so that load from other processes falls on every case alike. `--openssl-sign-1`
//! and `--openssl-sign-multi` take the sign/s of `openssl speed rsa2048` (one process) and of
//! `openssl speed -multi T rsa2048` measured in the same run (see `bench/sign_providers.sh`);
//! when given, every signing figure gets its ratio against OpenSSL at the same parallelism.

use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

type BoxError = Box<dyn Error + Send + Sync>;

/// Command-line options.
struct Options {
    seconds: f64,
    rounds: usize,
    threads: usize,
    openssl_sign_1: Option<f64>,
    openssl_sign_multi: Option<f64>,
}

fn parse_options() -> Result<Options, BoxError> {
    let mut options = Options {
        seconds: 2.0,
        rounds: 3,
        threads: 2,
        openssl_sign_1: None,
        openssl_sign_multi: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => options.seconds = value()?.parse()?,
            "--rounds" => options.rounds = value()?.parse::<usize>()?.max(1),
            "--threads" => options.threads = value()?.parse::<usize>()?.max(1),
            "--openssl-sign-1" => options.openssl_sign_1 = Some(value()?.parse()?),
            "--openssl-sign-multi" => options.openssl_sign_multi = Some(value()?.parse()?),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(options)
}

/// One thing to measure: a closure doing one operation, shared by the threads.
type Op = Arc<dyn Fn() -> Result<(), BoxError> + Send + Sync>;

struct Case {
    what: &'static str,
    label: &'static str,
    threads: usize,
    op: Op,
    best: f64,
}

/// Runs `op` on `threads` threads for `seconds`; operations per second, all threads together.
fn measure(op: &Op, threads: usize, seconds: f64) -> Result<f64, BoxError> {
    let done = Arc::new(AtomicU64::new(0));
    let start = Arc::new(Barrier::new(threads + 1));
    let budget = Duration::from_secs_f64(seconds);
    let mut elapsed = Duration::ZERO;
    let result: Result<(), BoxError> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (op, done, start) = (op.clone(), done.clone(), start.clone());
                scope.spawn(move || -> Result<(), BoxError> {
                    start.wait();
                    let began = Instant::now();
                    let mut n = 0u64;
                    while began.elapsed() < budget {
                        op()?;
                        n += 1;
                    }
                    done.fetch_add(n, Ordering::Relaxed);
                    Ok(())
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for handle in handles {
            handle.join().map_err(|_| "a benchmark thread died")??;
        }
        elapsed = began.elapsed();
        Ok(())
    });
    result?;
    Ok(done.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64())
}

/// A signing input the size of graphmeet's app-only Graph tokens (header and claims, base64url).
fn signing_input() -> String {
    use graphmeet_wire::b64::url_encode;
    let header = r#"{"typ":"JWT","alg":"RS256","kid":"Xn0dPSe5nB0G8a9Li6CC0VS7w5A","x5t":"Xn0dPSe5nB0G8a9Li6CC0VS7w5A"}"#;
    let claims = serde_json::json!({
        "aud": "https://graph.microsoft.com",
        "iss": "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/",
        "iat": 1_767_225_600, "nbf": 1_767_225_600, "exp": 1_767_229_500,
        "aio": "k2BgYJh1ej5mlb7fvyXDTn7uGa8yl1H2VuXf4UCX6ViGeBUpmRKb1YpXo4sgoXrKBf3kbA",
        "app_displayname": "Meeting scheduler",
        "appid": "3f2f1a4e-7b1c-4d0e-9a57-2f8b6c1d9e00", "appidacr": "1",
        "idp": "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/",
        "idtyp": "app", "oid": "5b7e6f0c-2d3a-4e8f-9c1b-0a4d7e2f6b93",
        "rh": "0.AXkADQSIkWdsW0yxEjajBLZtrQMAAAAAAAAAwAAAAAAAAAB5AAA.",
        "roles": ["OnlineMeetings.ReadWrite.All"],
        "sub": "5b7e6f0c-2d3a-4e8f-9c1b-0a4d7e2f6b93",
        "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
        "uti": "yLkHgrYrB0uBh5r2zT9tAA", "ver": "1.0",
        "wids": ["0997a1d0-0d1d-4acb-b408-d5ca73121e90"], "xms_tcdt": 1_700_000_000
    });
    format!("{}.{}", url_encode(header), url_encode(claims.to_string()))
}

fn main() -> Result<(), BoxError> {
    let options = parse_options()?;

    let generated = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| "RSA key generation failed")?;
    let pkcs8 = {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let der: Pkcs8V1Der<'static> = generated.as_der().map_err(|_| "PKCS#8 export failed")?;
        der.as_ref().to_vec()
    };
    let message: Arc<[u8]> = signing_input().into_bytes().into();

    let ring_key = Arc::new(
        ring::signature::RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| format!("ring: {e}"))?,
    );
    let aws_key = Arc::new(
        aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&pkcs8)
            .map_err(|e| format!("aws-lc-rs: {e}"))?,
    );
    let public_pkcs1: Arc<[u8]> = {
        use ring::signature::KeyPair;
        ring_key.public_key().as_ref().into()
    };
    let aws_public = Arc::new(
        aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &public_pkcs1[..],
        )
        .map_err(|e| format!("aws-lc-rs public key: {e}"))?,
    );
    let signature: Arc<[u8]> = {
        let mut sig = vec![0u8; aws_key.public_modulus_len()];
        aws_key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                &message,
                &mut sig,
            )
            .map_err(|_| "aws-lc-rs signing failed")?;
        sig.into()
    };

    let ring_reparse: Op = {
        let (pkcs8, message) = (pkcs8.clone(), message.clone());
        let rng = ring::rand::SystemRandom::new();
        Arc::new(move || {
            let key = ring::signature::RsaKeyPair::from_pkcs8(&pkcs8)
                .map_err(|e| format!("ring: {e}"))?;
            let mut sig = vec![0u8; key.public().modulus_len()];
            key.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, &message, &mut sig)
                .map_err(|_| "ring signing failed")?;
            Ok(())
        })
    };
    let ring_once: Op = {
        let (key, message) = (ring_key.clone(), message.clone());
        let rng = ring::rand::SystemRandom::new();
        Arc::new(move || {
            let mut sig = vec![0u8; key.public().modulus_len()];
            key.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, &message, &mut sig)
                .map_err(|_| "ring signing failed")?;
            Ok(())
        })
    };
    let aws_once: Op = {
        let (key, message) = (aws_key.clone(), message.clone());
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Arc::new(move || {
            let mut sig = vec![0u8; key.public_modulus_len()];
            key.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &rng,
                &message,
                &mut sig,
            )
            .map_err(|_| "aws-lc-rs signing failed")?;
            Ok(())
        })
    };
    let ring_verify: Op = {
        let (public, message, signature) =
            (public_pkcs1.clone(), message.clone(), signature.clone());
        Arc::new(move || {
            ring::signature::UnparsedPublicKey::new(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                &public[..],
            )
            .verify(&message, &signature)
            .map_err(|_| "ring: the signature does not verify")?;
            Ok(())
        })
    };
    let aws_verify: Op = {
        let (public, message, signature) = (aws_public.clone(), message.clone(), signature.clone());
        Arc::new(move || {
            public
                .verify_sig(&message, &signature)
                .map_err(|_| "aws-lc-rs: the signature does not verify")?;
            Ok(())
        })
    };

    let t = options.threads;
    let case = |what, label, threads, op: &Op| Case {
        what,
        label,
        threads,
        op: op.clone(),
        best: 0.0,
    };
    let mut cases = vec![
        case("sign", "ring, key parsed per signature", 1, &ring_reparse),
        case("sign", "ring, key parsed once", 1, &ring_once),
        case("sign", "aws-lc-rs, key parsed once", 1, &aws_once),
        case("sign", "ring, key parsed per signature", t, &ring_reparse),
        case("sign", "ring, key parsed once", t, &ring_once),
        case("sign", "aws-lc-rs, key parsed once", t, &aws_once),
        case(
            "verify",
            "ring, key parsed per verification",
            1,
            &ring_verify,
        ),
        case("verify", "aws-lc-rs, key parsed once", 1, &aws_verify),
    ];

    eprintln!(
        "{} cases x {} rounds of {} s, {} threads in the parallel cases",
        cases.len(),
        options.rounds,
        options.seconds,
        t
    );
    for _ in 0..options.rounds {
        for case in &mut cases {
            let rate = measure(&case.op, case.threads, options.seconds)?;
            case.best = case.best.max(rate);
        }
    }

    let best = |label: &str, threads: usize| {
        cases
            .iter()
            .find(|c| c.what == "sign" && c.label == label && c.threads == threads)
            .map_or(0.0, |c| c.best)
    };
    println!(
        "{:<6} {:<36} {:>7} {:>10} {:>14} {:>11}",
        "op", "provider", "threads", "per s", "vs parse-each", "vs openssl"
    );
    for case in &cases {
        let vs_reparse = if case.what == "sign" {
            let base = best("ring, key parsed per signature", case.threads);
            format!("{:.2}", case.best / base)
        } else {
            "-".to_owned()
        };
        let openssl = match (case.what, case.threads) {
            ("sign", 1) => options.openssl_sign_1,
            ("sign", _) => options.openssl_sign_multi,
            _ => None,
        };
        let vs_openssl =
            openssl.map_or_else(|| "-".to_owned(), |o| format!("{:.2}", case.best / o));
        println!(
            "{:<6} {:<36} {:>7} {:>10.0} {:>14} {:>11}",
            case.what, case.label, case.threads, case.best, vs_reparse, vs_openssl
        );
    }
    if let Some(o) = options.openssl_sign_1 {
        println!(
            "{:<6} {:<36} {:>7} {:>10.0}",
            "sign", "openssl speed rsa2048", 1, o
        );
    }
    if let Some(o) = options.openssl_sign_multi {
        println!(
            "{:<6} {:<36} {:>7} {:>10.0}",
            "sign",
            format!("openssl speed -multi {t} rsa2048"),
            t,
            o
        );
    }
    let aws = best("aws-lc-rs, key parsed once", t);
    let ring = best("ring, key parsed once", t);
    println!(
        "aws-lc-rs / ring (both parsed once, {t} threads): {:.2}",
        aws / ring
    );
    Ok(())
}
