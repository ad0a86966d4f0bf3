#!/usr/bin/env python3
"""Writes BENCHMARKS.md from criterion's output of the `peers` bench.

Reads target/criterion/<group>/<bench>/new/estimates.json and benchmark.json (for the
throughput) and prints Markdown to stdout:

    cargo bench -p logsec-benches --bench peers -- --warm-up-time 2 --measurement-time 5
    python3 benches/report.py > BENCHMARKS.md
    python3 benches/report.py BEFORE_CRITERION_DIR > BENCHMARKS.md   # adds before/after


Only measured numbers are printed: medians (and their 95 % confidence interval) from
criterion's estimates, events/s derived from them, and ratios between them.
"""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `cargo bench` runs the bench in the package directory, where criterion writes
# `target/criterion`; a CARGO_TARGET_DIR or the workspace `target/` is used when present.
CANDIDATES = [
    Path(os.environ["CARGO_TARGET_DIR"]) / "criterion" if os.environ.get("CARGO_TARGET_DIR") else None,
    ROOT / "target" / "criterion",
    ROOT / "benches" / "target" / "criterion",
]
CRITERION = next((p for p in CANDIDATES if p and p.is_dir()), ROOT / "target" / "criterion")

GROUPS = ["cloudtrail_sigmahq_aws", "k8s_audit_falco"]
LABELS = {
    "serde_json_value_parse": "serde_json `Value` parse only",
    "typed_borrowed_parse": "typed borrowed serde parse only (the practical limit)",
    "logsec_parse_only": "logsec parse + normalize only, no rules (logsec's own ceiling)",
    "logsec_parse_tree": "logsec parse + normalize + the raw record's JSON tree, no rules",
    "logsec_no_prefilter": "**logsec**: parse + rules + normalize, as a scan runs them (records validated and matched through their raw view, matched records normalized; raw-bytes prefilter off)",
    "logsec_parse_normalize_rules": "logsec, same with the raw-bytes prefilter on",
    "logsec_eager_normalize": "logsec, every record normalized before the rules run",
    "logsec_with_alerts": "logsec, as a scan runs them, building an OCSF alert per match",
    "rsigma_eval": "rsigma-eval 0.23 (serde_json `Value` + evaluate)",
    "sigma_rust": "sigma-rust 0.7 (`event_from_json` + `is_match` per rule)",
}
ORDER = list(LABELS)


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def machine():
    model = ""
    for line in run(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    nproc = run(["nproc"]).strip()
    load = ""
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
        load = " ".join(load)
    except OSError:
        pass
    return model, nproc, load, platform.release()


def read_group(group, root=None):
    out = {}
    base = (root or CRITERION) / group
    if not base.is_dir():
        return out
    for bench in sorted(p for p in base.iterdir() if p.is_dir()):
        estimates = bench / "new" / "estimates.json"
        meta = bench / "new" / "benchmark.json"
        if not estimates.is_file() or not meta.is_file():
            continue
        est = json.loads(estimates.read_text())
        info = json.loads(meta.read_text())
        elements = (info.get("throughput") or {}).get("Elements")
        median = est["median"]
        out[bench.name] = {
            "median_ns": median["point_estimate"],
            "lo_ns": median["confidence_interval"]["lower_bound"],
            "hi_ns": median["confidence_interval"]["upper_bound"],
            "elements": elements,
        }
    return out


def rate(entry, ns):
    return entry["elements"] / (ns / 1e9)


def fmt_rate(r):
    return f"{r / 1000:,.1f} k/s"


def read_pipeline():
    """`pipeline/<input>/threads_<n>` medians in bytes/s (wall time), keyed by (input, n)."""
    out = {}
    base = CRITERION / "pipeline"
    if not base.is_dir():
        return out
    for meta in sorted(base.glob("*/threads_*/new/benchmark.json")):
        info = json.loads(meta.read_text())
        est = json.loads((meta.parent / "estimates.json").read_text())
        size = (info.get("throughput") or {}).get("Bytes")
        if not size:
            continue
        threads = int(meta.parent.parent.name.split("_", 1)[1])
        out[(meta.parent.parent.parent.name, threads)] = size / (est["median"]["point_estimate"] / 1e9)
    return out


def pipeline_section():
    data = read_pipeline()
    if not data:
        return []
    mib = lambda r: f"{r / (1 << 20):,.1f} MiB/s"
    lines = [
        "## `pipeline` (whole scans, bundled pack, wall time)",
        "",
        "`cargo bench -p logsec-benches --bench pipeline -- --warm-up-time 1 --measurement-time 8`:",
        "`logsec::Pipeline` over one 64 MiB input held in memory, 1 vs 2 threads; throughput in",
        "uncompressed bytes. Goals: 2 threads ≥ 1.8 × 1 thread; `.gz` ≥ 0.6 × plain.",
        "`ceiling_parse` is not a scan: the parse alone on two halves of the JSON lines in two",
        "threads sharing nothing, vs one thread — the most two threads give on this machine.",
        "",
        "| input | 1 thread | 2 threads | 2 ÷ 1 | ÷ plain JSON lines, same threads |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ["jsonl", "records", "jsonl_gz", "ceiling_parse"]:
        one, two = data.get((name, 1)), data.get((name, 2))
        if not one or not two:
            continue
        plain1, plain2 = data.get(("jsonl", 1)), data.get(("jsonl", 2))
        vs = (
            f"{one / plain1:.2f}× / {two / plain2:.2f}×"
            if plain1 and plain2 and name not in ("jsonl", "ceiling_parse")
            else ""
        )
        lines.append(f"| `{name}` | {mib(one)} | {mib(two)} | {two / one:.2f}× | {vs} |")
    return lines + [""]


def main():
    model, nproc, load, kernel = machine()
    lines = [
        "# Benchmarks",
        "",
        "Written by `benches/report.py` from criterion's output of one run of",
        "`benches/benches/peers.rs` (and of `pipeline.rs` for the `pipeline` table); every number",
        "below was measured in those runs.",
        "",
        "## How to run",
        "",
        "```sh",
        "cargo bench -p logsec-benches --bench peers -- --warm-up-time 2 --measurement-time 5 \\",
        "  2>&1 | tee target/peers.log   # uptime > target/peers-load.txt before and after",
        "cargo bench -p logsec-benches --bench pipeline -- --warm-up-time 1 --measurement-time 8",
        "python3 benches/report.py > BENCHMARKS.md",
        "```",
        "",
        "The bench needs `../shared/corpus` (the SigmaHQ AWS CloudTrail rules and Falco's",
        "`k8s_audit_rules.yaml`); without it, it prints a message and measures nothing.",
        "Events are generated on demand by `benches/src/gen_json.rs` (seeded, never committed);",
        "`LOGSEC_BENCH_EVENTS` sets how many (default 20 000). Every engine starts from the same",
        "JSON lines and does its own JSON parsing. Time is the benchmark thread's CPU time",
        "(`/proc/thread-self/schedstat`), so figures are one core's throughput.",
        "",
        "## Machine",
        "",
        f"- CPU: {model or 'unknown'}; `nproc`: {nproc or 'unknown'}; kernel {kernel}",
        f"- load average when this report was written: {load or 'unknown'}",
    ] + [
        f"- `uptime` around the run (`target/peers-load.txt`): {l.strip()}"
        for l in ((ROOT / "target" / "peers-load.txt").read_text().splitlines()
                  if (ROOT / "target" / "peers-load.txt").is_file() else [])
    ] + [
        "  (the machine is shared with other build jobs; CPU time is measured, not wall time)",
        "",
    ]
    for group in GROUPS:
        data = read_group(group)
        if not data:
            continue
        lines += [f"## `{group}`", ""]
        ref = data.get("logsec_no_prefilter") or data.get("logsec_parse_normalize_rules")
        ref_name = "logsec_no_prefilter" if "logsec_no_prefilter" in data else "logsec_parse_normalize_rules"
        lines += [
            "| bench | median time / iteration | events/s (median) | 95 % CI of events/s | logsec ÷ this |",
            "|---|---:|---:|---:|---:|",
        ]
        names = sorted(data, key=lambda n: ORDER.index(n) if n in ORDER else 99)
        for name in names:
            e = data[name]
            if not e["elements"]:
                continue
            r = rate(e, e["median_ns"])
            ci = f"{fmt_rate(rate(e, e['hi_ns']))} – {fmt_rate(rate(e, e['lo_ns']))}"
            ratio = ""
            if ref and name != ref_name:
                ratio = f"{rate(ref, ref['median_ns']) / r:.2f}×"
            label = LABELS.get(name, name)
            if group == "k8s_audit_falco":
                label = "**logsec**: parse + Falco rules as a scan runs them (matched through the raw view; matched records normalized and `Engine::process`ed, alerts built)"
            lines.append(
                f"| {label} | {e['median_ns'] / 1e6:,.1f} ms "
                f"({e['elements']:,} events) | {fmt_rate(r)} | {ci} | {ratio} |"
            )
        lines.append("")
    lines += pipeline_section()
    log = ROOT / "target" / "peers.log"
    if log.is_file():
        keep = [
            l.strip()
            for l in log.read_text(errors="replace").splitlines()
            if l.startswith(("peers:", "rules compiled:", "matches per pass:", "k8s audit:"))
        ]
        if keep:
            lines += ["## Setup printed by the run (`target/peers.log`)", "", "```text"]
            lines += keep + ["```", ""]
    if len(sys.argv) > 1:
        before_root = Path(sys.argv[1])
        lines += [
            "## Fast path: before and after",
            "",
            f"`before` is an earlier run of the same bench, kept in `{before_root.name}`,",
            "on the code before the raw-bytes prefilter; `after` is the run above.",
            "",
            "| group | bench | before (events/s) | after (events/s) | after ÷ before |",
            "|---|---|---:|---:|---:|",
        ]
        for group in GROUPS:
            before, after = read_group(group, before_root), read_group(group)
            for name in ORDER:
                if name in before and name in after and after[name]["elements"]:
                    b = rate(before[name], before[name]["median_ns"])
                    a = rate(after[name], after[name]["median_ns"])
                    lines.append(
                        f"| `{group}` | {LABELS.get(name, name)} | {fmt_rate(b)} | "
                        f"{fmt_rate(a)} | {a / b:.2f}× |"
                    )
        lines.append("")
    extra = Path(__file__).resolve().parent / "BENCHMARKS.notes.md"
    if extra.is_file():
        lines += [extra.read_text().rstrip(), ""]
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
