"""A Microsoft Graph change-notification subscriber, as an application writes one with
Python's standard library (http.server, json, hmac, hashlib, base64).

Decrypting rich notifications needs RSA-OAEP and AES-CBC, which the standard library does not
have: those two steps use the `cryptography` package (pinned in requirements.txt), as
Microsoft's Python samples do. Everything else — the HTTP endpoint, the validation handshake,
the HMAC-SHA256 check of `dataSignature`, PKCS7 unpadding, the JSON — is the standard library.

Usage:
  subscriber.py keygen DIR
      writes DIR/key.pem (PKCS#8) and DIR/cert.b64 (base64 DER of a self-signed certificate,
      the subscription's encryptionCertificate)
  subscriber.py serve PORT KEY_PEM CLIENT_STATE COUNT
      serves http://127.0.0.1:PORT/, answers validation requests, prints one JSON line per
      request received, and exits after COUNT notifications (validations not counted)

Facts: https://learn.microsoft.com/graph/change-notifications-delivery-webhooks and
https://learn.microsoft.com/graph/change-notifications-with-resource-data.
"""

import base64
import hashlib
import hmac
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def keygen(directory):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "subscriber")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    with open(f"{directory}/key.pem", "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    der = cert.public_bytes(serialization.Encoding.DER)
    with open(f"{directory}/cert.b64", "w") as f:
        f.write(base64.b64encode(der).decode())
    print(json.dumps({"thumbprint": hashlib.sha1(der).hexdigest().upper()}), flush=True)


def decrypt(content, key_pem):
    """encryptedContent -> the resource's JSON (Graph's documented algorithm)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    private_key = serialization.load_pem_private_key(key_pem, password=None)
    # 1. dataKey: the symmetric key, RSA-OAEP (SHA-1) with our public key.
    symmetric = private_key.decrypt(
        base64.b64decode(content["dataKey"]),
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
    )
    data = base64.b64decode(content["data"])
    # 2. dataSignature: HMAC-SHA256 of the data under the symmetric key, checked first.
    expected = hmac.new(symmetric, data, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, base64.b64decode(content["dataSignature"])):
        raise ValueError("dataSignature does not match")
    # 3. data: AES-CBC, IV = the key's first 16 bytes, PKCS7 padding.
    decryptor = Cipher(algorithms.AES(symmetric), modes.CBC(symmetric[:16])).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    pad = padded[-1]
    if pad < 1 or pad > 16 or padded[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad PKCS7 padding")
    return json.loads(padded[:-pad])


def serve(port, key_path, client_state, count):
    with open(key_path, "rb") as f:
        key_pem = f.read()
    done = threading.Event()
    seen = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if "validationToken" in query:
                # The handshake: 200, text/plain, the decoded token, within 10 seconds.
                token = query["validationToken"][0]
                answer = token.encode()
                # Printed before answering: the server sends the next request only after this
                # answer, so the lines come out in the order the requests were made.
                with lock:
                    print(
                        json.dumps(
                            {
                                "validation": url.path,
                                "contentType": self.headers.get("Content-Type"),
                                "token": token,
                            }
                        ),
                        flush=True,
                    )
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                return
            payload = json.loads(body)
            out = []
            for item in payload.get("value", []):
                entry = {
                    "path": url.path,
                    "notification": item,
                    "clientStateMatches": item.get("clientState") == client_state,
                }
                content = item.get("encryptedContent") or item.get("EncryptedContent")
                if content:
                    try:
                        entry["resourceData"] = decrypt(content, key_pem)
                    except Exception as e:  # reported, not fatal
                        entry["decryptError"] = str(e)
                entry["validationTokens"] = len(payload.get("validationTokens", []))
                out.append(entry)
            with lock:
                for entry in out:
                    print(json.dumps(entry), flush=True)
                    seen[0] += 1
            # 202 Accepted, as the docs suggest for a notification queued for processing.
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with lock:
                if count and seen[0] >= count:
                    done.set()

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(json.dumps({"listening": port}), flush=True)
    done.wait()
    server.shutdown()


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        keygen(sys.argv[2])
    else:
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
