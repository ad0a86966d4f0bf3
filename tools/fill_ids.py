#!/usr/bin/env python3
"""Replace every `id: NEWID` line in rules/**/*.yml with a fresh UUID v4 (run after writing a rule)."""
import pathlib
import re
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent / "rules"
for path in sorted(ROOT.rglob("*.yml")):
    text = path.read_text()
    new = re.sub(r"^id: NEWID$", lambda _: f"id: {uuid.uuid4()}", text, flags=re.M)
    if new != text:
        path.write_text(new)
        print("ids filled:", path.relative_to(ROOT.parent))
