"""MSAL Python against a graphmeet server, configured only by authority (and trust of its CA).

Reads dev-credentials.json (path in argv[1]); prints one JSON object with the outcome of each
case, for the Rust test to assert on.
"""
import json
import sys

import msal

SCOPE = ["https://graph.microsoft.com/.default"]


def acquire(creds, credential, client_id=None):
    app = msal.ConfidentialClientApplication(
        client_id or creds["client_id"],
        client_credential=credential,
        authority=creds["authority"],
        instance_discovery=False,
    )
    return app.acquire_token_for_client(scopes=SCOPE)


def main():
    creds = json.load(open(sys.argv[1]))
    with open(creds["certificate_path"]) as f:
        pem = f.read()
    key = pem[pem.index("-----BEGIN PRIVATE KEY-----"):]
    cert = pem[: pem.index("-----BEGIN PRIVATE KEY-----")]
    out = {
        "secret": acquire(creds, creds["client_secret"]),
        # No thumbprint: MSAL works out SHA-256 and signs PS256 with x5t#S256.
        "certificate_pss": acquire(creds, {"private_key": key, "public_certificate": cert}),
        "wrong_secret": acquire(creds, "not-the-secret"),
        "unknown_client": acquire(creds, creds["client_secret"], client_id="7a2b8f51-1d7c-4c1e-9a52-3c0f0c1d2e3f"),
    }
    # The legacy SHA-1 thumbprint form: RS256 with a padded x5t.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    thumbprint = x509.load_pem_x509_certificate(cert.encode()).fingerprint(hashes.SHA1()).hex()
    out["certificate_rs256"] = acquire(creds, {"private_key": key, "thumbprint": thumbprint})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
