# SPDX-License-Identifier: MIT
"""Cases, metrics and verdicts of a pudbench results.json, for CI engines.

The LKP parser (parse, next to this file) and the LAVA helper
(integrations/lava/lava-results, which imports this file from here) both
name cases with case_name(), so one case has one name in LKP's %change
tables and in LAVA's results.  It lives in programs/pudbench/ so that a
copy of that directory alone parses (LKP's result servers have no
pudbench tree).  Python 3 standard library only: it runs on test boxes,
result servers and in LAVA guests.

A case name is

    BENCH.BACKEND.SIZE[.STRATEGY].OPERATION.REMOTE

for example mprotect-inplace.devdax.1G.downgrade.remote1.  It holds every
field `pudbench compare` matches cases by (lib/compare.c):

- BACKEND gets "-<page size>" when the mapping's page size is not the one
  the backend is named for: devdax at 2 MiB alignment is devdax-2M, a THP
  mapping that fell back to 4 KiB pages is thp-2M-4K;
- SIZE is the mapping size, N G = N PUDs;
- STRATEGY only when it is not the benchmark's one path: "kernel" (a kernel
  without the strategy knob) and the fixed labels of fault-cost
  ("first-touch") and mprotect-split-refault ("split-refault") are left out;
  inplace, inplace_ad, split, broken_* and "unknown" (the knob could not be
  read) are kept;
- REMOTE is remoteN for N spinning participants, remoteN-read for reading
  ones (spin is what every shipped config uses).

Results files of schema version 1 are read too: load() upgrades them
(upgrade(), as lib/record.c's pb_results_upgrade() does), so a case and a
metric keep their names across the versions.

Repetitions (repeat = N) keep one record per series, with its samples
pooled: the names stay the same, and a repeated record adds the spread of
its repetition medians (rep_median_ns, rep_cv).
"""

import json
import math
import os
import sys

SCHEMA = "pudbench-results/2"
# version 1: "per_call" for per_sample, "direction" for operation
SCHEMA_1 = "pudbench-results/1"

# lib/operation.c's table: operation -> mprotect() calls in one sample
# (tests/integrations checks that the two agree).
MPROTECT_CALLS = {"downgrade": 1, "upgrade": 1, "none": 1, "cycle": 1, "fault": 0,
                  "move": 0, "touch": 0, "observe": 0}

# The page size a backend is named for (lib/backends/); devdax is about PUDs.
NOMINAL_PAGE = {
    "devdax": 1 << 30,
    "hugetlb-1G": 1 << 30,
    "hugetlb-2M": 2 << 20,
    "thp-2M": 2 << 20,
    "base-4K": 4 << 10,
}

# Strategies that are the benchmark's only path: left out of the name.
DEFAULT_STRATEGIES = ("kernel", "first-touch", "split-refault")

# latency_ns statistic -> metric name
LATENCY = (("min", "min_ns"), ("median", "median_ns"), ("mean", "mean_ns"),
           ("p90", "p90_ns"), ("p99", "p99_ns"), ("max", "max_ns"),
           ("stddev", "stddev_ns"), ("cv", "cv"))

# The findings of `checks` and the value each must have: lib/checks.c's
# table (tests/integrations checks that the two agree).  *_probes count
# attempts, not problems: reported, not judged.
CHECKS = {
    "bad_pud": 0,
    "kernel_warnings": 0,
    "stale_write": 0,
    "stale_write_remote": 0,
    "data_intact": True,
    "prot_none_access": 0,
    "unaligned_refused": True,
    "sibling_write_lost": 0,
    "bad_rss_counter": 0,
    "moved_data_lost": 0,
}


class ResultsError(Exception):
    """Not a pudbench results file, or two records with one name."""


def size_name(nbytes):
    """1073741824 -> 1G, 2097152 -> 2M (as lib/compare.c names sizes)."""
    units, u = "KMGT", -1
    while u < 3 and nbytes >= 1024 and nbytes % 1024 == 0:
        nbytes //= 1024
        u += 1
    return "%dB" % nbytes if u < 0 else "%d%s" % (nbytes, units[u])


def remote_name(remote_cpus, remote_mode):
    n = int(remote_cpus or 0)
    if n and remote_mode and remote_mode != "spin":
        return "remote%d-%s" % (n, remote_mode)
    return "remote%d" % n


def case_prefix(rec):
    """BENCH.BACKEND.SIZE of a record or of a skipped/failed case id."""
    backend = rec.get("backend", "unknown")
    page = rec.get("page_size")
    if page is not None and NOMINAL_PAGE.get(backend) != page:
        backend += "-" + size_name(page)
    return "%s.%s.%s" % (rec.get("bench", "unknown"), backend,
                         size_name(rec.get("size_bytes", 0)))


