"""What a signed verdict PDF proves (`compliance verify`): validated with pyHanko against the
certificates the verifier trusts, never the operating system's list, never fetching anything.

A verdict is valid when it is signed, the signed bytes are unchanged (the digest matches and the
signature verifies with the signer's key), the signature covers the whole file (nothing was
appended after signing: not even validation data, which a B-B verdict has no need of), the signer's
certificate chains to one of the trusted certificates (at the time of checking: a PAdES B-B signature
carries no time-stamp), and it carries its JSON verdict. Each failure is a problem, a plain sentence
in Chinese and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from ..text import Text
from . import SigningError, quiet_pyhanko

EMBEDDED_NAME = "verdict.json"


@dataclass(frozen=True)
class Verification:
    """The verification of one PDF. `valid`: every check passed (the CLI exits 0)."""

    signed: bool = False
    intact: bool = False                 # the signed bytes' digest matches and the signature verifies
    whole_file: bool = False             # nothing was changed or appended after signing
    trusted: bool = False                # the signer's certificate chains to a trusted certificate
    signer: Optional[str] = None         # the signer certificate's subject
    signed_at: Optional[datetime] = None  # the signing time the signer's signed attributes record (UTC)
    trusted_by: Optional[str] = None     # the trust file whose certificate the chain ends at
    reason: Optional[str] = None         # the signature's /Reason, /Name and /Location as signed
    name: Optional[str] = None
    location: Optional[str] = None
    embedded: bool = False               # verdict.json is embedded
    submission_id: Optional[str] = None  # from the embedded verdict.json
    verdict: Optional[str] = None
    check_id: Optional[int] = None       # the check its latest sign-off is of
    pdfa: Optional[str] = None           # the PDF/A conformance the XMP claims, e.g. "PDF/A-3B" (a claim only)
    signatures: int = 0
    problems: tuple[Text, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.whole_file and self.trusted and self.embedded and not self.problems


def _problem(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def load_trust(paths) -> list[tuple[str, object]]:
    """(file, asn1crypto certificate) for every certificate in the PEM or DER files; SigningError
    naming a file that is missing or holds no certificate."""
    from pyhanko.keys import load_certs_from_pemder

    out = []
    for path in map(Path, paths):
        if not path.is_file():
            raise SigningError("the trusted certificate file does not exist", file=path,
                               hint="give the office's certificate (.pem), e.g. office-signing-cert.pem")
        try:
            certs = list(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError, TypeError) as exc:
            raise SigningError(f"not a certificate file (PEM or DER): {exc}", file=path,
                               hint="give the office's certificate, not its key or a PKCS#12 file") from None
        if not certs:
            raise SigningError("holds no certificate", file=path, hint="give the office's certificate (.pem)")
        out += [(str(path), cert) for cert in certs]
    return out


def verify_pdf(data: bytes, trust=(), *, file: str | Path | None = None) -> Verification:
    """Verify the signature of a verdict PDF against the certificates in the `trust` files (PEM
    paths). SigningError (naming `file`): the data is not a PDF that can be read, or a trust file is
    unusable; everything else found wrong is in the Verification's problems."""
    with quiet_pyhanko():
        return _verify(data, trust, file)


def _verify(data: bytes, trust, file) -> Verification:
    import io

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    trusted = load_trust(trust)
    if not data.lstrip()[:5] == b"%PDF-":
        raise SigningError("not a PDF file", file=file, hint="give the verdict PDF `compliance report` wrote")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        root = reader.root
        sigs = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise SigningError(f"cannot read the PDF ({exc})", file=file,
                           hint="the file is damaged or not a PDF; ask for the verdict again") from None
    found = dict(pdfa=_pdfa_claim(root), **_embedded(root))
    problems = list(found.pop("problems"))
    if not sigs:
        problems.insert(0, _problem("本文件未经电子签名。", "The file is not signed."))
        return Verification(problems=tuple(problems), **found)
    sig = sigs[-1]
    if len(sigs) > 1:
        problems.append(_problem(f"本文件有 {len(sigs)} 个签名；以下为最后一个。",
                                 f"The file has {len(sigs)} signatures; the last one is shown."))
    checked = _validate(sig, trusted)
    problems = checked.pop("problems") + problems
    return Verification(signed=True, signatures=len(sigs), problems=tuple(problems), **checked, **found)


