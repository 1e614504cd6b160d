"""The archivable verdict: the PDF/A-3 (JSON verdict embedded), signed by the office when a reviewer
has signed it off. What `compliance report CHECK_ID -o x.pdf --signing-p12 ...` and the web app call."""

from __future__ import annotations

from typing import Optional

from .signer import OfficeSigner


def signing_reason(verdict) -> str:
    """The signature's /Reason: the latest sign-off's review opinion, e.g. '审查意见 同意 approved'."""
    from ..report.labels import DECISION, REVIEW_OPINION

    decision = verdict.signoffs[-1].decision
    zh, en = DECISION.get(decision, (decision, decision))[:2]
    return f"{REVIEW_OPINION[0]} {zh} {en}"


def signer_name(signoff) -> str:
    """The signature's /Name: the reviewer as the sign-off names them, with title and account."""
    title = f" {signoff.reviewer_title}" if signoff.reviewer_title else ""
    account = f" ({signoff.reviewer_account})" if signoff.reviewer_account else ""
    return f"{signoff.reviewer}{title}{account}"


def signed_verdict_pdf(verdict, lang: str = "both", signer: Optional[OfficeSigner] = None) -> bytes:
    """The verdict as PDF/A-3b with verdict.json embedded; signed (PAdES B-B, invisible field) when
    a signer is given and the verdict has a sign-off. Without a sign-off it stays unsigned and every
    page says it is a draft; without a signer it is the same PDF/A-3, unsigned."""
    from ..report.pdf import render
    from .signer import sign_pdf

    pdf = render(verdict, lang)
    if signer is None or not verdict.signoffs:
        return pdf
    return sign_pdf(pdf, signer, reason=signing_reason(verdict), location=signer.location or signer.office,
                    name=signer_name(verdict.signoffs[-1]))
