#!/usr/bin/env python3
"""Runs mlx-lm's own tool parsers (tool_parsers/<name>.py) on the cases in
cases.json and formats the calls as server.py's ToolCallFormatter does;
prints one JSON result per case: {"calls": [...]} or {"error": kind}.

usage: reference.py CASES.json  (prints the blob of each parser module too)
"""
import importlib
import json
import subprocess
import sys
from pathlib import Path

cases = json.loads(Path(sys.argv[1]).read_text())
out = {"blobs": {}, "results": []}
for case in cases:
    name = case["parser"]
    try:
        mod = importlib.import_module(f"mlx_lm.tool_parsers.{name}")
    except ImportError:
        out["blobs"][name] = "missing"
        out["results"].append({"error": "ImportError"})
        continue
    if name not in out["blobs"]:
        src = Path(mod.__file__)
        out["blobs"][name] = subprocess.run(["git", "hash-object", str(src)], capture_output=True, text=True).stdout.strip()
        out["blobs"][name + ".markers"] = [mod.tool_call_start, mod.tool_call_end]
    try:
        parsed = mod.parse_tool_call(case["text"], case.get("tools"))
        if not isinstance(parsed, list):
            parsed = [parsed]
        calls = []
        for tc in parsed:
            tc_id = tc.pop("id", None) or None
            if tc_id is not None and not isinstance(tc_id, str):
                tc_id = json.dumps(tc_id)
            tc["arguments"] = json.dumps(tc["arguments"], ensure_ascii=False)
            calls.append({"id": tc_id, "function": json.dumps(tc, ensure_ascii=False)})
        out["results"].append({"calls": calls})
    except (ValueError, json.JSONDecodeError) as e:
        out["results"].append({"error": "ValueError", "detail": repr(e)})
    except Exception as e:  # noqa: BLE001 - any other exception the server would hit
        out["results"].append({"error": type(e).__name__, "detail": repr(e)})
print(json.dumps(out))
