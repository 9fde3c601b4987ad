"""Run headless LibreOffice on a workbook: convert to PDF (recalculating) and read the text back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError(
            "LibreOffice is needed by these tests: apt-get install libreoffice-calc poppler-utils "
            "(.ci/run installs it)"
        )
    return exe


def to_pdf(workbook: Path, outdir: Path) -> Path:
    """Convert with a private profile (parallel runs do not share a lock) and return the PDF."""
    profile = outdir / "lo-profile"
    done = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = outdir / (workbook.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise AssertionError(f"LibreOffice failed on {workbook.name}: {done.stderr or done.stdout}")
    return pdf


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def pdf_pages(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line for line in done.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def pdf_page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Width and height (pt) of every page, from ``pdfinfo -f 1 -l N``."""
    n = pdf_pages(pdf)
    done = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], capture_output=True, text=True, check=True
    )
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", done.stdout)
    return [(float(a), float(b)) for a, b in sizes]
