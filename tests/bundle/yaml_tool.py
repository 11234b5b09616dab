"""YAML helpers for tests/bundle, which has no YAML parser of its own.

    yaml_tool.py json FILE              print FILE (YAML) as JSON
    yaml_tool.py validate SCHEMA FILE   validate FILE (YAML) against a JSON schema; print
                                        one line per error, exit 1 if there is any

Needs PyYAML and jsonschema. The compose specification's schema declares draft 2019-09
with a `$schema` URI jsonschema does not recognise, so the draft is chosen here.
"""

import json
import sys

import yaml


def main() -> int:
    if sys.argv[1] == "json":
        with open(sys.argv[2], encoding="utf-8") as f:
            json.dump(yaml.safe_load(f), sys.stdout)
        return 0
    if sys.argv[1] == "validate":
        import jsonschema

        with open(sys.argv[2], encoding="utf-8") as f:
            schema = json.load(f)
        with open(sys.argv[3], encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        jsonschema.Draft201909Validator.check_schema(schema)
        errors = list(jsonschema.Draft201909Validator(schema).iter_errors(doc))
        for e in errors:
            print(f"{'/'.join(map(str, e.absolute_path))}: {e.message}")
        return 1 if errors else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
