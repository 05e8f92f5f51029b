"""Fetch the landscape photos of Debian's endless-sky-data and keep the public-domain ones.

    python scripts/fetch_endless_sky.py data/endless-sky-land [--all]

Downloads the package with `apt-get download` (no root needed for that step;
run `apt-get update` first on a fresh machine), unpacks it with `dpkg-deb -x`,
reads its machine-readable copyright file (DEP-5; a file counts as public
domain only when no stanza matching it gives another licence) and copies the images of
usr/share/games/endless-sky/images/land/ whose licence is public-domain into
the output folder, with a MANIFEST.tsv of file -> licence. `--all` keeps every
image (CC-BY-SA ones included) for local benchmarks that are not redistributed.
Nothing is vendored in the repository; the download is cached in --cache.
"""

from __future__ import annotations

import argparse
import fnmatch
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_package import fetch_package  # noqa: E402

PACKAGE = "endless-sky-data"
LAND = "usr/share/games/endless-sky/images/land"
COPYRIGHT = "usr/share/doc/endless-sky-data/copyright"


def parse_dep5(text: str) -> list[tuple[list[str], str]]:
    """(file patterns, licence short name) of each Files stanza, in file order."""
    stanzas, patterns, licence, in_files = [], [], None, False
    for line in text.splitlines() + [""]:
        if not line.strip():
            if patterns and licence:
                stanzas.append((patterns, licence))
            patterns, licence, in_files = [], None, False
            continue
        if line.startswith("Files:"):
            patterns, in_files = line[len("Files:"):].split(), True
        elif in_files and line[:1] in (" ", "\t") and licence is None and ":" not in line:
            patterns += line.split()
        elif line.startswith("License:"):
            licence, in_files = line[len("License:"):].strip(), False
        elif not line[:1].isspace():
            in_files = False
    return stanzas


def licence_of(path: str, stanzas: list[tuple[list[str], str]]) -> str | None:
    """The file's licence; conservative where the copyright file is ambiguous.

    DEP-5 says the last matching stanza decides.  But in this file the broad
    public-domain list of the land images (e.g. ``images/land/desert1*``) also
    matches attributed photos such as ``desert10-harro.jpg`` (CC-BY-SA-4.0).  So
    among the stanzas written for the file's own folder, any non-public-domain
    one that matches wins; only then does the last match decide.
    """
    folder = path.rsplit("/", 1)[0] + "/"
    matching = [(p, lic) for p, lic in stanzas if any(fnmatch.fnmatchcase(path, pat) for pat in p)]
    local = [lic for p, lic in matching if any(pat.startswith(folder) for pat in p)]
    restrictive = [lic for lic in local if lic != "public-domain"]
    if restrictive:
        return restrictive[-1]
    if local:
        return local[-1]
    return matching[-1][1] if matching else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "artgan" / "debs")
    parser.add_argument("--all", action="store_true", help="keep every licence (not for redistribution)")
    args = parser.parse_args()

    deb = fetch_package(PACKAGE, args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        stanzas = parse_dep5((Path(tmp) / COPYRIGHT).read_text())
        args.out.mkdir(parents=True, exist_ok=True)
        kept, rows = 0, []
        images = sorted((Path(tmp) / LAND).glob("*.jpg"))
        for image in images:
            licence = licence_of(f"images/land/{image.name}", stanzas) or "unknown"
            if licence == "public-domain" or args.all:
                shutil.copyfile(image, args.out / image.name)
                rows.append(f"{image.name}\t{licence}")
                kept += 1
    (args.out / "MANIFEST.tsv").write_text("file\tlicence\n" + "\n".join(rows) + "\n")
    print(f"{kept} of {len(images)} images kept in {args.out} ({'all licences' if args.all else 'public domain only'})")


if __name__ == "__main__":
    main()
