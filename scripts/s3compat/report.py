"""Compares two s3-tests runs (JUnit XML from pytest) for scripts/s3-compat.sh.

Usage: report.py DIRECT.xml [THROUGH.xml]

Prints each run's outcome counts (a test passes when its set-up, call and tear-down
all did), the ratio through / direct, every test that passes directly but not through
the gateway with the first line of what went wrong, and those failures grouped by the
S3 operation and error code botocore reported (or by the first line of the failure when
it is not an S3 error). Also names any test that passes only through the gateway.
"""

import collections
import re
import sys
import xml.etree.ElementTree as ET

CLIENT_ERROR = re.compile(r"An error occurred \(([^)]*)\) when calling the (\w+) operation")


def load(path):
    """{test id: (outcome, first line of the failure or error)} of one JUnit file."""
    results = {}
    for case in ET.parse(path).iter("testcase"):
        if not case.get("classname"):
            continue  # a run interrupted mid-test leaves a nameless entry
        test = case.get("classname").rsplit(".", 1)[-1] + "::" + case.get("name")
        outcome, why = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                why = first_line(child.get("message") or child.text or "")
                break
            if child.tag == "skipped":
                outcome = "skipped"
        # A test whose call failed and whose tear-down errored appears twice:
        # anything but a pass wins.
        if results.get(test, ("passed",))[0] == "passed":
            results[test] = (outcome, why)
    return results


def first_line(text):
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:200]


def cause(why):
    """The S3 operation and error code of a failure, else its first line."""
    m = CLIENT_ERROR.search(why)
    if m:
        return f"{m.group(2)} {m.group(1)}"
    return re.sub(r"\d{3,}", "N", why)[:100] or "(no message)"


def counts(results):
    c = collections.Counter(outcome for outcome, _ in results.values())
    return (
        f"{c['passed']} passed of {len(results)} "
        f"(failed {c['failed']}, errors {c['error']}, skipped {c['skipped']})"
    )


def passed(results):
    return {t for t, (outcome, _) in results.items() if outcome == "passed"}


def main(argv):
    direct = load(argv[1])
    print(f"direct:  {counts(direct)}")
    if len(argv) < 3:
        return
    through = load(argv[2])
    print(f"through: {counts(through)}")
    ok_direct, ok_through = passed(direct), passed(through)
    ratio = len(ok_through) / len(ok_direct) if ok_direct else 0.0
    verdict = "met" if ratio >= 0.98 else "MISSED"
    print(
        f"through / direct = {len(ok_through)} / {len(ok_direct)} = {ratio:.3f}"
        f"  (target >= 0.98: {verdict})"
    )
    both = len(ok_direct & ok_through)
    if both != len(ok_through):
        print(f"passing both ways / direct = {both} / {len(ok_direct)}")
    lost = sorted(ok_direct - ok_through)
    print(f"passing directly but not through the gateway: {len(lost)}")
    for test in lost:
        outcome, why = through.get(test, ("not run", ""))
        print(f"  {test}  [{outcome}] {why}")
    if lost:
        print("those failures by cause (operation and error code, or first line):")
        causes = collections.Counter(cause(through.get(t, ("", ""))[1]) for t in lost)
        for text, n in causes.most_common():
            print(f"  {n:4d}  {text}")
    gained = sorted(ok_through - ok_direct)
    if gained:
        print(f"passing only through the gateway: {len(gained)}")
        for test in gained:
            print(f"  {test}  [direct: {direct.get(test, ('not run',))[0]}]")


if __name__ == "__main__":
    main(sys.argv)
