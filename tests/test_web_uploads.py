"""Uploads become a submission folder, or one clear UploadError; nothing escapes the folder and a
refused upload leaves nothing behind. Built from the bundled samples' real files."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from compliance.web.uploads import Upload, UploadError, safe_part, unpack

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "ifc_samples" / "fail-office"
MB = 1 << 20


def zipped(entries: dict, *, gbk_names: bool = False, modes: dict | None = None) -> io.BytesIO:
    """`gbk_names`: as Windows' built-in zip writes Chinese names (GBK bytes, no UTF-8 flag): each
    non-ASCII name is written as an ASCII placeholder of the same length, then patched."""
    buf = io.BytesIO()
    patches = {}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            if gbk_names and not name.isascii():
                raw = name.encode("gbk")
                placeholder = f"P{len(patches)}".ljust(len(raw), "_").encode()
                patches[placeholder] = raw
                name = placeholder.decode()
            info = zipfile.ZipInfo(name)
            if modes and name in modes:
                info.external_attr = modes[name] << 16
            zf.writestr(info, data)
    data = buf.getvalue()
    for placeholder, raw in patches.items():
        data = data.replace(placeholder, raw)
    return io.BytesIO(data)


def sample_entries(prefix: str = "") -> dict:
    return {prefix + p.name: p.read_bytes() for p in SAMPLE.iterdir() if p.is_file()}


def do(tmp_path, uploads, max_bytes=50 * MB, max_files=50) -> Path:
    return unpack(uploads, tmp_path / "job" / "submission", max_bytes=max_bytes, max_files=max_files)


def test_a_zip_of_the_folder(tmp_path):
    folder = do(tmp_path, [Upload("fail-office.zip", zipped(sample_entries()))])
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in SAMPLE.iterdir() if p.is_file())
    assert (folder / "architecture.ifc").read_bytes() == (SAMPLE / "architecture.ifc").read_bytes()


def test_a_zip_with_the_folder_inside_and_mac_litter(tmp_path):
    entries = sample_entries("fail-office/")
    entries["__MACOSX/fail-office/._submission.yaml"] = b"junk"
    entries["fail-office/.DS_Store"] = b"junk"
    entries["fail-office/drawings/plan.pdf"] = b"%PDF-1.4"
    folder = do(tmp_path, [Upload("fo.zip", zipped(entries))])
    assert folder.name == "fail-office"
    assert not (tmp_path / "job" / "submission" / "__MACOSX").exists()
    assert not (folder / "drawings").exists()        # not an input: not unpacked


def test_loose_files(tmp_path):
    ups = [Upload(p.name, io.BytesIO(p.read_bytes())) for p in SAMPLE.iterdir() if p.is_file()]
    folder = do(tmp_path, ups)
    assert (folder / "submission.yaml").is_file() and (folder / "mep.ifc").is_file()


@pytest.mark.parametrize("entry", ["../evil.ifc", "a/../../evil.ifc", "/etc/evil.ifc", "C:/evil.ifc",
                                   "..\\evil.ifc", "sub/..\\..\\evil.ifc"])
def test_zip_slip_is_refused_and_nothing_is_left(tmp_path, entry):
    entries = sample_entries()
    entries[entry] = b"ISO-10303-21;"
    with pytest.raises(UploadError) as err:
        do(tmp_path, [Upload("slip.zip", zipped(entries))])
    assert "outside the submission folder" in err.value.message
    assert not (tmp_path / "job").exists() or not any((tmp_path / "job").rglob("*"))
    assert not (tmp_path / "evil.ifc").exists() and not (tmp_path.parent / "evil.ifc").exists()


def test_a_link_in_the_zip_is_refused(tmp_path):
    entries = sample_entries()
    entries["model.ifc"] = b"/etc/passwd"
    with pytest.raises(UploadError, match="is a link"):
        do(tmp_path, [Upload("link.zip", zipped(entries, modes={"model.ifc": stat.S_IFLNK | 0o777}))])


def test_chinese_names_from_windows_zips_are_read_as_gbk(tmp_path):
    entries = sample_entries()
    entries["建筑模型.ifc"] = entries.pop("architecture.ifc")
    folder = do(tmp_path, [Upload("中文.zip", zipped(entries, gbk_names=True))])
    assert (folder / "建筑模型.ifc").is_file()


def test_a_bomb_stops_at_the_byte_budget(tmp_path):
    entries = sample_entries()
    entries["huge.ifc"] = b"\0" * (30 * MB)              # compresses to ~30 kB
    with pytest.raises(UploadError, match="more than 5 MB"):
        do(tmp_path, [Upload("bomb.zip", zipped(entries))], max_bytes=5 * MB)
    assert not (tmp_path / "job").exists()


def test_too_many_files(tmp_path):
    entries = sample_entries()
    entries.update({f"m{i}.ifc": b"x" for i in range(20)})
    with pytest.raises(UploadError, match="more than 10 files"):
        do(tmp_path, [Upload("many.zip", zipped(entries))], max_files=10)


def test_not_a_zip(tmp_path):
    with pytest.raises(UploadError, match="not a zip archive"):
        do(tmp_path, [Upload("model.zip", io.BytesIO(b"this is plain text, not a zip"))])


def test_a_truncated_zip(tmp_path):
    data = zipped(sample_entries()).getvalue()
    with pytest.raises(UploadError, match="zip"):
        do(tmp_path, [Upload("cut.zip", io.BytesIO(data[: len(data) // 2]))])


@pytest.mark.parametrize("name", ["../submission.yaml", ".hidden.ifc", "a\x1b[31m.ifc", "x\u202egpj.ifc",
                                  "con:.ifc", "a" * 130 + ".ifc"])
def test_loose_names_that_cannot_be_file_names(tmp_path, name):
    ups = [Upload(p.name, io.BytesIO(p.read_bytes())) for p in SAMPLE.iterdir() if p.is_file()]
    ups.append(Upload(name, io.BytesIO(b"ISO-10303-21;")))
    if name == "../submission.yaml":          # a path: the browser's base name is taken, which is a repeat
        with pytest.raises(UploadError, match="uploaded twice"):
            do(tmp_path, ups)
        return
    with pytest.raises(UploadError, match="cannot be used as a file name"):
        do(tmp_path, ups)


def test_other_kinds_of_file_and_missing_metadata(tmp_path):
    with pytest.raises(UploadError, match="only submission.yaml and .ifc"):
        do(tmp_path, [Upload("notes.docx", io.BytesIO(b"x"))])
    with pytest.raises(UploadError, match="no submission.yaml"):
        do(tmp_path / "2", [Upload("architecture.ifc", io.BytesIO((SAMPLE / "architecture.ifc").read_bytes()))])


def test_two_submissions_in_one_zip(tmp_path):
    entries = sample_entries("a/") | sample_entries("b/")
    with pytest.raises(UploadError, match="2 submissions in one upload"):
        do(tmp_path, [Upload("two.zip", zipped(entries))])


def test_safe_part():
    assert safe_part("建筑 模型-1_a.ifc")
    for bad in ("", ".", "..", ".x", "a/b", "a\\b", "a\0b", "trailing.", "trailing ", "a\u2066b"):
        assert not safe_part(bad), bad
