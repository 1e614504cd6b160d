"""The bundled samples are exactly what the checked-in generator writes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from conftest import SAMPLES


def digests(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.parent != folder}


def test_generator_reproduces_the_bundled_samples(tmp_path):
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    generated = digests(tmp_path)
    assert generated, "the generator wrote nothing"
    assert generated == digests(SAMPLES)
