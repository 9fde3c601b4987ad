"""The analyst workbook's VBA: its macros call metaltrade_xl.macros whatever the file is called,
and the rest of xlwings' VBA project is kept byte for byte.

Excel cannot run here. What stands in for it: the MS-OVBA examples for the compression, two
readers that are not ours (LibreOffice's VBA import; the decompressor checked against the Excel-made
containers of the quickstart), and a byte comparison of every stream with the quickstart's.
"""

import re
import shutil
import subprocess
import sys
import zipfile

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaltrade_xl import macros
from metaltrade_xl.files.template import MACRO_MODULE, MACROS, QUICKSTART, build
from metaltrade_xl.files.vba import (
    Project,
    VbaProjectError,
    compress,
    decompress,
    replace_module,
)
from tests.files.libreoffice import soffice

RUN_PYTHON = re.compile(r'^\s*RunPython\s+"([^"]*)"\s*$', re.MULTILINE)


def vba(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    """The workbook, built, then copied under a name no Python module can have."""
    folder = tmp_path_factory.mktemp("copy")
    built = build(tmp_path_factory.mktemp("made") / "metaltrade.xlsm")
    return shutil.copy(built, folder / "metaltrade (1).xlsm")


# -- the compression, against the specification's examples (MS-OVBA 3.2) and worked by hand ----


def test_the_specifications_compression_examples():
    # 3.2.1 "No Compression Example": only literals, a flag byte per 8 of them
    assert compress(b"abcdefghijklmnopqrstuv.") == bytes.fromhex(
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
    )
    # 3.2.2 "Normal Compression Example"
    normal = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    spec = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
        " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
    )
    assert compress(normal) == spec and decompress(spec) == normal
    # 15 a's by hand: literal 'a', then a copy 1 back of 14 bytes: 4 offset bits at position 1,
    # token (1-1) << 12 | (14-3) = 0x000B; flags 0b10; chunk of 6 bytes -> header 0xB000 | 3
    assert compress(b"a" * 15) == bytes.fromhex("01 03 B0 02 61 0B 00")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000) | st.text("ab \r\n", max_size=9000).map(str.encode))
def test_compress_then_decompress_gives_the_data_back(data):
    # random bytes over 4096 exercise the raw (uncompressible) chunks, text the copy tokens
    assert decompress(compress(data)) == data


