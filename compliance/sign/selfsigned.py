"""A self-signed signing key and certificate for trials (`compliance certs self-signed`).

An office signs its real verdicts with the key its certificate authority issued; until then, or on
a test machine, this makes one: an RSA 3072 key (not EC: pyHanko declares an ECDSA signature as the
PDF 2.0 extension ISO/TS 32002, which would take the signed verdict out of PDF/A-3), a certificate
naming the office (CN and O, C=CN) whose key usage is digitalSignature and nonRepudiation (what a
PAdES signature asks of a signer), the pair in a PKCS#12 file encrypted with the passphrase
(AES-256, readable by OpenSSL 3 and pyHanko), and the certificate alone as PEM: the file a
verifier trusts (`compliance verify --trust`).
"""

from __future__ import annotations

from pathlib import Path

from . import SigningError

P12_NAME = "office-signing.p12"
CERT_NAME = "office-signing-cert.pem"
MAX_DAYS = 3650


def make_self_signed(folder, office_name: str, days: int = 365, passphrase: str | bytes = b"") -> tuple[Path, Path]:
    """Write FOLDER/office-signing.p12 (key and certificate, encrypted with `passphrase`) and
    FOLDER/office-signing-cert.pem (the certificate); return their paths. SigningError: an empty
    office name or passphrase, days out of 1..3650, a file that is already there (a key is never
    overwritten), a folder that cannot be written."""
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    office = " ".join(str(office_name or "").split())
    secret = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if not office or len(office) > 64:
        raise SigningError("the office name must be 1-64 characters (it is the certificate's common name)",
                           hint='e.g. --office "杨浦区建设和管理委员会"')
    if not secret:
        raise SigningError("no passphrase for the new key",
                           hint="set COMPLIANCE_SIGNING_PASSPHRASE, or pass --passphrase-stdin and type it")
    if not 1 <= days <= MAX_DAYS:
        raise SigningError(f"--days {days} is out of range (1-{MAX_DAYS})", hint="e.g. --days 365")
    p12_path, cert_path = folder / P12_NAME, folder / CERT_NAME
    for path in (p12_path, cert_path):
        if path.exists():
            raise SigningError("already exists; a signing key is never overwritten", file=path,
                               hint="remove it yourself, or write the new key into another folder with -o")

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, office),
                      x509.NameAttribute(NameOID.COMMON_NAME, office)])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                  .kdf_rounds(100_000).key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                  .hmac_hash(hashes.SHA256()).build(secret))
    p12 = pkcs12.serialize_key_and_certificates(b"office-signing", key, cert, None, encryption)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_new(p12_path, p12, 0o600)
        _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise SigningError(f"cannot write the key ({exc.strerror or exc})", file=exc.filename or folder,
                           hint="choose a folder you can write to with -o") from None
    return p12_path, cert_path


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` (never over an existing file) readable as `mode` says."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
