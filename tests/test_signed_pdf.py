"""Signed, archivable verdicts: the PDF/A-3 with its JSON verdict embedded, the draft mark of a
verdict no reviewer signed off, the office's PAdES signature (pyHanko) and what `compliance verify`
makes of a signed, an altered, an appended-to and an untrusted PDF.

Every verdict here is a real check of a bundled sample, stored in a registry and signed off under a
reviewer's account as the web app does; the keys are made by `compliance certs self-signed`."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES
from test_signoff import _at, _outcome

CLI = [sys.executable, "-c", "import cli; cli.main()"]
PASSPHRASE = "试用 trial passphrase"
OFFICE = "杨浦区建设和管理委员会"
DRAFT = "草稿·未经审查签署DRAFT—notsignedoff"          # labels.DRAFT_MARK without spaces


def _cli(*args: str, env: dict | None = None, stdin: str | None = None, cwd: Path = ROOT):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLIANCE_SIGNING_")}
    environment.update(PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run(CLI + list(args), cwd=cwd, capture_output=True, text=True, env=environment,
                          input=stdin, timeout=300)


def _flat(text: str) -> str:
    return "".join(text.split())


def _pages(data: bytes, tmp_path: Path, name: str = "v.pdf") -> list[str]:
    """pdftotext's text of each page (it ends every page with a form feed)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext not found: install poppler-utils (scripts/bootstrap.sh does)")
    path = tmp_path / name
    path.write_bytes(data)
    text = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def _reader(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False)


