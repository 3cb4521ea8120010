"""huggingface_hub's validate_repo_id verdict for each id (security_test.go).

Given <ids.json> <out.json>: writes {id: true | false}.
"""
import json
import sys

from huggingface_hub.utils import HFValidationError, validate_repo_id

out = {}
for i in json.load(open(sys.argv[1])):
    try:
        validate_repo_id(i)
        out[i] = True
    except HFValidationError:
        out[i] = False
json.dump(out, open(sys.argv[2], "w"))
