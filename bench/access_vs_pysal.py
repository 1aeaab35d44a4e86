#!/usr/bin/python3
"""Accessibility indices: avipsim against PySAL access, same numbers, time and peak memory.

What it measures
----------------
On a synthetic territory (default 50,000 demand points x 2,000 facilities, integer metre
coordinates in EPSG:2975, a square sized so that a 30-minute catchment at 60 km/h gives about
14.7 million demand-facility pairs), for each of 2SFCA, E2SFCA, G2SFCA (Gaussian, sigma = 10 min),
3SFCA and RAAM:

* PySAL access (https://github.com/pysal/access): the time of the method call alone (the cost table
  is built beforehand with scipy's cKDTree and timed separately) and the peak resident memory of a
  process that runs that one method;
* `avipsim access`: its own timings (neighbour search, index, a plain flat 2SFCA pass over the same
  pairs as a memory-bandwidth reference, peak memory) and the process wall time;
* the agreement of the two, point by point: the largest relative difference |a-b| / max(|a|, |b|)
  must be at most 1e-9, and a point PySAL leaves out (no facility in reach) must be empty in
  avipsim's output. The script exits non-zero if any method disagrees.

Then one Monte Carlo run of avipsim (E2SFCA, 1,000 replications) on the same input, and a table of
the figures, also written as Markdown to WORK/figures.md for bench/README.md.

Every heavy step runs in a child process (this script re-invoking itself), and this parent process
imports nothing but the standard library: on Linux a child's peak RSS starts at its parent's peak,
so a small parent keeps each child's figure its own.

How to run (from the project root)
----------------------------------
PySAL access is not vendored. Get its source once, for example:

    git clone https://github.com/pysal/access pysal-access
    # or, from an existing clone: git --git-dir=CLONE/.git archive HEAD | tar -x -C pysal-access

and point the script at the folder that holds its `access/` package (or set PYSAL_ACCESS). It needs
Debian's python3-pandas and python3-scipy (numpy comes with them); avipsim must be built first
(`bash scripts/setup`).

    bench/access_vs_pysal.py --pysal pysal-access                # the default run (about 10 min)
    bench/access_vs_pysal.py --pysal pysal-access --scale 0.05   # 2,500 x 100, a few seconds
    bench/access_vs_pysal.py --large                             # 500,000 x 20,000, avipsim only
    bench/access_vs_pysal.py --skip-pysal                        # avipsim only
    bench/access_vs_pysal.py --pysal pysal-access --fixture tests/data/fca   # regenerate the fixture

`--fixture DIR` runs the five PySAL methods on DIR/demand.csv, DIR/supply.csv and DIR/cost.csv and
rewrites DIR/pysal_access_results.csv (columns id,2sfca,e2sfca,g2sfca,3sfca,raam).
"""

import argparse
import csv
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

METHODS = ("2sfca", "e2sfca", "g2sfca", "3sfca", "raam")
CATCHMENT_MIN = 30.0  # minutes; at 60 km/h, 1 km = 1 minute
SPEED_KMH = 60.0
RADIUS_M = 30_000
SIGMA_MIN = 10.0  # G2SFCA Gaussian width
RAAM_PARAMS = dict(tau=60, max_cycles=150, initial_step=0.2, half_life=50, min_step=0.005)  # PySAL defaults
TOLERANCE = 1e-9
EPSG = 2975  # RGR92 / UTM zone 40S (La Réunion); the points are synthetic
ORIGIN_XY = (300_000, 7_600_000)  # lower-left corner of the synthetic square, metres
DEFAULT_SEED = 974


