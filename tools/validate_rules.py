#!/usr/bin/env python3
"""Validates the bundled rule pack (rules/**/*.yml) and its test files (rules/**/*.tests.jsonl).

Checks:
  * every YAML document against the Sigma 2.1 JSON schemas (detection / correlation);
  * pack conventions: UUID v4 ids, unique ids and names, alerting documents carry title, status,
    description, author logsec, date, tags (ATT&CK), level and falsepositives; logsources follow the
    conventions of rules/README.md; every correlation references rules that exist;
  * every placeholder used has a default in rules/placeholders.yml;
  * every rule file has a sibling .tests.jsonl whose lines have the documented shape, with at least
    one expected match and one expected non-match;
  * (unless --no-eval) every test expectation holds under the reference evaluator tools/sigma_ref.py.

Usage: python3 tools/validate_rules.py [--schemas DIR] [--no-eval] [-v]
Needs pyyaml and jsonschema (python3 -m venv /tmp/rp-venv && /tmp/rp-venv/bin/pip install jsonschema pyyaml).
Exit status 0 when everything passes.
"""
import argparse
import json
import pathlib
import re
import sys
import uuid

import jsonschema
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import sigma_ref  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
RULES = REPO / "rules"
DEFAULT_SCHEMAS = REPO.parent / "shared" / "corpus" / "sigma" / "spec" / "json-schema"
FORMATS = {"cloudtrail", "k8s_audit", "istio", "envoy", "web_access", "elb", "s3_access", "auth_log", "syslog"}
JSON_FORMATS = {"cloudtrail", "k8s_audit"}
# directory -> (allowed logsources, allowed test formats)
LOGSOURCES = {
    "cloudtrail": ([{"product": "aws", "service": "cloudtrail"}], {"cloudtrail"}),
    "k8s_audit": ([{"product": "kubernetes", "service": "audit"}], {"k8s_audit"}),
    "web": ([{"category": "webserver"}, {"category": "proxy"}], {"istio", "envoy", "web_access", "elb"}),
    "s3_access": ([{"product": "aws", "service": "s3_access"}], {"s3_access"}),
    "auth_log": ([{"product": "linux", "service": "auth"}, {"product": "linux", "service": "sshd"},
                  {"product": "linux", "service": "sudo"}], {"auth_log", "syslog"}),
}
ALERT_KEYS = ["title", "id", "status", "description", "author", "date", "tags", "level", "falsepositives"]
TAG_RE = re.compile(r"^attack\.(t\d{4}(\.\d{3})?|[a-z]+(-[a-z]+)*)$")
TACTICS = {"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
           "privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
           "collection", "command-and-control", "exfiltration", "impact"}


class StrLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings (the Sigma schema wants `date` as a string)."""


StrLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_pack():
    docs = []
    for path in sorted(RULES.rglob("*.yml")):
        if path.name == "placeholders.yml":
            continue
        with path.open() as fh:
            for i, d in enumerate(yaml.load_all(fh, Loader=StrLoader)):
                docs.append((path, i, d))
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", type=pathlib.Path, default=DEFAULT_SCHEMAS)
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    errors = []

    def err(where, msg):
        errors.append(f"{where}: {msg}")

    det_schema = json.loads((args.schemas / "sigma-detection-rule-schema.json").read_text())
    cor_schema = json.loads((args.schemas / "sigma-correlation-rules-schema.json").read_text())
    det_v = jsonschema.Draft202012Validator(det_schema, format_checker=jsonschema.FormatChecker())
    cor_v = jsonschema.Draft202012Validator(cor_schema, format_checker=jsonschema.FormatChecker())
    placeholders = yaml.load((RULES / "placeholders.yml").read_text(), Loader=StrLoader)["placeholders"]

    docs = load_pack()
    ids, names = {}, {}
    for path, i, d in docs:
        where = f"{path.relative_to(REPO)}#{i}"
        if not isinstance(d, dict):
            err(where, "document is not a mapping")
            continue
        v = cor_v if "correlation" in d else det_v
        for e in sorted(v.iter_errors(d), key=str):
            err(where, f"schema: {e.message} at {list(e.absolute_path)}")
        rid = d.get("id")
        try:
            if uuid.UUID(str(rid)).version != 4:
                err(where, f"id {rid} is not a UUID v4")
        except ValueError:
            err(where, f"id {rid!r} is not a UUID")
        if rid in ids:
            err(where, f"duplicate id {rid} (also {ids[rid]})")
        ids[rid] = where
        if "name" in d:
            if d["name"] in names:
                err(where, f"duplicate name {d['name']} (also {names[d['name']]})")
            names[d["name"]] = where
        if not re.fullmatch(r"[a-z0-9_]+\.yml", path.name):
            err(where, "file name is not short_snake_case.yml")
        src = path.parent.name
        if src not in LOGSOURCES:
            err(where, f"unknown source directory {src}")
        elif "logsource" in d and d["logsource"] not in LOGSOURCES[src][0]:
            err(where, f"logsource {d['logsource']} not allowed in rules/{src}/")
        for ident in (d.get("detection") or {}).values():
            maps = ident if isinstance(ident, list) else [ident]
            for mp in maps:
                if not isinstance(mp, dict):
                    continue
                for key, val in mp.items():
                    if "expand" not in key.split("|")[1:]:
                        continue
                    for v in val if isinstance(val, list) else [val]:
                        m = re.fullmatch(r"%(\w+)%", str(v))
                        if not m:
                            err(where, f"{key}: value {v!r} is not a %placeholder%")
                        elif m.group(1) not in placeholders:
                            err(where, f"placeholder %{m.group(1)}% has no default in rules/placeholders.yml")
    referenced = set()
    for path, i, d in docs:
        if "correlation" in d:
            for r in d["correlation"]["rules"]:
                if r not in names and r not in ids:
                    err(f"{path.relative_to(REPO)}#{i}", f"correlation references unknown rule {r}")
                referenced.add(r)
    # alerting documents: first document of each file must carry full metadata
    files = {}
    for path, i, d in docs:
        files.setdefault(path, []).append(d)
    for path, ds in files.items():
        top = ds[0]
        where = str(path.relative_to(REPO))
        for k in ALERT_KEYS:
            if k not in top:
                err(where, f"alerting rule lacks `{k}`")
        if top.get("author") != "logsec":
            err(where, "author must be logsec")
        if top.get("name") in referenced or top.get("id") in referenced:
            err(where, "the first document of a file must be the alerting rule, not a referenced base rule")
        tags = top.get("tags", [])
        if not any(t.split(".", 1)[1] in TACTICS for t in tags if t.startswith("attack.")):
            err(where, "no ATT&CK tactic tag")
        if not any(re.fullmatch(r"attack\.t\d{4}(\.\d{3})?", t) for t in tags):
            err(where, "no ATT&CK technique tag")
        for t in tags:
            if t.startswith("attack.") and not TAG_RE.match(t):
                err(where, f"malformed ATT&CK tag {t}")
            if t.startswith("attack.") and not re.fullmatch(r"attack\.t\d{4}(\.\d{3})?", t) and t.split(".", 1)[1] not in TACTICS:
                err(where, f"unknown ATT&CK tactic {t}")
        for d in ds[1:]:
            if d.get("name") not in referenced:
                err(where, f"secondary document {d.get('title')!r} is not referenced by a correlation (give it a name and use it, or move it to its own file)")

    # tests
    pack = None
    if not args.no_eval and errors:
        print("structural problems found; skipping the evaluation of test expectations")
    elif not args.no_eval:
        pack = sigma_ref.Pack([(p, d) for p, _, d in docs], placeholders)
    n_tests = 0
    n_eval = 0
    for path, ds in files.items():
        tfile = path.with_suffix(".tests.jsonl")
        where = str(tfile.relative_to(REPO))
        if not tfile.exists():
            err(where, "missing test file")
            continue
        lines = []
        for ln, text in enumerate(tfile.read_text().splitlines(), 1):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                err(f"{where}:{ln}", f"invalid JSON: {e}")
                continue
            extra = set(obj) - {"format", "record", "expect", "note", "sequence", "rule"}
            if extra:
                err(f"{where}:{ln}", f"unknown keys {sorted(extra)}")
            if obj.get("format") not in FORMATS:
                err(f"{where}:{ln}", f"bad format {obj.get('format')!r}")
            elif obj["format"] not in LOGSOURCES.get(path.parent.name, ([], set()))[1]:
                err(f"{where}:{ln}", f"format {obj['format']} does not fit rules/{path.parent.name}/")
            rec = obj.get("record")
            if obj.get("format") in JSON_FORMATS and not isinstance(rec, dict):
                err(f"{where}:{ln}", "record must be a JSON object for a JSON format")
            if obj.get("format") not in JSON_FORMATS and not isinstance(rec, str):
                err(f"{where}:{ln}", "record must be a string (raw line) for a text format")
            if "expect" in obj and obj["expect"] not in ("match", "no_match"):
                err(f"{where}:{ln}", f"bad expect {obj['expect']!r}")
            if "expect" not in obj and "sequence" not in obj:
                err(f"{where}:{ln}", "a line outside a sequence needs `expect`")
            if not isinstance(obj.get("note"), str) or not obj.get("note"):
                err(f"{where}:{ln}", "missing note")
            if "rule" in obj and obj["rule"] not in names and obj["rule"] not in ids:
                err(f"{where}:{ln}", f"unknown target rule {obj['rule']}")
            lines.append((ln, obj))
        exp = {o.get("expect") for _, o in lines}
        if "match" not in exp or "no_match" not in exp:
            err(where, "needs at least one expected match and one expected no_match")
        n_tests += len(lines)
        if pack is None:
            continue
        # evaluate
        groups = []
        cur = {}
        for ln, o in lines:
            if "sequence" in o:
                if o["sequence"] not in cur:
                    cur[o["sequence"]] = []
                    groups.append(cur[o["sequence"]])
                cur[o["sequence"]].append((ln, o))
            else:
                groups.append([(ln, o)])
        for group in groups:
            fired_before = False
            recs = []
            for ln, o in group:
                try:
                    recs.append(sigma_ref.Record(o["format"], o["record"]))
                except (ValueError, KeyError) as e:
                    err(f"{where}:{ln}", f"record does not parse: {e}")
                    recs.append(None)
            if any(r is None for r in recs):
                continue
            for (ln, o), (rec, alerts) in zip(group, pack.stream(recs)):
                target = o.get("rule")
                if target:
                    tid = pack.by_key[target][1]["id"]
                    hit = (pack._logsource_ok(pack.det[tid].doc, rec) and pack.det[tid].match(rec)) if tid in pack.det else any(d["id"] == tid for d, _ in alerts)
                else:
                    tid = ds[0]["id"]
                    hit = any(d["id"] == tid for d, _ in alerts)
                if "expect" in o:
                    n_eval += 1
                    if o["expect"] == "match" and not hit:
                        err(f"{where}:{ln}", f"expected match, rule did not fire ({o['note']})")
                    if o["expect"] == "no_match" and (hit or fired_before):
                        err(f"{where}:{ln}", f"expected no_match, rule fired ({o['note']})")
                fired_before = fired_before or hit
                if args.verbose and alerts:
                    print(f"{where}:{ln}: alerts {[d['title'] for d, _ in alerts]}")
    import gen_rules_table
    readme = (RULES / "README.md").read_text() if (RULES / "README.md").exists() else ""
    if gen_rules_table.table() not in readme:
        err("rules/README.md", "rule table is stale: run python3 tools/gen_rules_table.py")
    n_rules = len(files)
    n_docs = len(docs)
    for e in errors:
        print("FAIL", e)
    print(f"{n_rules} rule files, {n_docs} documents, {n_tests} test lines, {n_eval} expectations evaluated, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