def option_parts(rec):
    """NAME-VALUE of each non-default benchmark option, from the record's
    own case name (pudbench names them "/NAME=VALUE"; it knows the
    defaults, this script does not)."""
    return [p.replace("=", "-", 1) for p in rec.get("case", "").split("/")
            if "=" in p]


def case_name(rec):
    parts = [case_prefix(rec)]
    strategy = rec.get("strategy")
    if strategy and strategy not in DEFAULT_STRATEGIES:
        parts.append(strategy)
    parts.append(rec.get("operation", "unknown"))
    parts.append(remote_name(rec.get("remote_cpus"), rec.get("remote_mode")))
    return ".".join(parts + option_parts(rec))


def case_id_name(case_id, what):
    """Name of a skipped or failed case: its id has no operation/strategy."""
    name = "%s.%s.%s" % (case_prefix(case_id), remote_name(
        case_id.get("remote_cpus"), case_id.get("remote_mode")), what)
    if case_id.get("repetition") is not None:
        name += ".rep%d" % case_id["repetition"]
    return name


def is_number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


def fmt(v):
    """A number as LKP's dump-stat reads it: integer, or plain decimal."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if float(v).is_integer():
        return "%d" % v
    return ("%.6f" % v).rstrip("0").rstrip(".")


def metrics(rec):
    """(metric, value) of a record; null (unavailable) values are left out."""
    lat = rec.get("latency_ns") or {}
    for key, name in LATENCY:
        if is_number(lat.get(key)):
            yield name, lat[key]
    between = rec.get("between_runs") or {}
    if is_number(between.get("median_ns")):
        yield "rep_median_ns", between["median_ns"]
    if is_number(between.get("cv")):
        yield "rep_cv", between["cv"]
    for key, v in sorted((rec.get("per_sample") or {}).items()):
        if is_number(v):
            yield key, v
    for key, v in sorted((rec.get("checks") or {}).items()):
        if is_number(v) or isinstance(v, bool):
            yield "checks." + key, v


def check_verdicts(rec):
    """[(check, "pass"|"fail"|"skip", why)] of the checks a record has.

    A check the record names with null was not measured: "skip", never
    "pass" (nothing says it held).  A check the record does not name at
    all does not belong to its benchmark and is left out.
    """
    out = []
    checks = rec.get("checks") or {}
    for key, want in CHECKS.items():
        if key not in checks:
            continue
        v = checks[key]
        if v is None:
            out.append((key, "skip", "%s not measured (null)" % key))
        elif (v is not want) if isinstance(want, bool) else (isinstance(v, bool) or v != want):
            out.append((key, "fail", "%s=%s" % (key, json.dumps(v))))
        else:
            out.append((key, "pass", ""))
    return out


def failed_checks(rec):
    """The checks of a record that did not hold, as "key=value"."""
    return [why for _, result, why in check_verdicts(rec) if result == "fail"]


def unmeasured_checks(rec):
    """The checks a record names but did not measure (null)."""
    return [key for key, result, _ in check_verdicts(rec) if result == "skip"]


def renamed(obj, names):
    """@obj with its keys renamed by @names, in their order."""
    return {names.get(k, k): v for k, v in obj.items()}


def upgrade(doc):
    """A schema version 1 document as version 2, in place; others as they are."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_1:
        return doc
    names = {"direction": "operation", "per_call": "per_sample"}
    results = doc.get("results")
    for i, rec in enumerate(results if isinstance(results, list) else []):
        if not isinstance(rec, dict):
            continue
        new = renamed(rec, names)
        new["mprotect_calls_per_sample"] = MPROTECT_CALLS.get(rec.get("direction"))
        if isinstance(new.get("between_runs"), dict):
            new["between_runs"] = renamed(new["between_runs"], names)
        results[i] = new
    doc["schema"] = SCHEMA
    return doc


def load(text, where):
    try:
        doc = upgrade(json.loads(text))
    except ValueError as e:
        raise ResultsError("%s: not JSON: %s" % (where, e))
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ResultsError("%s: not a %s (or %s) file" % (where, SCHEMA, SCHEMA_1))
    if not isinstance(doc.get("results"), list):
        raise ResultsError("%s: no \"results\" array" % where)
    return doc


def load_file(path):
    with open(path, encoding="utf-8") as f:
        return load(f.read(), path)


def named_records(doc, where):
    """[(case name, record)]; two records with one name are an error."""
    seen, out = {}, []
    for i, rec in enumerate(doc["results"]):
        name = case_name(rec)
        if name in seen:
            raise ResultsError("%s: results[%d] and results[%d] are both %s" %
                               (where, seen[name], i, name))
        seen[name] = i
        out.append((name, rec))
    return out


def die(prog, msg, status=1):
    sys.stderr.write("%s: %s\n" % (os.path.basename(prog), msg))
    sys.exit(status)