class BenchError(Exception):
    """An expected failure: reported in one message, without a traceback."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Compare avipsim's accessibility indices with PySAL access: values, time, peak memory.",
        epilog="PySAL access: git clone https://github.com/pysal/access (or a git archive of it), "
        "then --pysal DIR or PYSAL_ACCESS=DIR.",
    )
    p.add_argument("--pysal", metavar="DIR", default=os.environ.get("PYSAL_ACCESS"),
                   help="root of a checkout (or git archive) of PySAL access, the folder holding its "
                        "access/ package (default: $PYSAL_ACCESS)")
    p.add_argument("--avipsim", metavar="PATH", default="./build/avipsim",
                   help="avipsim executable (default: %(default)s)")
    p.add_argument("--threads", type=int, metavar="N", default=os.cpu_count() or 1,
                   help="threads given to avipsim (default: all cores, %(default)s here)")
    p.add_argument("--work", metavar="DIR",
                   help="folder for inputs, outputs and logs (default: a new temporary folder, kept)")
    p.add_argument("--methods", metavar="LIST", default=",".join(METHODS),
                   help="comma-separated methods among %s (default: all)" % ", ".join(METHODS))
    p.add_argument("--seed", type=int, metavar="S", default=DEFAULT_SEED,
                   help="seed of the synthetic territory and of the Monte Carlo run (default: %(default)s)")
    p.add_argument("--demand-points", type=int, metavar="N", default=50_000,
                   help="demand points before --scale/--large (default: %(default)s)")
    p.add_argument("--facilities", type=int, metavar="M", default=2_000,
                   help="facilities before --scale/--large (default: %(default)s)")
    p.add_argument("--pairs", type=float, metavar="P", default=14.7e6,
                   help="pairs within the catchment that the square's side is tuned for, before "
                        "--scale/--large (default: %(default).3g)")
    p.add_argument("--scale", type=float, metavar="F", default=1.0,
                   help="multiply the demand points, facilities and area by F, e.g. 0.05 for a "
                        "2,500 x 100 case that runs in seconds (default: 1)")
    p.add_argument("--large", action="store_true",
                   help="10x demand points and facilities on 10x the area (about 147 M pairs); "
                        "avipsim only unless --pysal-large")
    p.add_argument("--pysal-large", action="store_true",
                   help="with --large, also try PySAL's 2SFCA (tens of GB, hours)")
    p.add_argument("--skip-pysal", action="store_true", help="run avipsim only (no comparison)")
    p.add_argument("--replications", type=int, metavar="R", default=1000,
                   help="replications of the avipsim Monte Carlo run, 0 to skip it (default: %(default)s)")
    p.add_argument("--fixture", metavar="DIR",
                   help="instead of the benchmark: run the five PySAL methods on DIR/demand.csv, "
                        "DIR/supply.csv, DIR/cost.csv and rewrite DIR/pysal_access_results.csv")
    # Hidden: the child processes this script starts.
    p.add_argument("--prepare-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--pysal-child", choices=METHODS, help=argparse.SUPPRESS)
    p.add_argument("--child-in", help=argparse.SUPPRESS)
    p.add_argument("--child-out", help=argparse.SUPPRESS)
    p.add_argument("--side", type=int, help=argparse.SUPPRESS)
    p.add_argument("--cost-table", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        p.error("--methods: unknown method(s) %s; expected among %s" % (", ".join(unknown), ", ".join(METHODS)))
    args.methods = methods
    if args.scale <= 0:
        p.error("--scale must be positive")
    if args.threads < 1:
        p.error("--threads must be at least 1")
    if args.pysal_large and not args.large:
        p.error("--pysal-large goes with --large")
    return args


# ----------------------------------------------------------------------------------------------
# Checks made before any heavy work
# ----------------------------------------------------------------------------------------------


def check_python_modules():
    missing = [m for m in ("numpy", "scipy", "pandas") if importlib.util.find_spec(m) is None]
    if missing:
        raise BenchError("this script needs %s for %s (Debian: apt-get install python3-pandas python3-scipy)"
                         % (", ".join(missing), sys.executable), code=2)


def check_pysal(directory):
    how = ("PySAL access is not vendored: get it with\n"
           "    git clone https://github.com/pysal/access pysal-access\n"
           "(or extract a `git archive` of it), then pass --pysal pysal-access or set PYSAL_ACCESS.")
    if not directory:
        raise BenchError("no PySAL access source given.\n" + how, code=2)
    for name in ("__init__.py", "access.py", "fca.py", "raam.py", "weights.py"):
        if not os.path.isfile(os.path.join(directory, "access", name)):
            raise BenchError("%s does not hold PySAL access (access/%s is missing).\n%s" % (directory, name, how),
                             code=2)
    return os.path.abspath(directory)


def check_avipsim(path):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BenchError("avipsim executable not found at %s: build it first (bash scripts/setup) "
                         "or pass --avipsim PATH" % path, code=2)
    try:
        help_text = subprocess.run([path, "access", "--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError("cannot run %s access --help: %s" % (path, e), code=2)
    for option in ("--timings", "--crs", "--replications"):
        if option not in help_text:
            raise BenchError("%s access has no %s option: rebuild avipsim from this tree" % (path, option), code=2)
    return os.path.abspath(path)


# ----------------------------------------------------------------------------------------------
# Child processes
# ----------------------------------------------------------------------------------------------


def run_child(cmd, log_stem, env=None):
    """Run cmd with stdout and stderr in LOG_STEM.out / .err; return (exit code, wall s, peak RSS MB, stdout)."""
    with open(log_stem + ".out", "w") as out, open(log_stem + ".err", "w") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(log_stem + ".out") as f:
        stdout = f.read()
    return proc.returncode, wall, usage.ru_maxrss / 1024.0, stdout


def child_failure(what, code, log_stem):
    """One message for a failed child: its exit status and the end of its stderr."""
    status = "killed by signal %d" % -code if code < 0 else "exit code %d" % code
    try:
        with open(log_stem + ".err") as f:
            tail = f.read().strip().splitlines()[-8:]
    except OSError:
        tail = []
    detail = ("\n    " + "\n    ".join(tail)) if tail else ""
    if code == -9:
        detail += "\n    (SIGKILL: most likely out of memory)"
    return "%s failed (%s; log %s.err)%s" % (what, status, log_stem, detail)


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line")


def pysal_env():
    # RAAM orders its rows and columns by iterating a Python set of ids: a fixed hash seed makes a
    # run with string ids reproducible to the last bit.
    return dict(os.environ, PYTHONHASHSEED="0")


def self_cmd(*extra):
    return [sys.executable, os.path.abspath(__file__), *extra]


# --- the prepare child: synthetic territory and PySAL's cost table ------------------------------


def prepare_child(args):
    """Write demand.csv and supply.csv to the work folder and, with --cost-table, PySAL's cost table."""
    import numpy as np

    work, side, seed = args.work, args.side, args.seed
    n, m = args.demand_points, args.facilities
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN_XY

    dx = rng.integers(0, side + 1, n, dtype=np.int64)
    dy = rng.integers(0, side + 1, n, dtype=np.int64)
    children = rng.integers(1, 31, n)
    qpv = qpv_clusters(rng, dx, dy, side)
    priority = np.where(qpv, 0.50, 0.12)  # so that the labelled facilities near QPV can reach 20 %
    sx = rng.integers(0, side + 1, m, dtype=np.int64)
    sy = rng.integers(0, side + 1, m, dtype=np.int64)
    places = rng.integers(10, 61, m)
    labelled = (rng.random(m) < 0.10).astype(np.int64)

    write_columns(os.path.join(work, "demand.csv"),
                  [("id", np.arange(n)), ("x", dx + x0), ("y", dy + y0), ("demand", children),
                   ("priority", priority), ("qpv", qpv.astype(np.int64))])
    write_columns(os.path.join(work, "supply.csv"),
                  [("id", np.arange(m)), ("x", sx + x0), ("y", sy + y0), ("supply", places),
                   ("labelled", labelled)])
    report = {"n": n, "m": m, "side_m": side, "qpv_share": float(qpv.mean()),
              "labelled_share": float(labelled.mean()), "children": int(children.sum()),
              "places": int(places.sum())}

    if args.cost_table:
        t0 = time.perf_counter()
        origin, dest, cost = cost_table(np, dx, dy, sx, sy)
        report["cost_table_s"] = time.perf_counter() - t0
        report["pairs"] = int(len(cost))
        report["demand_without_pair"] = int(n - len(np.unique(origin)))
        np.save(os.path.join(work, "cost_origin.npy"), origin)
        np.save(os.path.join(work, "cost_dest.npy"), dest)
        np.save(os.path.join(work, "cost_cost.npy"), cost)
    print(json.dumps(report))


