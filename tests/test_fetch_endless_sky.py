"""The licence filter that decides which Debian images may train a redistributed painter."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "fetch_endless_sky", Path(__file__).resolve().parents[1] / "scripts" / "fetch_endless_sky.py"
)
fetch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch)

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
Copyright: The authors
License: GPL-3+

Files: images/*
Copyright: Various
License: CC-BY-SA-4.0

Files: images/land/*
Copyright: Various
License: public-domain
 Taken from a public-domain collection.

Files: images/land/*-harro*
Copyright: Someone
License: CC-BY-SA-4.0

Files:
 images/land/desert1*
 images/land/beach0*
Copyright: Various
License: public-domain
"""


def test_parses_multi_line_file_lists():
    stanzas = fetch.parse_dep5(COPYRIGHT)
    assert stanzas[-1] == (["images/land/desert1*", "images/land/beach0*"], "public-domain")
    assert len(stanzas) == 5


def test_attributed_photos_stay_out_even_when_a_broad_public_domain_list_matches():
    stanzas = fetch.parse_dep5(COPYRIGHT)
    assert fetch.licence_of("images/land/desert1.jpg", stanzas) == "public-domain"
    assert fetch.licence_of("images/land/beach0.jpg", stanzas) == "public-domain"
    assert fetch.licence_of("images/land/desert10-harro.jpg", stanzas) == "CC-BY-SA-4.0"
    assert fetch.licence_of("images/ship/x.png", stanzas) == "CC-BY-SA-4.0"
    assert fetch.licence_of("sounds/a.wav", stanzas) == "GPL-3+"
