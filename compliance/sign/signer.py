"""The office's signing key (a PKCS#12 file) and the PAdES signature it makes on a verdict PDF.

The signature is PAdES B-B (ETSI EN 319 142-1; SubFilter ETSI.CAdES.detached, SHA-256, the
signing certificate in the signed attributes), made with pyHanko as an incremental update: the
PDF/A-3 bytes WeasyPrint wrote are kept as they are, and pyHanko updates the XMP metadata beside
the document information. The signature field is invisible (no widget drawn on a page: a drawn
one would need a font pyHanko does not embed, which PDF/A forbids) and printable, as PDF/A wants;
a viewer lists it in its signature panel. No time-stamp authority is used (B-B, not B-T): the
signing time is the signer's clock, as the signed attributes record it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from . import SigningError, quiet_pyhanko

FIELD_NAME = "OfficeSignature"


@dataclass(frozen=True)
class OfficeSigner:
    """A loaded signing key: pyHanko's signer and what the certificate says about it."""

    path: Path
    subject: str                 # e.g. "Common Name: 杨浦区建设和管理委员会, Organization: ..., Country: CN"
    office: str                  # the certificate's organisation (else its common name)
    location: str                # its locality (L), "" when it names none
    not_before: datetime
    not_after: datetime
    signer: Any                  # pyhanko.sign.signers.SimpleSigner

    def certificate_pem(self) -> bytes:
        """The signing certificate, PEM (what a verifier passes to `compliance verify --trust`)."""
        from asn1crypto import pem

        return pem.armor("CERTIFICATE", self.signer.signing_cert.dump())


def load_signer(p12_path, passphrase: str | bytes | None, *, now: datetime | None = None) -> OfficeSigner:
    """The key and certificate in a PKCS#12 (.p12/.pfx) file. SigningError, naming the file: a
    missing or unreadable file, one that is not PKCS#12, a wrong passphrase, a file without a key,
    a certificate not yet valid or expired."""
    from datetime import timezone

    path = Path(p12_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningError("the signing key file does not exist", file=path,
                           hint="give the office's .p12 file (`compliance certs self-signed` makes one for trials)"
                           ) from None
    except OSError as exc:
        raise SigningError(f"cannot read the signing key file ({exc.strerror or exc})", file=path,
                           hint="check the path and its permissions") from None
    secret = (passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase) or None
    _key, cert = _open_pkcs12(data, secret, path)
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    now = now or datetime.now(timezone.utc)
    if now > after:
        raise SigningError(f"the signing certificate ({_name(cert)}) expired on {after:%Y-%m-%d}", file=path,
                           hint="renew the office's certificate; a verdict signed with an expired one is not valid")
    if now < before:
        raise SigningError(f"the signing certificate ({_name(cert)}) is not valid before {before:%Y-%m-%d %H:%M} UTC",
                           file=path, hint="check the computer's clock, or wait until then")
    with quiet_pyhanko():
        from pyhanko.sign.signers import SimpleSigner

        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=secret)
    cert = signer.signing_cert
    names = cert.subject.native
    return OfficeSigner(path=path, subject=cert.subject.human_friendly,
                        office=names.get("organization_name") or names.get("common_name") or "",
                        location=names.get("locality_name") or "",
                        not_before=before, not_after=after, signer=signer)


def _open_pkcs12(data: bytes, secret: bytes | None, path: Path):
    """The private key and certificate of a PKCS#12 file (cryptography's objects), or SigningError."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, _others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        if not _is_pkcs12(data):
            raise SigningError("not a PKCS#12 key file (.p12 / .pfx)", file=path,
                               hint="export the office's key and certificate as PKCS#12") from None
        raise SigningError("wrong passphrase for the signing key (the file cannot be decrypted with it)", file=path,
                           hint="set COMPLIANCE_SIGNING_PASSPHRASE to the passphrase the .p12 was made with"
                           ) from None
    if key is None or cert is None:
        raise SigningError("the PKCS#12 file holds no private key with its certificate", file=path,
                           hint="export the key together with its certificate")
    return key, cert


def _is_pkcs12(data: bytes) -> bool:
    """Whether `data` is a PKCS#12 structure at all (then a failure to open it is the passphrase)."""
    from asn1crypto import pkcs12

    try:
        pfx = pkcs12.Pfx.load(data)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native is not None
    except (ValueError, TypeError, KeyError):
        return False


def _name(cert) -> str:
    """A cryptography certificate's common name (else its whole subject)."""
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def sign_pdf(pdf_bytes: bytes, signer: OfficeSigner, *, reason: str, location: str | None = None,
             name: str | None = None) -> bytes:
    """`pdf_bytes` with a PAdES B-B signature over the whole document, appended as an incremental
    update (the bytes before it are unchanged)."""
    import io

    with quiet_pyhanko():
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason, location=location or None, name=name or None)
        invisible = fields.InvisSigSettings(set_print_flag=True, set_hidden_flag=False)     # what PDF/A asks
        spec = fields.SigFieldSpec(FIELD_NAME, readable_field_name="审查签署 Reviewer sign-off",
                                   invis_sig_settings=invisible)
        return signers.sign_pdf(writer, meta, signer=signer.signer, new_field_spec=spec).getvalue()