def qpv_clusters(rng, x, y, side, clusters=6, share=0.15):
    """QPV flag: the points within one of a few discs covering about `share` of the square."""
    import numpy as np

    radius = side * math.sqrt(share / (clusters * math.pi))
    centres = rng.uniform(radius, side - radius, (clusters, 2))
    inside = np.zeros(len(x), dtype=bool)
    for cx, cy in centres:
        inside |= (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius
    return inside


def write_columns(path, columns):
    import pandas as pd

    pd.DataFrame({name: values for name, values in columns}).to_csv(path, index=False)


def cost_table(np, dx, dy, sx, sy):
    """All (demand, facility) pairs within 30 km with cost = sqrt(dx*dx + dy*dy) / 1000.0 minutes.

    cKDTree finds the candidates (with a radius a hair above 30 km, so that no pair at exactly 30 km
    is lost to rounding), then the exact expression decides: cost <= 30. Sorted by (origin, dest).
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([dx, dy]).astype(np.float64))
    origins, dests, costs = [], [], []
    chunk = 256
    for j0 in range(0, len(sx), chunk):
        j1 = min(j0 + chunk, len(sx))
        found = tree.query_ball_point(np.column_stack([sx[j0:j1], sy[j0:j1]]).astype(np.float64),
                                      r=RADIUS_M * (1 + 1e-9))
        for j, idx in zip(range(j0, j1), found):
            idx = np.asarray(idx, dtype=np.int64)
            ddx = (dx[idx] - sx[j]).astype(np.float64)
            ddy = (dy[idx] - sy[j]).astype(np.float64)
            c = np.sqrt(ddx * ddx + ddy * ddy) / 1000.0
            keep = c <= CATCHMENT_MIN
            origins.append(idx[keep])
            dests.append(np.full(int(keep.sum()), j, dtype=np.int64))
            costs.append(c[keep])
    origin = np.concatenate(origins)
    dest = np.concatenate(dests)
    cost = np.concatenate(costs)
    order = np.lexsort((dest, origin))
    return origin[order], dest[order], cost[order]


# --- the PySAL child: one method, timed alone -----------------------------------------------------


def pysal_child(args):
    """Load the inputs of --child-in, run one PySAL method, write id,value to --child-out, print JSON."""
    import resource

    import pandas as pd

    sys.path.insert(0, args.pysal)
    from access import Access, weights

    t0 = time.perf_counter()
    demand, supply, cost = load_pysal_inputs(args.child_in, pd)
    a = Access(demand_df=demand, demand_index="id", demand_value="demand",
               supply_df=supply, supply_index="id", supply_value="supply",
               cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost")
    setup_s = time.perf_counter() - t0

    method = args.pysal_child
    calls = {
        "2sfca": lambda: a.two_stage_fca(name="2sfca", max_cost=CATCHMENT_MIN),
        "e2sfca": lambda: a.enhanced_two_stage_fca(name="e2sfca", max_cost=CATCHMENT_MIN),
        "g2sfca": lambda: a.two_stage_fca(name="g2sfca", max_cost=CATCHMENT_MIN,
                                          weight_fn=weights.gaussian(SIGMA_MIN)),
        # PySAL's default 3SFCA weights (step_fn({10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042})), which
        # are also avipsim's default for --method 3sfca.
        "3sfca": lambda: a.three_stage_fca(name="3sfca", max_cost=CATCHMENT_MIN),
        "raam": lambda: a.raam(name="raam", **RAAM_PARAMS),
    }
    t0 = time.perf_counter()
    result = calls[method]()
    seconds = time.perf_counter() - t0

    values = result.iloc[:, 0].reindex(demand["id"])  # the demand file's order
    with open(args.child_out, "w") as f:
        f.write("id,%s\n" % method)
        for i, v in zip(values.index, values.to_numpy()):
            f.write("%s,%s\n" % (i, "" if v != v else "%.17g" % v))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"method": method, "seconds": seconds, "setup_s": setup_s, "rows": len(values),
                      "defined": int(values.notna().sum()), "peak_rss_mb": peak_kb / 1024.0}))


def load_pysal_inputs(folder, pd):
    """demand (id, demand), supply (id, supply), cost (origin, dest, cost); doubles read exactly."""
    demand = pd.read_csv(os.path.join(folder, "demand.csv"), usecols=["id", "demand"], float_precision="round_trip")
    supply = pd.read_csv(os.path.join(folder, "supply.csv"), usecols=["id", "supply"], float_precision="round_trip")
    npy = os.path.join(folder, "cost_origin.npy")
    if os.path.exists(npy):
        import numpy as np

        cost = pd.DataFrame({name: np.load(os.path.join(folder, "cost_%s.npy" % name))
                             for name in ("origin", "dest", "cost")})
    else:
        cost = pd.read_csv(os.path.join(folder, "cost.csv"), float_precision="round_trip")
    return demand, supply, cost


# ----------------------------------------------------------------------------------------------
# The benchmark, in the parent
# ----------------------------------------------------------------------------------------------


def square_side(n, m, pairs, radius=RADIUS_M):
    """Side of the square on which n x m uniform points give `pairs` pairs within `radius` on average.

    The distance between two uniform points of a square of side L is <= r with probability
    F(x) = pi x^2 - 8/3 x^3 + x^4 / 2, x = r / L <= 1 (edge effects included); solved by bisection.
    """
    target = pairs / (n * m)
    if not 0 < target < expected_share(1.0):
        raise BenchError("--pairs %.3g is not reachable with %d x %d points" % (pairs, n, m), code=2)
    lo, hi = 1e-9, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected_share(mid) < target else (lo, mid)
    return radius / lo


def expected_share(x):
    return math.pi * x * x - 8.0 / 3.0 * x ** 3 + x ** 4 / 2.0


def case_size(args):
    """(demand points, facilities, side in metres) of this run."""
    base_side = square_side(args.demand_points, args.facilities, args.pairs)
    factor = args.scale * (10 if args.large else 1)
    n = max(1, round(args.demand_points * factor))
    m = max(1, round(args.facilities * factor))
    return n, m, int(round(base_side * math.sqrt(factor)))


def prepare(args, work, n, m, side, with_cost_table):
    print("Generating %d demand points and %d facilities on a %.1f km square (seed %d)%s ..."
          % (n, m, side / 1000, args.seed, ", and PySAL's cost table" if with_cost_table else ""), flush=True)
    cmd = self_cmd("--prepare-child", "--work", work, "--side", str(side), "--seed", str(args.seed),
                   "--demand-points", str(n), "--facilities", str(m))
    if with_cost_table:
        cmd.append("--cost-table")
    stem = os.path.join(work, "logs", "prepare")
    code, wall, _, out = run_child(cmd, stem)
    if code != 0:
        raise BenchError(child_failure("generating the input", code, stem))
    info = last_json_line(out)
    print("  demand.csv, supply.csv: %d children, %d places, QPV share %.1f %%, labelled %.1f %%"
          % (info["children"], info["places"], 100 * info["qpv_share"], 100 * info["labelled_share"]))
    x = RADIUS_M / side
    if x <= 1:
        print("  expected pairs within %d km (uniform points, edge effects): %.3g"
              % (RADIUS_M // 1000, n * m * expected_share(x)))
    if with_cost_table:
        print("  PySAL cost table (cKDTree search + cost, not counted in PySAL's method times): %d pairs "
              "in %.2f s; %d demand points with no facility in reach" %
              (info["pairs"], info["cost_table_s"], info["demand_without_pair"]), flush=True)
    return info


def run_pysal(method, work, pysal_dir, input_dir=None):
    """One PySAL method in its own process; returns its report (seconds, peak_rss_mb, ...) and CSV path."""
    out = os.path.join(work, "pysal_%s.csv" % method)
    stem = os.path.join(work, "logs", "pysal_%s" % method)
    print("PySAL %-6s ..." % method, end=" ", flush=True)
    code, wall, rss, stdout = run_child(
        self_cmd("--pysal-child", method, "--pysal", pysal_dir, "--child-in", input_dir or work,
                 "--child-out", out), stem, env=pysal_env())
    if code != 0:
        print("FAILED")
        raise BenchError(child_failure("PySAL %s" % method, code, stem))
    report = last_json_line(stdout)
    report.update(wall_s=wall, csv=out)
    print("%.2f s (process %.1f s), peak %.0f MB" % (report["seconds"], wall, report["peak_rss_mb"]), flush=True)
    return report


def avipsim_cmd(avipsim, work, method, threads, out, timings):
    return [avipsim, "access", "--demand", os.path.join(work, "demand.csv"),
            "--supply", os.path.join(work, "supply.csv"), "--crs", str(EPSG), "--epsg", str(EPSG),
            "--method", method, "--catchment", "%g" % CATCHMENT_MIN, "--speed", "%g" % SPEED_KMH,
            "--detour", "1", "--sigma", "%g" % SIGMA_MIN, "--out", out, "--timings", timings,
            "--threads", str(threads)]


def run_avipsim(avipsim, work, method, threads, extra=(), tag=None):
    """avipsim access in its own process; returns its timings JSON plus our wall time, and the CSV path."""
    tag = tag or method
    out = os.path.join(work, "avipsim_%s.csv" % tag)
    timings = os.path.join(work, "avipsim_%s.json" % tag)
    for path in (out, timings):
        if os.path.exists(path):
            os.remove(path)  # avipsim never overwrites an output
    stem = os.path.join(work, "logs", "avipsim_%s" % tag)
    print("avipsim %-6s ..." % tag, end=" ", flush=True)
    code, wall, rss, stdout = run_child(avipsim_cmd(avipsim, work, method, threads, out, timings) + list(extra),
                                        stem)
    if code != 0:
        print("FAILED")
        raise BenchError(child_failure("avipsim access --method %s" % method, code, stem))
    try:
        with open(timings) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise BenchError("avipsim %s: cannot read its timings %s: %s" % (tag, timings, e))
    missing = [k for k in ("pairs", "search_s", "index_s", "flat_pass_s", "total_s", "peak_rss_mb") if k not in report]
    if missing:
        raise BenchError("avipsim %s: timings %s lack %s" % (tag, timings, ", ".join(missing)))
    report.update(wall_s=wall, wait4_peak_mb=rss, csv=out, stdout=stdout)
    print("search %.2f s + index %.2f s (process %.1f s), peak %.0f MB"
          % (report["search_s"], report["index_s"], wall, report["peak_rss_mb"]), flush=True)
    return report


def read_values(path):
    """{id: float or None} from a CSV whose first column is the id and second the value."""
    values = {}
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for row in rows:
            text = row[1].strip() if len(row) > 1 else ""
            value = float(text) if text else None
            values[row[0]] = None if value is not None and value != value else value
    return values


def compare(pysal_csv, avipsim_csv, zero_when_out_of_reach=False):
    """Largest relative difference over points defined in both, and the points defined in only one.

    For the floating-catchment methods avipsim gives 0 (no place in reach) to a point PySAL leaves out
    because it has no facility in reach: with `zero_when_out_of_reach`, that counts as agreement."""
    a, b = read_values(pysal_csv), read_values(avipsim_csv)
    diffs, one_sided = [], []
    for i in sorted(set(a) | set(b), key=id_key):
        x, y = a.get(i), b.get(i)
        if x is None and y is None:
            continue
        if zero_when_out_of_reach and x is None and y == 0.0:
            continue
        if x is None or y is None:
            one_sided.append((i, x, y))
            continue
        scale = max(abs(x), abs(y))
        diffs.append((abs(x - y) / scale if scale else 0.0, i, x, y))
    diffs.sort(reverse=True)
    max_rel = diffs[0][0] if diffs else 0.0
    return {"max_rel": max_rel, "worst": diffs[:5], "one_sided": one_sided, "compared": len(diffs),
            "agree": max_rel <= TOLERANCE and not one_sided}


def id_key(i):
    return (0, int(i), "") if i.lstrip("-").isdigit() else (1, 0, i)


def monte_carlo(args, avipsim, work):
    supply_out = os.path.join(work, "avipsim_mc_supply.csv")
    extra = ["--replications", str(args.replications), "--seed", str(args.seed), "--priority-field", "priority",
             "--qpv-field", "qpv", "--labelled-field", "labelled", "--supply-out", supply_out]
    if os.path.exists(supply_out):
        os.remove(supply_out)
    report = run_avipsim(avipsim, work, "e2sfca", args.threads, extra=extra, tag="mc")
    print("Monte Carlo (E2SFCA, %d replications): total %.2f s, of which Monte Carlo %s s; peak %.0f MB"
          % (args.replications, report["total_s"], fmt(report.get("monte_carlo_s"), "%.2f"), report["peak_rss_mb"]))
    lines = [line for line in report["stdout"].splitlines() if line.strip()]
    if lines:
        print("  avipsim says:\n    " + "\n    ".join(lines))
    return report


# --- the table ------------------------------------------------------------------------------------


def fmt(value, pattern):
    return "–" if value is None else pattern % value


def table_rows(results):
    header = ["method", "pairs", "PySAL s", "PySAL peak MB", "avipsim s (search + index; process)",
              "avipsim peak MB", "speed-up", "index ÷ flat pass", "max rel diff", "agree"]
    rows = []
    for method, r in results.items():
        p, a, c = r.get("pysal"), r["avipsim"], r.get("compare")
        compute = a["search_s"] + a["index_s"]
        speedup = p["seconds"] / compute if p and compute > 0 else None
        ratio = a["index_s"] / a["flat_pass_s"] if a["flat_pass_s"] > 0 else None
        agree = "–" if c is None else ("yes" if c["agree"] else
                                       "NO" + (" (%d one-sided)" % len(c["one_sided"]) if c["one_sided"] else ""))
        rows.append([method, "{:,}".format(a["pairs"]), fmt(p and p["seconds"], "%.2f"),
                     fmt(p and p["peak_rss_mb"], "%.0f"),
                     "%.3f + %.3f = %.3f; %.2f" % (a["search_s"], a["index_s"], compute, a["wall_s"]),
                     "%.0f" % a["peak_rss_mb"], fmt(speedup, "%.0f×"), fmt(ratio, "%.2f"),
                     "–" if c is None else ("0" if c["max_rel"] == 0 else "%.1e" % c["max_rel"]), agree])
    return header, rows


def text_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: " | ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    return "\n".join([line(header), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows])


def markdown_table(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                     + ["| " + " | ".join(r) + " |" for r in rows])


def machine_info():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            kb = next(int(l.split()[1]) for l in f if l.startswith("MemTotal"))
            mem_gb = kb / 1024 / 1024
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for dist in ("numpy", "pandas", "scipy"):
        try:
            versions.append("%s %s" % (dist, importlib.metadata.version(dist)))
        except importlib.metadata.PackageNotFoundError:
            pass
    return {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "cores": cores, "cpu": cpu, "memory": fmt(mem_gb, "%.1f GB"),
            "software": "Python %s, %s" % (platform.python_version(), ", ".join(versions))}


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=30).stdout.strip()
        return out.stdout.strip() + (" with local changes" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def report(args, work, info, n, m, results, mc):
    machine = machine_info()
    header, rows = table_rows(results)
    commit = git_commit()
    lines = ["Machine: %d cores, %s, %s memory; %s" % (machine["cores"], machine["cpu"], machine["memory"],
                                                       machine["software"]),
             "Date: %s%s" % (machine["date"], "; avipsim at commit %s" % commit if commit else ""),
             "Case: %s demand points x %s facilities on a %.1f km square, %d-minute catchment at %g km/h, "
             "avipsim with %d threads" % ("{:,}".format(n), "{:,}".format(m), info["side_m"] / 1000,
                                          CATCHMENT_MIN, SPEED_KMH, args.threads)]
    if "cost_table_s" in info:
        lines.append("PySAL's cost table (cKDTree + cost, before the timed method calls): %.2f s, %s pairs"
                     % (info["cost_table_s"], "{:,}".format(info["pairs"])))
    if mc:
        lines.append("avipsim Monte Carlo (E2SFCA, %d replications, priority/QPV/labelled fields): total %.2f s "
                     "(Monte Carlo %s s), peak %.0f MB" % (args.replications, mc["total_s"],
                                                          fmt(mc.get("monte_carlo_s"), "%.2f"), mc["peak_rss_mb"]))
    print()
    print("\n".join(lines))
    print()
    print(text_table(header, rows))
    print("\nspeed-up = PySAL method time ÷ avipsim (search_s + index_s); PySAL's time excludes its cost table.")
    md = ["- " + l for l in lines] + ["", markdown_table(header, rows), "",
                                      "speed-up = PySAL method time ÷ avipsim (search_s + index_s); "
                                      "PySAL's time excludes building its cost table.", ""]
    with open(os.path.join(work, "figures.md"), "w") as f:
        f.write("\n".join(md))
    print("Markdown table written to %s" % os.path.join(work, "figures.md"))


def print_disagreements(results):
    for method, r in results.items():
        c = r.get("compare")
        if not c or c["agree"]:
            continue
        print("\n%s: avipsim and PySAL disagree: max relative difference %.3g over the %d points defined in both "
              "(tolerance %g); %d points defined in only one"
              % (method, c["max_rel"], c["compared"], TOLERANCE, len(c["one_sided"])), file=sys.stderr)
        if c["max_rel"] > TOLERANCE:
            for rel, i, x, y in c["worst"]:
                print("  id %s: PySAL %.17g, avipsim %.17g, relative difference %.3g" % (i, x, y, rel),
                      file=sys.stderr)
        for i, x, y in c["one_sided"][:5]:
            print("  id %s: PySAL %s, avipsim %s" % (i, fmt(x, "%.17g").replace("–", "empty"),
                                                     fmt(y, "%.17g").replace("–", "empty")), file=sys.stderr)
        if len(c["one_sided"]) > 5:
            print("  ... and %d more points defined in only one" % (len(c["one_sided"]) - 5), file=sys.stderr)


def benchmark(args):
    check_python_modules()
    avipsim = check_avipsim(args.avipsim)
    pysal_methods = [] if args.skip_pysal else list(args.methods)
    if args.large and not args.pysal_large:
        pysal_methods = []
    elif args.large:
        pysal_methods = [m for m in pysal_methods if m == "2sfca"]
    pysal_dir = check_pysal(args.pysal) if pysal_methods else None

    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="avipsim-vs-pysal-")
    os.makedirs(os.path.join(work, "logs"), exist_ok=True)
    print("Work folder (kept): %s" % work)
    n, m, side = case_size(args)
    info = prepare(args, work, n, m, side, with_cost_table=bool(pysal_methods))

    # One untimed run first, so that no method's figure includes reading cold files from disk.
    print("avipsim warm-up (untimed) ...", flush=True)
    run_avipsim(avipsim, work, "2sfca", args.threads, tag="warmup")
    results, failures = {}, []
    for method in args.methods:
        try:
            r = {"pysal": run_pysal(method, work, pysal_dir) if method in pysal_methods else None}
            r["avipsim"] = run_avipsim(avipsim, work, method, args.threads)
        except BenchError as e:
            print(e, file=sys.stderr)
            failures.append(method)
            continue
        if r["avipsim"]["pairs"] != info.get("pairs", r["avipsim"]["pairs"]):
            print("  note: avipsim found %d pairs, PySAL's table has %d" % (r["avipsim"]["pairs"], info["pairs"]))
        results[method] = r
    mc = None
    if args.replications > 0:
        try:
            mc = monte_carlo(args, avipsim, work)
        except BenchError as e:
            print(e, file=sys.stderr)
            failures.append("Monte Carlo")

    # Compared last, so that this process stays small while the children run.
    for r in results.values():
        if r["pysal"]:
            r["compare"] = compare(r["pysal"]["csv"], r["avipsim"]["csv"], zero_when_out_of_reach=method != "raam")
    if results:
        report(args, work, info, n, m, results, mc)
    print_disagreements(results)
    disagree = [mt for mt, r in results.items() if r.get("compare") and not r["compare"]["agree"]]
    if failures or disagree:
        raise BenchError("%s%s" % ("failed: %s. " % ", ".join(failures) if failures else "",
                                   "disagree with PySAL: %s." % ", ".join(disagree) if disagree else ""))
    if any(r.get("compare") for r in results.values()):
        print("All compared methods agree with PySAL access to %g." % TOLERANCE)


# --- fixture mode ---------------------------------------------------------------------------------


def fixture(args):
    check_python_modules()
    pysal_dir = check_pysal(args.pysal)
    folder = os.path.abspath(args.fixture)
    for name in ("demand.csv", "supply.csv", "cost.csv"):
        if not os.path.isfile(os.path.join(folder, name)):
            raise BenchError("--fixture %s: %s is missing" % (args.fixture, name), code=2)
    target = os.path.join(folder, "pysal_access_results.csv")
    old = read_table(target) if os.path.exists(target) else {}

    work = tempfile.mkdtemp(prefix="avipsim-fixture-")
    os.makedirs(os.path.join(work, "logs"))
    try:
        columns = {}
        for method in METHODS:
            r = run_pysal(method, work, pysal_dir, input_dir=folder)
            columns[method] = read_text_values(r["csv"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ids = list(columns[METHODS[0]])
    with open(target, "w", newline="") as f:
        f.write("id,%s\n" % ",".join(METHODS))
        for i in ids:
            f.write("%s,%s\n" % (i, ",".join(columns[m][i] for m in METHODS)))
    print("Wrote %s (%d rows, columns id,%s)" % (target, len(ids), ",".join(METHODS)))
    for method in METHODS:
        if method in old:
            same = old[method] == columns[method]
            print("  %-6s %s" % (method, "identical to the previous file" if same else "CHANGED from the previous file"))
        else:
            print("  %-6s new column" % method)


def read_text_values(path):
    """{id: value text} in file order."""
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return {row[0]: row[1] for row in rows}


def read_table(path):
    """{column: {id: value text}} of a CSV whose first column is the id."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return {name: {r[0]: r[k] for r in rows[1:]} for k, name in enumerate(rows[0]) if k > 0}


# ----------------------------------------------------------------------------------------------


def main(argv):
    args = parse_args(argv)
    try:
        if args.prepare_child:
            prepare_child(args)
        elif args.pysal_child:
            pysal_child(args)
        elif args.fixture:
            fixture(args)
        else:
            benchmark(args)
    except BenchError as e:
        print("access_vs_pysal: error: %s" % e, file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("access_vs_pysal: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
