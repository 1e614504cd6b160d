"""`compliance certs self-signed` (a signing key for trials) and `compliance verify verdict.pdf`
(what a signed verdict proves); `signing_option` gives `compliance report` its --signing-p12."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .common import debug_option, fail, guarded, piped

PASSPHRASE_ENV = "COMPLIANCE_SIGNING_PASSPHRASE"
P12_ENV = "COMPLIANCE_SIGNING_P12"
EXIT_VALID, EXIT_NOT_VALID = 0, 1


def _safe(text) -> str:
    from compliance.report.labels import visible_controls

    return visible_controls(str(text)) if text is not None else "—"


def _passphrase(from_stdin: bool) -> str:
    """The key's passphrase: the first line of standard input with --passphrase-stdin, else
    $COMPLIANCE_SIGNING_PASSPHRASE; exit 2 with a hint when neither gives one."""
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            fail("--passphrase-stdin: standard input gave no passphrase", "pipe one line: the passphrase")
        return secret
    secret = os.environ.get(PASSPHRASE_ENV, "")
    if not secret:
        fail("no passphrase for the signing key", f"set {PASSPHRASE_ENV}, or pass --passphrase-stdin and type it")
    return secret


@click.group()
def certs() -> None:
    """Signing keys and certificates for signed verdicts."""


@certs.command("self-signed")
@click.option("--office", required=True, metavar="NAME", help="The office the certificate names (CN and O).")
@click.option("-o", "--output", "folder", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write office-signing.p12 and office-signing-cert.pem into (never overwritten).")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="How long the certificate is valid.")
@click.option("--passphrase-stdin", is_flag=True,
              help=f"Read the new key's passphrase from standard input (else ${PASSPHRASE_ENV}).")
@debug_option
def self_signed(office: str, folder: Path, days: int, passphrase_stdin: bool, debug: bool) -> None:
    """Make a self-signed signing key and certificate for trials (RSA 3072, key usage digitalSignature
    and nonRepudiation). Real verdicts are signed with the key the office's certificate authority issued.

    \b
    Example:
      export COMPLIANCE_SIGNING_PASSPHRASE='...'
      compliance certs self-signed --office "杨浦区建设和管理委员会" -o keys/
    """
    secret = _passphrase(passphrase_stdin)

    def run():
        from compliance.sign.selfsigned import make_self_signed
        from compliance.sign.signer import load_signer

        p12, pem = make_self_signed(folder, office, days, secret)
        signer = load_signer(p12, secret)
        click.echo(f"signing key and certificate (PKCS#12, keep it secret): {p12}")
        click.echo(f"certificate to give verifiers (compliance verify --trust): {pem}")
        click.echo(f"  {_safe(signer.subject)}; valid until {signer.not_after:%Y-%m-%d}")
        click.echo(f"sign verdicts with it: {P12_ENV}={p12} compliance report CHECK_ID -o verdict.pdf")
        return 0

    sys.exit(guarded(debug, run))


@click.command("verify")
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False), metavar="VERDICT.pdf")
@click.option("--trust", "trust", multiple=True, type=click.Path(path_type=Path, dir_okay=False), metavar="CERT.pem",
              help="A certificate the signature must chain to (the office's; repeat for several).")
@debug_option
def verify(pdf: Path, trust: tuple[Path, ...], debug: bool) -> None:
    """What a signed verdict PDF proves: signed, unchanged since, covering the whole file, by a
    trusted signer, carrying its JSON verdict.

    Exit status: 0 valid and trusted; 1 not signed, altered, or not trusted; 2 cannot read the file.

    \b
    Example:
      compliance verify YP-2025-0012.pdf --trust keys/office-signing-cert.pem
    """

    def run():
        from compliance.sign.verify import verify_pdf

        try:
            data = pdf.read_bytes()
        except OSError as exc:
            fail(f"{pdf}: cannot read the file ({exc.strerror or exc})", "give the path of the verdict PDF")
        result = verify_pdf(data, [str(p) for p in trust], file=pdf)
        for line in describe(result, pdf):
            click.echo(line)
        return EXIT_VALID if result.valid else EXIT_NOT_VALID

    sys.exit(guarded(debug, piped(run)))


def _yes(flag: bool) -> str:
    return "是 yes" if flag else "否 NO"


def describe(result, pdf) -> list[str]:
    """The verification in plain words, a line per fact (Chinese, English beside), then the problems."""
    from compliance.report.labels import utc

    lines = [f"{_safe(pdf)}"]
    if result.signed:
        signed_at = f"{utc(result.signed_at)}（签署人时钟 the signer's own clock）" if result.signed_at else "—"
        trusted = _yes(result.trusted) + (f" — {_safe(result.trusted_by)}" if result.trusted_by else "")
        lines += [
            f"  签名 Signed:            是 yes ({result.signatures})",
            f"  完整 Intact:            {_yes(result.intact)} — 签名范围内的摘要 the digest of the signed bytes",
            f"  覆盖全文 Whole file:    {_yes(result.whole_file)} — 签名后无改动 nothing changed after signing",
            f"  签署人 Signer:          {_safe(result.signer)}",
            f"  签署时间 Signed at:     {signed_at}",
            f"  签署事由 Reason:        {_safe(result.reason)} · {_safe(result.name)}",
            f"  可信 Trusted:           {trusted}",
        ]
    else:
        lines.append("  签名 Signed:            否 NO")
    embedded = (f"{_safe(result.submission_id)} · {_safe(result.verdict)}"
                + (f" · check {result.check_id}" if result.check_id is not None else "")) if result.embedded else "否 NO"
    pdfa = f"{_safe(result.pdfa)}（文件声明 as the file claims）" if result.pdfa else "否 none"
    lines += [f"  内嵌结论 verdict.json:  {embedded}", f"  PDF/A:                  {pdfa}"]
    if result.problems:
        lines.append("问题 Problems:")
        for problem in result.problems:
            lines += [f"  - {problem.zh}", f"    {problem.en}"]
    lines.append("结论 Result: " + ("有效且可信 VALID: signed by a trusted signer, unchanged since" if result.valid
                                   else "无效或不可信 NOT VALID"))
    return lines


def signing_option(f):
    """--signing-p12 PATH (default $COMPLIANCE_SIGNING_P12): the office's key for signed-off PDFs."""
    return click.option("--signing-p12", type=click.Path(path_type=Path, dir_okay=False), envvar=P12_ENV,
                        default=None, metavar="PATH",
                        help=f"Sign a signed-off check's PDF with this PKCS#12 key (default ${P12_ENV}; "
                             f"passphrase from ${PASSPHRASE_ENV}).")(f)


def load_office_signer(p12: Path):
    """The signer in `p12`, its passphrase from the environment (the signer module's SigningError when
    it cannot be opened: guarded() makes it one message)."""
    from compliance.sign import SigningError
    from compliance.sign.signer import load_signer

    secret = os.environ.get(PASSPHRASE_ENV) or None
    try:
        return load_signer(p12, secret)
    except SigningError as exc:
        if secret is None and "passphrase" in exc.message:
            raise SigningError(f"the signing key needs its passphrase, and {PASSPHRASE_ENV} is not set", file=p12,
                               hint=f"export {PASSPHRASE_ENV}=... (the passphrase the .p12 was made with)") from None
        raise