def _embedded_files(root) -> dict:
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    return {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A registry with pass-school signed off (approved) by the reviewer account `wang` (title
    审查员) and fail-office not signed off; a key and certificate made by the command."""
    from compliance.office.accounts import add_user, user_named
    from compliance.registry.store import Registry

    base = tmp_path_factory.mktemp("signed")
    registry = Registry(base / "registry.sqlite")
    school, _ = registry.record(_outcome(SAMPLES / "pass-school", _at("2025-02-01")))
    unsigned, _ = registry.record(_outcome(SAMPLES / "fail-office", _at("2025-02-02")))
    add_user(registry, "wang", "王审查", "reviewer", "correct horse battery", None, "审查员")
    registry.sign_off(school, "王审查", "approved", "同意核查结论", signer=user_named(registry, "wang"))
    made = _cli("certs", "self-signed", "--office", OFFICE, "-o", str(base / "keys"), "--days", "30",
                env={"COMPLIANCE_SIGNING_PASSPHRASE": PASSPHRASE})
    assert made.returncode == 0, made.stderr
    p12, pem = base / "keys" / "office-signing.p12", base / "keys" / "office-signing-cert.pem"
    assert str(p12) in made.stdout and str(pem) in made.stdout
    env = {"COMPLIANCE_SIGNING_PASSPHRASE": PASSPHRASE}
    signed = _cli("report", str(school), "-o", str(base / "school.pdf"), "--db", str(base / "registry.sqlite"),
                  "--signing-p12", str(p12), env=env)
    assert signed.returncode == 0, signed.stderr
    assert "signed with the office key" in signed.stderr
    draft = _cli("report", str(unsigned), "-o", str(base / "office.pdf"), "--db", str(base / "registry.sqlite"),
                 env={**env, "COMPLIANCE_SIGNING_P12": str(p12)})
    assert draft.returncode == 0 and "draft, not signed" in draft.stderr, draft.stderr
    return dict(base=base, registry=registry, school=school, unsigned=unsigned, p12=p12, pem=pem,
                signed_pdf=(base / "school.pdf").read_bytes(), draft_pdf=(base / "office.pdf").read_bytes())


def _verify(data: bytes, tmp_path: Path, *trust: Path, name: str = "v.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return _cli("verify", str(path), *[a for p in trust for a in ("--trust", str(p))])


# -- PDF/A-3 with the JSON verdict ------------------------------------------------------------------

def test_the_pdf_is_pdfa3b_and_carries_the_json_verdict(office):
    from compliance.report.json_report import render as render_json

    verdict = office["registry"].verdict(office["unsigned"])
    data = office["draft_pdf"]
    root = _reader(data).root
    xmp = root["/Metadata"].get_object().data.decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert [str(i["/S"]) for i in root["/OutputIntents"]] == ["/GTS_PDFA1"]
    assert data.startswith(b"%PDF-1.7")
    files = _embedded_files(root)
    assert list(files) == ["verdict.json"]
    spec = files["verdict.json"]
    assert str(spec["/AFRelationship"]) == "/Data" and str(spec["/UF"]) == "verdict.json"
    assert [ref.get_object() for ref in root["/AF"]] == [spec]           # listed once as an associated file
    stream = spec["/EF"]["/F"].get_object()
    assert str(stream["/Subtype"]) == "/application/json"
    assert stream.data == render_json(verdict)                           # the same bytes as --format json
    assert json.loads(stream.data)["verdict"] == "non_compliant"


def test_check_writes_the_same_pdfa(tmp_path):
    """`compliance check -o x.pdf` (no registry, no sign-off) writes the PDF/A-3 draft too."""
    out = tmp_path / "x.pdf"
    proc = _cli("check", str(SAMPLES / "pass-school"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    root = _reader(out.read_bytes()).root
    assert 'pdfaid:part="3"' in root["/Metadata"].get_object().data.decode()
    assert json.loads(_embedded_files(root)["verdict.json"]["/EF"]["/F"].get_object().data)["verdict"] == "compliant"


# -- the draft mark and the office's words ------------------------------------------------------------

def test_an_unsigned_verdict_says_draft_on_every_page_in_both_languages(office, tmp_path):
    from compliance.report import render

    pages = _pages(office["draft_pdf"], tmp_path)
    assert len(pages) > 3
    assert all(DRAFT in _flat(page) for page in pages), [i for i, p in enumerate(pages, 1) if DRAFT not in _flat(p)]
    english = _pages(render("pdf", office["registry"].verdict(office["unsigned"]), "en"), tmp_path, "en.pdf")
    assert all(DRAFT in _flat(page) for page in english)                # both languages, whatever the report's


def test_a_signed_off_verdict_is_not_a_draft_and_says_the_review_opinion(office, tmp_path):
    from compliance.report import render

    pages = _pages(office["signed_pdf"], tmp_path)
    text = _flat("".join(pages))
    assert DRAFT not in text and "草稿" not in text
    cover = _flat(pages[0])
    assert "审查意见Reviewopinion:同意approved王审查（审查员）" in cover and "合规COMPLIANT" in cover
    assert "通过approved" not in text and "不予通过" not in text
    block = text[text.rindex("审查签署Reviewersign-off"):]
    assert "王审查审查员(wang)" in block and "审查人同意本核查结论" in block
    summary = render("text", office["registry"].verdict(office["school"]), "both").decode()
    assert "审查意见 Review opinion: 同意 approved · 王审查（审查员） ·" in summary
    zh = render("text", office["registry"].verdict(office["school"]), "zh").decode()
    assert "审查意见：同意 · 王审查（审查员）" in zh and "approved" not in zh


# -- signing and verifying ------------------------------------------------------------------------------

def test_the_signed_pdf_verifies_against_the_office_certificate(office, tmp_path):
    data = office["signed_pdf"]
    proc = _verify(data, tmp_path, office["pem"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for needle in ("VALID", "完整 Intact:            是 yes", "覆盖全文 Whole file:    是 yes", OFFICE,
                   "审查意见 同意 approved · 王审查 审查员 (wang)", "YP-2025-0012 · compliant · check "
                   f"{office['school']}", "PDF/A-3B", str(office["pem"])):
        assert needle in out, needle
    assert "Problems" not in out and proc.stderr == ""


def test_the_signature_is_pades_over_an_untouched_pdfa(office):
    """The signature is an incremental update: the PDF/A-3 bytes before it are unchanged, the PDF/A
    claim is kept, the version stays 1.7, the field is invisible and printable (as PDF/A asks)."""
    from compliance.sign.verify import verify_pdf

    data = office["signed_pdf"]
    reader = _reader(data)
    [sig] = reader.embedded_signatures
    assert str(sig.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
    start, _, after, length = (int(n) for n in sig.sig_object["/ByteRange"])
    assert start == 0 and after + length == len(data)           # all but the signature's own /Contents
    assert data.count(b"%%EOF") == 2                       # WeasyPrint's revision, then the signature's
    root = reader.root
    assert "/Version" not in root or str(root["/Version"]) == "/1.7"
    assert 'pdfaid:part="3"' in root["/Metadata"].get_object().data.decode()
    widget = sig.sig_field
    assert [float(x) for x in widget["/Rect"]] == [0, 0, 0, 0] and int(widget["/F"]) & 0b110 == 0b100
    result = verify_pdf(data, [office["pem"]])
    assert result.valid and result.signer and OFFICE in result.signer and result.pdfa == "PDF/A-3B"
    assert result.signed_at is not None and result.name == "王审查 审查员 (wang)"


def test_poppler_agrees_the_signature_is_valid(office, tmp_path):
    """An independent reader of the signature (poppler's pdfsig, NSS), beside pyHanko."""
    tool = shutil.which("pdfsig")
    if tool is None:
        pytest.fail("pdfsig not found: install poppler-utils (scripts/bootstrap.sh does)")
    path = tmp_path / "signed.pdf"
    path.write_bytes(office["signed_pdf"])
    out = subprocess.run([tool, str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in out and "Total document signed" in out and "ETSI.CAdES.detached" in out


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_one_byte_changed_inside_the_signed_range_is_not_valid(office, tmp_path):
    data = office["signed_pdf"]
    contents = data.index(b"/Contents <")                    # the signature itself: outside the signed range
    in_stream = data.index(b"stream", len(data) // 3) + 40  # inside a content or font stream of the document
    assert in_stream < contents
    for at in (10, in_stream):                               # the header's binary comment; a stream's bytes
        proc = _verify(_flip(data, at), tmp_path, office["pem"], name=f"flipped-{at}.pdf")
        assert proc.returncode == 1, (at, proc.stdout, proc.stderr)
        assert "the digest of the signed bytes does not match" in proc.stdout and "NOT VALID" in proc.stdout
        assert "does not chain" not in proc.stdout              # the alteration is the finding, not the signer
        assert "Traceback" not in proc.stdout + proc.stderr


def test_an_update_appended_after_signing_is_not_valid(office, tmp_path):
    """Someone appends an incremental update that swaps the embedded verdict.json: the signed
    revision is intact, but the signature no longer covers the file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from compliance.sign.verify import embedded_verdict, verify_pdf

    data = office["signed_pdf"]
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    spec = _embedded_files(writer.root)["verdict.json"]
    forged = json.loads(embedded_verdict(data))
    forged["submission"]["name"] = "另一个项目"
    stream = generic.StreamObject({generic.pdf_name("/Type"): generic.pdf_name("/EmbeddedFile")},
                                  stream_data=json.dumps(forged).encode())
    spec["/EF"][generic.pdf_name("/F")] = writer.add_object(stream)
    writer.update_container(spec)
    out = io.BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert appended.startswith(data) and json.loads(embedded_verdict(appended))["submission"]["name"] == "另一个项目"
    result = verify_pdf(appended, [office["pem"]])
    assert result.intact and result.trusted and not result.whole_file and not result.valid
    proc = _verify(appended, tmp_path, office["pem"])
    assert proc.returncode == 1 and "does not cover the whole file" in proc.stdout, proc.stdout


def test_a_certificate_not_trusted_is_not_valid(office, tmp_path):
    from compliance.sign.selfsigned import make_self_signed

    _, other = make_self_signed(tmp_path / "other", "另一机构", 30, "another passphrase")
    proc = _verify(office["signed_pdf"], tmp_path, other)
    assert proc.returncode == 1 and "does not chain to a trusted certificate" in proc.stdout, proc.stdout
    assert "可信 Trusted:           否 NO" in proc.stdout
    alone = _verify(office["signed_pdf"], tmp_path, name="no-trust.pdf")
    assert alone.returncode == 1 and "no --trust certificate was given" in alone.stdout


def test_an_unsigned_pdf_is_not_valid_and_a_non_pdf_cannot_be_read(office, tmp_path):
    proc = _verify(office["draft_pdf"], tmp_path, office["pem"])
    assert proc.returncode == 1 and "The file is not signed." in proc.stdout and "YP-2024-0457" in proc.stdout
    bad = _cli("verify", str(office["pem"]))
    assert bad.returncode == 2 and "not a PDF file" in bad.stderr and "Traceback" not in bad.stderr
    truncated = _verify(office["signed_pdf"][:2000], tmp_path, office["pem"], name="cut.pdf")
    assert truncated.returncode == 2 and "cannot read the PDF" in truncated.stderr
    assert "Traceback" not in truncated.stderr
    missing = _cli("verify", str(tmp_path / "absent.pdf"))
    assert missing.returncode == 2 and "absent.pdf" in missing.stderr


# -- keys: one clear message each ----------------------------------------------------------------------

def _one_error(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
    assert all(line.startswith("  hint: ") for line in lines[1:]), proc.stderr
    return lines[0]


def test_a_wrong_passphrase_is_one_clear_message(office, tmp_path):
    db = str(office["base"] / "registry.sqlite")
    proc = _cli("report", str(office["school"]), "-o", str(tmp_path / "x.pdf"), "--db", db,
                "--signing-p12", str(office["p12"]), env={"COMPLIANCE_SIGNING_PASSPHRASE": "not it"})
    line = _one_error(proc)
    assert str(office["p12"]) in line and "wrong passphrase" in line and not (tmp_path / "x.pdf").exists()
    unset = _cli("report", str(office["school"]), "-o", str(tmp_path / "x.pdf"), "--db", db,
                 "--signing-p12", str(office["p12"]))
    assert "COMPLIANCE_SIGNING_PASSPHRASE is not set" in _one_error(unset) and not (tmp_path / "x.pdf").exists()


def test_key_files_that_cannot_sign_are_refused_by_name(office, tmp_path):
    from datetime import datetime, timedelta, timezone

    from compliance.sign import SigningError
    from compliance.sign.signer import load_signer

    cases = [(tmp_path / "absent.p12", PASSPHRASE, "does not exist"),
             (office["pem"], PASSPHRASE, "not a PKCS#12 key file")]
    for path, secret, expected in cases:
        with pytest.raises(SigningError) as caught:
            load_signer(path, secret)
        assert expected in caught.value.message and caught.value.file == str(path) and caught.value.hint
    later = datetime.now(timezone.utc) + timedelta(days=31)       # the key was made for 30 days
    with pytest.raises(SigningError) as caught:
        load_signer(office["p12"], PASSPHRASE, now=later)
    assert "expired on" in caught.value.message and OFFICE in caught.value.message
    signer = load_signer(office["p12"], PASSPHRASE)
    assert signer.office == OFFICE and signer.signer.signing_cert.public_key.algorithm == "rsa"
    usage = set(signer.signer.signing_cert.key_usage_value.native)
    assert usage == {"digital_signature", "non_repudiation"}


def test_self_signed_never_overwrites_a_key_and_reads_the_passphrase_from_stdin(office, tmp_path):
    proc = _cli("certs", "self-signed", "--office", OFFICE, "-o", str(office["p12"].parent),
                env={"COMPLIANCE_SIGNING_PASSPHRASE": PASSPHRASE})
    assert "already exists" in _one_error(proc)
    none = _cli("certs", "self-signed", "--office", OFFICE, "-o", str(tmp_path / "k"))
    assert "no passphrase" in _one_error(none) and not (tmp_path / "k").exists()
    piped = _cli("certs", "self-signed", "--office", OFFICE, "-o", str(tmp_path / "k2"), "--passphrase-stdin",
                 stdin="from stdin\n")
    assert piped.returncode == 0, piped.stderr
    from compliance.sign.signer import load_signer

    assert load_signer(tmp_path / "k2" / "office-signing.p12", "from stdin").office == OFFICE
    assert oct((tmp_path / "k2" / "office-signing.p12").stat().st_mode & 0o777) == "0o600"


def test_signed_verdict_pdf_signs_only_a_signed_off_verdict(office):
    from compliance.sign.archive import signed_verdict_pdf
    from compliance.sign.signer import load_signer
    from compliance.sign.verify import verify_pdf

    signer = load_signer(office["p12"], PASSPHRASE)
    unsigned = signed_verdict_pdf(office["registry"].verdict(office["unsigned"]), "zh", signer)
    result = verify_pdf(unsigned, [office["pem"]])
    assert not result.signed and result.embedded and result.verdict == "non_compliant" and not result.valid
    signed = signed_verdict_pdf(office["registry"].verdict(office["school"]), "en", signer)
    result = verify_pdf(signed, [office["pem"]])
    assert result.valid and result.reason == "审查意见 同意 approved" and result.check_id == office["school"]
