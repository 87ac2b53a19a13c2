#!/usr/bin/env python3
"""Generate data/world2024.lode, the data set embedded in lode.

    python3 data/gen/world2024.py            # writes data/world2024.lode
    python3 data/gen/world2024.py --check    # exits 1 if the file is stale
    python3 data/gen/world2024.py -o -       # prints to standard output

Inputs (the output is a pure function of them, byte for byte):
  * ISO 3166-1 from Debian's `iso-codes` package
    (/usr/share/iso-codes/json/iso_3166-1.json; `apt-get install iso-codes`):
    every alpha-2 code and its English short name (`common_name` where the
    package gives one, e.g. "South Korea", else `name`).
  * data/gen/imf_weo_oct2025_ngdpd_2024_extract.json: IMF World Economic
    Outlook, October 2025, NGDPD 2024 (a copy of the extract in the project's
    research notes), matched to countries by ISO alpha-3.
  * data/gen/groups.lode and data/gen/minerals.lode: hand-curated sections,
    copied verbatim.

Aliases: every country whose short name is plain ASCII gets it in lower case
with `_` for spaces (`south_korea`), plus the curated ALIASES below, which win
over derived ones (`congo` is the DR Congo, as in the news). The script
refuses to write a file with a duplicate name, a keyword used as an alias, a
group named like an ISO code, or a code in the curated sections that is not
declared.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ISO_JSON = Path("/usr/share/iso-codes/json/iso_3166-1.json")
IMF_JSON = HERE / "imf_weo_oct2025_ngdpd_2024_extract.json"
SECTIONS = [HERE / "groups.lode", HERE / "minerals.lode"]
OUT = HERE.parent / "world2024.lode"

# Lower-case keywords of the language (SPEC sections 1-2); no alias may be one.
KEYWORDS = set(
    """use actor alias gdp group mineral stages volume demand sources source
    coalition covers of let restricts bans to all except by disrupt adds
    stockpile rerouting allocation sticky market coalition_first scenario
    extends report for on compare expect from until lifts restrictions days
    months years t kt mt""".split()
)

# Curated aliases for the countries the news names in other ways.
ALIASES = {
    "AE": ["uae"],
    "BN": ["brunei"],
    "BO": ["bolivia"],
    "CD": ["congo", "drc", "dr_congo"],
    "CG": ["congo_brazzaville", "republic_of_the_congo"],
    "CI": ["ivory_coast", "cote_divoire"],
    "CV": ["cape_verde"],
    "CW": ["curacao"],
    "CN": ["china", "prc"],
    "CZ": ["czech_republic"],
    "GB": ["uk", "britain", "great_britain"],
    "IR": ["iran"],
    "KP": ["north_korea", "dprk"],
    "KR": ["korea", "south_korea", "republic_of_korea"],
    "LA": ["laos"],
    "MM": ["myanmar", "burma"],
    "NL": ["holland"],
    "PS": ["palestine"],
    "RE": ["reunion"],
    "RU": ["russia"],
    "TL": ["east_timor"],
    "TR": ["turkey", "turkiye"],
    "TW": ["taiwan"],
    "US": ["usa", "united_states", "america"],
    "VA": ["vatican"],
    "VN": ["vietnam", "viet_nam"],
}

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
CODE_RE = re.compile(r"\b[A-Z][A-Z0-9_]*\b")


def lode_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def iso_version():
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", "iso-codes"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        return out or "unknown"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def countries(iso_path):
    entries = json.loads(Path(iso_path).read_text(encoding="utf-8"))["3166-1"]
    return sorted(
        (e["alpha_2"], e["alpha_3"], e.get("common_name", e["name"])) for e in entries
    )


def derived_alias(name):
    if not name.isascii():
        return None
    a = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return a if NAME_RE.match(a) else None


def build(iso_path, imf_path):
    errors = []
    rows = countries(iso_path)
    codes = {c for c, _, _ in rows}
    imf = json.loads(Path(imf_path).read_text(encoding="utf-8"))
    by_a3 = {k: v for k, v in imf.items() if not re.match(r"^G\d+$", k)}
    unmatched = sorted(set(by_a3) - {a3 for _, a3, _ in rows})
    if unmatched:
        errors.append(f"IMF rows with no ISO country: {unmatched}")

    names = {}  # every name in the shared namespace -> what declared it

    def claim(name, owner):
        if name in names:
            errors.append(f"{name!r} declared twice ({names[name]}, {owner})")
        names[name] = owner

    for c in codes:
        claim(c, f"actor {c}")
    claim("ROW", "built-in")

    aliases = {}
    for code, aa in ALIASES.items():
        if code not in codes:
            errors.append(f"curated alias for unknown code {code}")
        for a in aa:
            aliases.setdefault(code, []).append(a)
    curated = {a for aa in ALIASES.values() for a in aa}
    for code, _, name in rows:
        a = derived_alias(name)
        if a and a not in curated and a not in aliases.get(code, []):
            aliases.setdefault(code, []).insert(0, a)
    for code, aa in sorted(aliases.items()):
        for a in aa:
            if not NAME_RE.match(a):
                errors.append(f"alias {a!r} is not a lower-case name")
            if a in KEYWORDS:
                errors.append(f"alias {a!r} is a keyword")
            claim(a, f"alias of {code}")

    lines = []
    w = lines.append
    w("# world2024 - the data set embedded in lode (`use world2024`).")
    w("#")
    w("# GENERATED FILE - do not edit by hand. Edit data/gen/groups.lode,")
    w("# data/gen/minerals.lode or data/gen/world2024.py, then run")
    w("#     python3 data/gen/world2024.py")
    w("# from the repository root. Generated deterministically from:")
    w(f"#   - ISO 3166-1 codes and English short names: Debian package iso-codes")
    w(f"#     {iso_version()} ({ISO_JSON}); `common_name` where given, else `name`.")
    w("#   - GDP 2024: IMF World Economic Outlook database, October 2025, NGDPD")
    w("#     (current prices, US$ bn), data/gen/imf_weo_oct2025_ngdpd_2024_extract.json")
    w("#     (read from GitHub mitsuoxv/imf-weo data/data_2510.rda @735c2b40).")
    w("#   - Groups and minerals: the hand-curated data/gen/groups.lode and")
    w("#     data/gen/minerals.lode, copied verbatim below, every figure with its")
    w("#     source (USGS Mineral Commodity Summaries 2025, IEA Critical Minerals")
    w("#     Dataset May 2025, and the reports named line by line).")
    w("# Aliases: the short name in lower case where it is plain ASCII, plus")
    w("# curated ones (china, usa, uk, korea, congo = DR Congo, ...).")
    w("")
    w("# ---------------------------------------------------------------------------")
    w("# Actors: every ISO 3166-1 alpha-2 country, in code order. ROW (rest of the")
    w("# world) is built in.")
    w("# ---------------------------------------------------------------------------")
    w("")
    for code, a3, name in rows:
        parts = [f"actor {code} {lode_string(name)}"]
        if aliases.get(code):
            parts.append("alias " + ", ".join(aliases[code]))
        g = by_a3.get(a3)
        if g is not None:
            parts.append(f"gdp ${g['NGDPD_2024']:.1f}B")
        w(" ".join(parts))
        if g is not None:
            year = "2024"
            if g.get("lastactualdate") and g["lastactualdate"] != "2024":
                year = f"2024 (IMF last actual: {g['lastactualdate']})"
            w(
                'source "IMF World Economic Outlook database, October 2025, NGDPD '
                f'(GDP, current prices, US$ bn), {year}"'
            )

    for section in SECTIONS:
        text = section.read_text(encoding="utf-8")
        w("")
        w(text.rstrip("\n"))
        check_section(section.name, text, codes, names, claim, errors)

    if errors:
        raise SystemExit("world2024.py: refusing to write:\n  " + "\n  ".join(errors))
    return "\n".join(lines) + "\n"


def check_section(label, text, codes, names, claim, errors):
    for n, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw).strip()
        if not line or line.startswith("source "):
            continue
        m = re.match(r"group\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line)
        if m:
            gname = m.group(1)
            if gname in codes:
                errors.append(f"{label}:{n}: group {gname} is named like an ISO code")
            for member in re.split(r"\s*\+\s*", m.group(2)):
                if member not in names:
                    errors.append(f"{label}:{n}: unknown member {member}")
            claim(gname, f"group at {label}:{n}")
            continue
        for code in CODE_RE.findall(line):
            if code not in names:
                errors.append(f"{label}:{n}: unknown actor {code}")


def strip_comment(s):
    out, quoted, escaped = [], False, False
    for ch in s:
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(OUT), help="output file, or - for stdout")
    ap.add_argument("--iso", default=str(ISO_JSON), help="iso_3166-1.json of iso-codes")
    ap.add_argument("--imf", default=str(IMF_JSON), help="IMF WEO NGDPD extract")
    ap.add_argument("--check", action="store_true", help="fail if the output file differs")
    args = ap.parse_args()
    text = build(args.iso, args.imf)
    if args.check:
        current = Path(args.output).read_text(encoding="utf-8")
        if current != text:
            sys.exit(f"{args.output} is stale; run python3 data/gen/world2024.py")
        return
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
