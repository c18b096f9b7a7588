"""The man pages keep up with the code: every sentinelctl subcommand and option, every
sentineld option, every configuration key, every audit event (with its MESSAGE_ID) and
every SENTINEL_* journal field the sources write has an entry; every page renders
without groff warnings. man/generate.py regenerates the generated pages."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, REPO, SENTINELCTL, SENTINELD

MAN = REPO / "man"
SOURCES = REPO / "Sources"
PAGES = ["sentineld.8", "sentinelctl.1", "sentineld.conf.5", "sentinel-audit.7", "sentinel-demo-server.1"]
HINT = "(regenerate with `make man`, or edit man/generate.py / man/sentinel-audit.7)"


def page_text(name):
    """The page's source with troff escapes for '-' and '\\&' removed, for plain searches."""
    return (MAN / name).read_text().replace("\\-", "-").replace("\\&", "")


def dump_help(binary):
    out = subprocess.run([str(binary), "--experimental-dump-help"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["command"]


def walk(command, path=()):
    path = path + (command["commandName"],)
    yield path, command
    for sub in command.get("subcommands", []):
        if sub["commandName"] != "help":
            yield from walk(sub, path)


def long_options(command):
    for argument in command.get("arguments", []):
        if argument.get("shouldDisplay", True) and argument["kind"] != "positional":
            for name in argument["names"]:
                if name["kind"] == "long" and name["name"] not in ("help", "version"):
                    yield "--" + name["name"]


def test_every_sentinelctl_subcommand_and_option_has_an_entry():
    text = page_text("sentinelctl.1")
    sections = re.split(r'^\.SS "([^"]+)"$', text, flags=re.M)
    entries = {sections[i]: sections[i + 1] for i in range(1, len(sections) - 1, 2)}
    missing = []
    for path, command in walk(dump_help(SENTINELCTL)):
        if len(path) == 1:
            continue
        name = " ".join(path)
        if name not in entries:
            missing.append(f'{name} (no .SS "{name}")')
            continue
        missing += [f"{name} {option}" for option in long_options(command) if option not in entries[name]]
    assert not missing, f"man/sentinelctl.1 lacks: {', '.join(missing)} {HINT}"


def test_every_sentineld_option_has_an_entry():
    text = page_text("sentineld.8")
    missing = [option for option in long_options(dump_help(SENTINELD)) if option not in text]
    assert not missing, f"man/sentineld.8 lacks: {', '.join(missing)} {HINT}"


def test_every_demo_server_option_has_an_entry():
    out = subprocess.run([str(BUILD / "sentinel-demo-server"), "--help"], capture_output=True, text=True).stdout
    options = re.findall(r"^\s+(--[a-z-]+)", out, flags=re.M)
    assert "--page-size" in options, out
    text = page_text("sentinel-demo-server.1")
    missing = [option for option in options if option not in text]
    assert not missing, f"man/sentinel-demo-server.1 lacks: {', '.join(missing)}"


def test_every_configuration_key_has_an_entry():
    reference = subprocess.run([str(SENTINELD), "--print-config-reference"], check=True, capture_output=True,
                               text=True).stdout
    text = page_text("sentineld.conf.5")
    section, keys = None, []
    for line in reference.splitlines():
        if m := re.match(r"^\[(\w+)\]$", line):
            section = m.group(1)
        elif m := re.match(r"^#(\w+)=", line):
            keys.append((section, m.group(1)))
    assert keys, "sentineld --print-config-reference printed no keys"
    chunks = re.split(r'^\.SH "\[(\w+)\] SECTION"$', text, flags=re.M)
    by_section = {chunks[i]: chunks[i + 1] for i in range(1, len(chunks) - 1, 2)}
    missing = [f"[{s}] {k}" for s, k in keys if f"\\fB{k}=\\fR" not in by_section.get(s, "")]
    assert not missing, f"man/sentineld.conf.5 lacks: {', '.join(missing)} {HINT}"


def audit_kinds():
    source = (SOURCES / "SentinelCore" / "Audit" / "AuditEventKind.swift").read_text()
    raw = dict(re.findall(r'case (\w+) = "([a-z-]+)"', source))
    ids = dict(re.findall(r'case \.(\w+): "([0-9a-f]{32})"', source))
    assert raw and set(raw) == set(ids), "could not read AuditEventKind.swift"
    return {raw[case]: ids[case] for case in raw}


def audit_fields():
    """SENTINEL_* field names the code can write: the cases of AuditField, the only type an audit
    entry's fields are named by."""
    source = (SOURCES / "SentinelCore" / "Audit" / "AuditField.swift").read_text()
    return set(re.findall(r'case \w+ = "([A-Z][A-Z0-9_]+)"', source))


def test_every_audit_event_has_an_entry_with_its_message_id():
    text = page_text("sentinel-audit.7")
    missing = [f"{name} ({message_id})" for name, message_id in audit_kinds().items()
               if not re.search(rf"\\fB{re.escape(name)}\\fR \(MESSAGE_ID=\\fB{message_id}\\fR", text)]
    assert not missing, f"man/sentinel-audit.7 lacks events: {', '.join(missing)} {HINT}"


def test_every_audit_field_has_an_entry():
    text = page_text("sentinel-audit.7")
    fields = audit_fields()
    assert {"ENDPOINT", "OUTCOME", "PEER_UID"} <= fields, f"field scan found too little: {sorted(fields)}"
    missing = sorted(f"SENTINEL_{f}" for f in fields if f".B SENTINEL_{f}\n" not in text)
    assert not missing, f"man/sentinel-audit.7 lacks fields: {', '.join(missing)} {HINT}"


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_warnings(page):
    if not shutil.which("groff"):
        pytest.skip("groff is not installed (make deps)")
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(MAN / page)], capture_output=True, text=True,
                            env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    shown = subprocess.run(["man", "-l", str(MAN / page)], capture_output=True, text=True,
                           env=dict(os.environ, MANPAGER="cat", MANWIDTH="80", LC_ALL="C.UTF-8"))
    assert shown.returncode == 0 and shown.stderr == "", shown.stderr
    assert "SEE ALSO" in shown.stdout