def _validate(sig, trusted) -> dict:
    """pyHanko's validation of one embedded signature as Verification fields (and problems)."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    said = {key: _text(sig.sig_object.get(f"/{key.title()}")) for key in ("reason", "name", "location")}
    context = ValidationContext(trust_roots=[cert for _, cert in trusted], allow_fetching=False,
                                revocation_mode="soft-fail")
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    try:
        # nothing may follow the signature, so pyHanko's analysis of what an appended update changed is moot
        status = validate_pdf_signature(sig, context, key_usage_settings=usage, skip_diff=True)
    except Exception as exc:  # pyHanko raises many kinds on a damaged signature: each is "not valid"
        return dict(said, problems=[_problem(f"签名无法验证（{type(exc).__name__}）。",
                                             f"The signature cannot be validated ({type(exc).__name__}: {exc}).")])
    problems = []
    intact = bool(status.intact and status.valid)
    if not status.intact:
        problems.append(_problem("签名后文件内容被改动：签名范围内的摘要不符。",
                                 "The file was altered after signing: the digest of the signed bytes does not match."))
    elif not status.valid:
        problems.append(_problem("签名值与签署人的证书不符。", "The signature value does not verify with the signer's key."))
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not whole:
        problems.append(_problem("签名后文件又被追加修改（增量更新）：签名未覆盖整个文件。",
                                 "The file was changed after it was signed (an update was appended): the signature "
                                 "does not cover the whole file."))
    trusted_by = _anchor_file(status, trusted) if status.trusted else None
    if not status.trusted and intact:            # of an altered signature, who signed it is moot
        why = f" ({status.trust_problem_indic.standard_name})" if status.trust_problem_indic is not None else ""
        problems.append(_problem("签署人的证书不能链接到任何受信任的证书" + ("。" if trusted else "（未给出 --trust）。"),
                                 "The signer's certificate does not chain to a trusted certificate"
                                 + (why if trusted else ": no --trust certificate was given") + "."))
    cert = status.signing_cert
    return dict(said, intact=intact, whole_file=whole, trusted=bool(status.trusted), trusted_by=trusted_by,
                signer=cert.subject.human_friendly if cert is not None else None,
                signed_at=status.signer_reported_dt, problems=problems)


def _anchor_file(status, trusted) -> Optional[str]:
    """The trust file holding the certificate the signer's chain ends at."""
    path = status.validation_path
    anchor = getattr(getattr(path, "trust_anchor", None), "authority", None) if path is not None else None
    name = getattr(anchor, "name", None)
    for file, cert in trusted:
        if name is not None and cert.subject == name:
            return file
    return trusted[0][0] if len(trusted) == 1 else None


def _text(value) -> Optional[str]:
    return str(value) if value is not None else None


def _embedded_files(root) -> dict:
    """The document's embedded files by name (file specification dictionaries)."""
    try:
        names = root["/Names"]["/EmbeddedFiles"]["/Names"]
        return {str(names[i]): names[i + 1].get_object() for i in range(0, len(names) - 1, 2)}
    except (KeyError, TypeError, AttributeError):
        return {}


def _embedded(root) -> dict:
    """The embedded verdict.json: its submission, verdict and check (and problems when absent)."""
    import json

    spec = _embedded_files(root).get(EMBEDDED_NAME)
    if spec is None:
        return dict(problems=[_problem("文件未内嵌 verdict.json（JSON 核查结论）。",
                                       "The file does not carry verdict.json (the JSON verdict).")])
    try:
        doc = json.loads(spec["/EF"]["/F"].get_object().data)
        signoffs = doc.get("signoffs") or []
        return dict(embedded=True, submission_id=doc["submission"]["id"], verdict=doc["verdict"],
                    check_id=signoffs[-1].get("check_id") if signoffs else None, problems=[])
    except (KeyError, TypeError, ValueError, AttributeError):
        return dict(problems=[_problem("内嵌的 verdict.json 不是可读的 JSON 核查结论。",
                                       "The embedded verdict.json is not a readable JSON verdict.")])


def embedded_verdict(data: bytes) -> bytes:
    """The bytes of the verdict.json a verdict PDF carries (SigningError when it carries none)."""
    import io

    with quiet_pyhanko():
        from pyhanko.pdf_utils.reader import PdfFileReader

        spec = _embedded_files(PdfFileReader(io.BytesIO(data), strict=False).root).get(EMBEDDED_NAME)
        if spec is None:
            raise SigningError("the PDF carries no verdict.json",
                               hint="a verdict PDF from `compliance report` carries one")
        return spec["/EF"]["/F"].get_object().data


def _pdfa_claim(root) -> Optional[str]:
    """'PDF/A-3B' when the XMP metadata says so (pdfaid:part and pdfaid:conformance); else None."""
    try:
        xmp = root["/Metadata"].get_object().data.decode("utf-8", "replace")
    except (KeyError, AttributeError, TypeError):
        return None
    part = re.search(r'pdfaid:part(?:="|>)\s*(\d)', xmp)
    level = re.search(r'pdfaid:conformance(?:="|>)\s*([ABUabu])', xmp)
    return f"PDF/A-{part.group(1)}{level.group(1).upper() if level else ''}" if part else None
