"""Signed, archivable verdicts: the PDF/A-3 verdict (JSON embedded) signed with the office's key.

* `signer.py`: `load_signer(p12, passphrase)` and `sign_pdf(pdf, signer, reason=, location=, name=)`
  (PAdES B-B with pyHanko, an incremental update that keeps the PDF/A-3);
* `selfsigned.py`: `make_self_signed(folder, office_name, days, passphrase)`, a key and certificate
  for trials (`compliance certs self-signed`);
* `verify.py`: `verify_pdf(data, trust)`, what a signed verdict proves (`compliance verify`);
* `archive.py`: `signed_verdict_pdf(verdict, lang, signer)`, what the CLI and the web app call.

Every module imports pyHanko and cryptography inside its functions: the CLI starts without them.
"""

from __future__ import annotations

from ..errors import ComplianceError


class SigningError(ComplianceError):
    """A key, certificate or signed PDF that cannot be used: one message naming the file."""

    kind = "signing error"


class quiet_pyhanko:
    """A context in which importing and running pyHanko prints nothing of its own on stderr: no
    deprecation warning from its imports (cryptography's DSA), no log record with a traceback for a
    certificate it cannot trust (that is a finding, reported as one). Records still reach handlers
    the application configured; only Python's last-resort printing is kept off."""

    def __enter__(self):
        import logging
        import warnings

        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            from cryptography.utils import CryptographyDeprecationWarning

            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        except ImportError:       # pragma: no cover - cryptography always has it
            pass
        self._handlers = [(logging.getLogger(name), logging.NullHandler())
                          for name in ("pyhanko", "pyhanko_certvalidator")]
        for logger, handler in self._handlers:
            logger.addHandler(handler)
        return self

    def __exit__(self, *exc):
        for logger, handler in self._handlers:
            logger.removeHandler(handler)
        self._warnings.__exit__(*exc)
        return False
