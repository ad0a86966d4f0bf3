#!/usr/bin/env python3
"""Runs the pack (reference evaluator) over the real sample logs in ../shared/corpus/logs and prints
every alert, so that each can be judged (true detection on an attack sample, or a false positive to
fix). Not part of CI; the Rust conformance test does the binding check.

Usage: python3 tools/corpus_check.py [--corpus DIR] [-v]
"""
import argparse
import collections
import json
import pathlib
import re
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import sigma_ref  # noqa: E402
import validate_rules  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent
CRI = re.compile(r"^\S+ (stdout|stderr) [FP] ")


def records(corpus):
    """(file, format, record, label) for every record the reference evaluator can read."""
    for p in sorted(corpus.rglob("*")):
        if not p.is_file() or p.name in ("LICENSE", "INVENTORY.md", "MANIFEST.json") or p.suffix in (".assert", ".yaml", ".md", ".csv", ".txt"):
            continue
        rel = p.relative_to(corpus).as_posix()
        top = rel.split("/")[0]
        text = p.read_text(errors="replace")
        if top in ("cloudtrail", "k8s-audit"):
            fmt = "cloudtrail" if top == "cloudtrail" else "k8s_audit"
            items = []
            try:
                doc = json.loads(text)
                items = doc.get("Records", [doc]) if isinstance(doc, dict) else doc
            except json.JSONDecodeError:
                for ln in text.splitlines():
                    ln = ln.strip()
                    if ln:
                        try:
                            items.append(json.loads(ln))
                        except json.JSONDecodeError:
                            pass
            for it in items:
                if not isinstance(it, dict):
                    continue
                label = None
                if "log" in it and "expected_result" in it:
                    label, it = it["expected_result"], it["log"]
                if fmt == "cloudtrail" and "eventName" not in it:
                    continue
                if fmt == "k8s_audit" and "verb" not in it:
                    continue
                yield rel, fmt, it, label
        elif top in ("envoy-istio", "web-access", "elb-alb", "s3-access", "syslog-auth"):
            for ln in text.splitlines():
                ln = CRI.sub("", ln)
                fmt = {"envoy-istio": "istio", "web-access": "web_access", "s3-access": "s3_access", "syslog-auth": "auth_log"}.get(top)
                if fmt is None:
                    continue
                yield rel, fmt, ln, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=pathlib.Path, default=REPO.parent / "shared" / "corpus" / "logs")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    placeholders = yaml.load((REPO / "rules" / "placeholders.yml").read_text(), Loader=validate_rules.StrLoader)["placeholders"]
    docs = [(p, d) for p, _, d in validate_rules.load_pack()]
    by_file = collections.OrderedDict()
    skipped = collections.Counter()
    for rel, fmt, rec, label in records(args.corpus):
        try:
            r = sigma_ref.Record(fmt, rec)
        except (ValueError, KeyError, IndexError):
            skipped[rel] += 1
            continue
        if r.time is None:
            skipped[rel] += 1
            continue
        r.label = label
        by_file.setdefault(rel, []).append(r)
    total = collections.Counter()
    for rel, recs in by_file.items():
        recs.sort(key=lambda r: r.time)
        pack = sigma_ref.Pack(docs, placeholders)
        for rec, out in pack.stream(recs):
            for d, _ in out:
                total[d["title"]] += 1
                lab = "" if rec.label is None else f" [panther label: {rec.label}]"
                what = rec.raw.get("eventName") or rec.raw.get("verb") if isinstance(rec.raw, dict) else rec.raw[:110]
                print(f"{rel}: {d['title']}: {rec.rid or ''} {what}{lab}")
    print("\nalerts per rule:")
    for t, n in total.most_common():
        print(f"  {n:4d}  {t}")
    print(f"files read: {len(by_file)}, records: {sum(len(v) for v in by_file.values())}, unreadable lines skipped: {sum(skipped.values())}")


if __name__ == "__main__":
    main()