@settings(max_examples=25, deadline=None)
@given(st.text("abc x\r\n", min_size=40, max_size=300).map(str.encode), st.integers(0, 40))
def test_a_container_of_an_exact_length_still_decompresses_to_the_data(data, extra):
    shortest = len(compress(data))
    literals = 1 + 2 + len(data) + -(-len(data) // 8)  # all literals: a flag byte per 8
    assert decompress(compress(data, size=literals)) == data
    size = min(shortest + extra, literals)
    try:
        padded = compress(data, size=size)
    except VbaProjectError as exc:  # some lengths no spelling has (flag bytes come in steps)
        assert str(exc) == f"{len(data)} bytes cannot be compressed to exactly {size} bytes"
    else:
        assert len(padded) == size and decompress(padded) == data


def test_too_long_a_source_is_refused_in_one_line():
    with pytest.raises(VbaProjectError, match="compress to .*, more than 10$"):
        compress(b"no room for this text", size=10)


def test_the_decompressor_reads_every_excel_made_container_of_the_quickstart():
    project = Project.read(vba(QUICKSTART))
    assert list(project.modules) == [
        "ThisWorkbook",
        "Sheet1",
        "Module1",
        "Sheet2",
        "xlwings",
        "Dictionary",
    ]
    for name in project.modules:
        assert project.source(name).startswith(f'Attribute VB_Name = "{name}"')
    # xlwings wrote its own module with a tool (LF line ends, no p-code), and Excel runs it
    assert project.modules["xlwings"].offset == 0 and "\r\n" not in project.source("xlwings")
    assert "Function RunPython(" in project.source("xlwings")
    # the old macro: the module named after the workbook
    assert "ThisWorkbook.Name" in project.source(MACRO_MODULE)


# -- the built workbook ---------------------------------------------------------------------------


def test_only_the_macro_source_changed(copied):
    old, new = Project.read(vba(QUICKSTART)), Project.read(vba(copied))
    assert set(new.streams) == set(old.streams)
    changed = {k for k in old.streams if old.streams[k] != new.streams[k]}
    assert changed == {f"VBA/{MACRO_MODULE}"}
    module = new.modules[MACRO_MODULE]
    stream = new.streams[f"VBA/{MACRO_MODULE}"]
    assert len(stream) == len(old.streams[f"VBA/{MACRO_MODULE}"])
    assert stream[: module.offset] == old.streams[f"VBA/{MACRO_MODULE}"][: module.offset]
    for name in old.modules:  # every other module's source is the quickstart's
        if name != MACRO_MODULE:
            assert new.source(name) == old.source(name)
    # the p-code caches are ignored (MS-OVBA 2.3.4.1, 1.6) and there is no SRP cache
    assert new.version == 0xFFFF
    assert not [k for k in new.streams if "__SRP_" in k]
    # the file around the streams is the same: same size, differing only inside that stream
    assert len(vba(copied)) == len(vba(QUICKSTART))


def test_the_macros_name_the_package_never_the_file(copied):
    source = Project.read(vba(copied)).source(MACRO_MODULE)
    assert source == MACROS.replace("\n", "\r\n")
    assert "ThisWorkbook" not in source and ".Name" not in source
    subs = re.findall(r"^Sub (\w+)\(\)", source, re.MULTILINE)
    assert subs == ["SampleCall", "ShareCopy"]
    calls = RUN_PYTHON.findall(source)
    assert calls == [
        "import metaltrade_xl.macros as m; m.main()",
        "import metaltrade_xl.macros as m; m.share_copy_caller()",
    ]
    for call in calls:
        function = call.rsplit("m.", 1)[1].removesuffix("()")
        assert callable(getattr(macros, function))


def test_every_macro_the_readme_sheet_names_is_in_the_project(copied):
    import openpyxl

    project = Project.read(vba(copied))
    procedures = {
        name
        for module in project.modules
        for name in re.findall(
            r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(", project.source(module), re.MULTILINE
        )
    }
    readme = openpyxl.load_workbook(copied)["README"]
    text = "\n".join(str(row[0]) for row in readme.iter_rows(values_only=True) if row[0])
    named = set(re.findall(r"Alt\+F8 > (\w+)", text))
    assert named == {"SampleCall", "ImportPythonUDFs", "ShareCopy"}
    assert named <= procedures


def test_the_macros_commands_run_beside_a_renamed_copy_with_no_other_file(copied):
    """RunPython runs its command with the workbook's folder as the working directory: there is
    only "metaltrade (1).xlsm" there, and each command's import and function resolve."""
    assert [p.name for p in copied.parent.iterdir()] == ["metaltrade (1).xlsm"]
    checks = []
    for call in RUN_PYTHON.findall(Project.read(vba(copied)).source(MACRO_MODULE)):
        imports, invoke = call.split("; ")
        checks.append(f"{imports}; assert callable({invoke.removesuffix('()')})")
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(checks)],
        cwd=copied.parent,
        capture_output=True,
        text=True,
    )
    assert len(checks) == 2 and done.returncode == 0, done.stderr


def test_libreoffice_reads_the_new_macro_from_the_project(copied, tmp_path):
    """An independent reader of MS-CFB, the dir stream and MS-OVBA compression: LibreOffice
    imports the VBA project into Basic, and an .ods keeps each module's text."""
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(copied),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    ods = tmp_path / "metaltrade (1).ods"
    assert done.returncode == 0 and ods.exists(), done.stderr
    with zipfile.ZipFile(ods) as z:
        module1 = z.read("Basic/VBAProject/Module1.xml").decode("utf-8")
        names = {n.rsplit("/", 1)[-1] for n in z.namelist() if n.startswith("Basic/VBAProject/")}
    assert {"xlwings.xml", "Dictionary.xml", "Module1.xml"} <= names
    for line in (
        "Sub SampleCall()",
        "RunPython &quot;import metaltrade_xl.macros as m; m.main()&quot;",
        "Sub ShareCopy()",
        "RunPython &quot;import metaltrade_xl.macros as m; m.share_copy_caller()&quot;",
    ):
        assert line in module1
    assert "ThisWorkbook.Name" not in module1


# -- refusals -------------------------------------------------------------------------------------


def test_a_project_whose_pcode_excel_would_run_is_refused(tmp_path):
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(vba(QUICKSTART))
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        header = ole.openstream("VBA/_VBA_PROJECT").read()
        ole.write_stream("VBA/_VBA_PROJECT", header[:2] + b"\xb2\x00" + header[4:])
    with pytest.raises(VbaProjectError, match="got 0x00B2: its old p-code could run"):
        replace_module(path.read_bytes(), MACRO_MODULE, MACROS)


def test_an_unknown_module_or_too_long_a_macro_is_refused():
    data = vba(QUICKSTART)
    with pytest.raises(VbaProjectError, match="expected a VBA module 'Macros', got ThisWorkbook"):
        replace_module(data, "Macros", MACROS)
    with pytest.raises(VbaProjectError, match="module 'Module1' does not fit .* more than 195$"):
        replace_module(data, MACRO_MODULE, MACROS + "' " + "a long comment, " * 20 + "\n")
