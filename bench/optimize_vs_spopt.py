#!/usr/bin/python3
"""Maximal covering location (MCLP): avipsim optimize's solvers against PySAL spopt's MCLP, same instance.

What it measures
----------------
A synthetic instance (default 50,000 demand points x 2,000 candidate sites, integer metre coordinates;
a site covers the points within 30 minutes at 60 km/h, i.e. 30 km; choose p = 50 sites; 70 % of the
points in 60 towns, the rest spread out, weights 1 to 30; the square is sized so that p disks cover
about its area once, so the choice matters) is written once to WORK/instance (demand.csv, sites.csv,
instance.json) and read by both sides:

* avipsim (bench/optimize_bench.cpp, a small executable over optimize/): the coverage model built from
  the pairs, the lazy greedy, the exact MIP with CBC under a time limit with its proven gap;
* PySAL spopt (https://github.com/pysal/spopt, never copied into the project): the cost matrix (scipy
  cdist), MCLP.from_cost_matrix (the model build, timed alone), then its solve with PuLP and Debian's
  CBC under the same time limit;
* each side's chosen sites are checked here by recomputing the covered weight from the distances
  alone, independently of either model. The script exits non-zero when a recomputed figure differs
  from the side's own objective, or when avipsim's best objective is below spopt's.

spopt's model build loops over every (point, site) pair in Python: about 17 minutes at 50,000 x 2,000
on this machine class, hence --demand/--sites for smaller instances (the README gives both).

How to run (from the project root; bench/optimize-vs-spopt installs the packages and gets spopt)
----------------------------------------------------------------------------------------------
    bench/optimize_vs_spopt.py --spopt SPOPT_DIR                       # 50,000 x 2,000, p = 50
    bench/optimize_vs_spopt.py --spopt SPOPT_DIR --demand 5000 --sites 500
    bench/optimize_vs_spopt.py --skip-spopt                            # avipsim only
SPOPT_DIR holds spopt's `spopt/` package (a checkout or a `git archive` of it). It needs Debian's
python3-numpy, python3-scipy, python3-pulp, python3-geopandas (spopt imports it) and coinor-cbc.
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

DEFAULT_SEED = 974


class BenchError(Exception):
    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


def parse_args(argv):
    p = argparse.ArgumentParser(description="MCLP: avipsim optimize's greedy and MIP against PySAL spopt.")
    p.add_argument("--spopt", metavar="DIR", default=os.environ.get("SPOPT"),
                   help="folder holding spopt's spopt/ package (default: $SPOPT)")
    p.add_argument("--bench", metavar="PATH", default="./build/optimize_bench",
                   help="avipsim's optimize_bench executable (default: %(default)s)")
    p.add_argument("--demand", type=int, default=50_000, help="demand points (default: %(default)s)")
    p.add_argument("--sites", type=int, default=2_000, help="candidate sites (default: %(default)s)")
    p.add_argument("--p", type=int, default=50, help="sites to choose (default: %(default)s)")
    p.add_argument("--minutes", type=float, default=30.0, help="coverage time (default: %(default)s)")
    p.add_argument("--speed-kmh", type=float, default=60.0, help="travel speed (default: %(default)s)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="instance seed (default: %(default)s)")
    p.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds for each exact solve, avipsim's and spopt's (default: %(default)s)")
    p.add_argument("--mip-gap", type=float, default=1e-4,
                   help="relative gap at which both MIPs may stop (default: %(default)s)")
    p.add_argument("--work", metavar="DIR", help="folder for the instance and logs (default: a new temporary one)")
    p.add_argument("--skip-spopt", action="store_true", help="run avipsim only")
    p.add_argument("--spopt-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if min(args.demand, args.sites, args.p) < 1 or args.p > args.sites:
        p.error("--demand, --sites and --p must be positive, with p <= sites")
    return args


# --- the instance ---------------------------------------------------------------------------------


def radius_m(args):
    return int(round(args.minutes / 60.0 * args.speed_kmh * 1000.0))


def write_instance(args, folder):
    import numpy as np

    rng = np.random.default_rng(args.seed)
    r = radius_m(args)
    side = int(round(r * math.sqrt(args.p * math.pi)))  # p disks cover about the square once
    n, m = args.demand, args.sites
    towns = rng.integers(0, side + 1, (60, 2))
    in_town = rng.random(n) < 0.7
    which = rng.integers(0, len(towns), n)
    xy = np.where(in_town[:, None], towns[which] + rng.normal(0, r / 4, (n, 2)), rng.uniform(0, side, (n, 2)))
    xy = np.clip(np.rint(xy), 0, side).astype(np.int64)
    weight = rng.integers(1, 31, n)
    sites = rng.integers(0, side + 1, (m, 2))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "demand.csv"), "w") as f:
        f.write("x,y,weight\n")
        f.writelines("%d,%d,%d\n" % (a, b, w) for (a, b), w in zip(xy.tolist(), weight.tolist()))
    with open(os.path.join(folder, "sites.csv"), "w") as f:
        f.write("x,y\n")
        f.writelines("%d,%d\n" % (a, b) for a, b in sites.tolist())
    with open(os.path.join(folder, "instance.json"), "w") as f:
        json.dump({"demand": n, "sites": m, "p": args.p, "radius_m": r, "side_m": side, "seed": args.seed}, f)
    return side


def read_instance(folder):
    import numpy as np

    d = np.loadtxt(os.path.join(folder, "demand.csv"), delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    s = np.loadtxt(os.path.join(folder, "sites.csv"), delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    with open(os.path.join(folder, "instance.json")) as f:
        meta = json.load(f)
    return d[:, :2], d[:, 2].astype(float), s, meta


def recompute(folder, chosen):
    """Weight of the points within the radius of a chosen site, from the distances alone."""
    import numpy as np

    xy, w, sites, meta = read_instance(folder)
    r2 = meta["radius_m"] ** 2
    covered = np.zeros(len(xy), dtype=bool)
    for j in chosen:
        dx = xy[:, 0] - sites[j, 0]
        dy = xy[:, 1] - sites[j, 1]
        covered |= dx * dx + dy * dy <= r2
    return float(w[covered].sum()), float(w.sum())


# --- spopt (child process) ------------------------------------------------------------------------


def import_spopt(directory):
    """spopt.locate.coverage alone: spopt/__init__ imports spopt.region and spopt.locate/__init__ imports
    p_median and flow, whose dependencies (pointpats, tqdm, scikit-learn, …) the MCLP does not need."""
    import types

    root = os.path.join(os.path.abspath(directory), "spopt")
    for name, path in (("spopt", root), ("spopt.locate", os.path.join(root, "locate"))):
        module = types.ModuleType(name)
        module.__path__ = [path]
        sys.modules[name] = module
    from spopt.locate.coverage import MCLP  # noqa: E402

    return MCLP


def cbc_log_figures(log):
    out = {}
    try:
        with open(log) as f:
            for line in f:
                for key, name in (("Result - ", "result"), ("Objective value:", "objective"),
                                  ("Lower bound:", "bound"), ("Upper bound:", "bound")):
                    if line.startswith(key):
                        value = line[len(key):].strip()
                        out[name] = value if name == "result" else float(value)
    except (OSError, ValueError):
        pass
    if "objective" in out and "bound" in out and out["objective"]:
        out["gap"] = abs(out["bound"] - out["objective"]) / abs(out["objective"])  # CBC's own "Gap" line is not
    return out


def spopt_child(args):
    import numpy as np
    import pulp
    from scipy.spatial.distance import cdist

    MCLP = import_spopt(args.spopt)
    folder = os.path.join(args.work, "instance")
    xy, w, sites, meta = read_instance(folder)
    t0 = time.perf_counter()
    cost = cdist(xy.astype(float), sites.astype(float))
    matrix_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, w, service_radius=float(meta["radius_m"]), p_facilities=meta["p"])
    build_s = time.perf_counter() - t0
    del cost
    log = os.path.join(args.work, "spopt-cbc.log")
    solver = pulp.COIN_CMD(msg=False, timeLimit=args.time_limit, gapRel=args.mip_gap, logPath=log, threads=1)
    t0 = time.perf_counter()
    status = "ok"
    try:
        model.solve(solver, results=False)
    except Exception as e:  # a stop on the time limit may leave PuLP's status "Not Solved"
        status = "%s: %s" % (type(e).__name__, e)
    solve_s = time.perf_counter() - t0
    chosen = [j for j, v in enumerate(model.fac_vars) if v.value() is not None and v.value() > 0.5]
    objective = pulp.value(model.problem.objective)
    print(json.dumps({"matrix_seconds": matrix_s, "build_seconds": build_s, "solve_seconds": solve_s,
                      "objective": objective, "status": status, "pulp_status": pulp.LpStatus[model.problem.status],
                      "cbc": cbc_log_figures(log), "sites": chosen}))


# --- parent ---------------------------------------------------------------------------------------


def run_child(cmd, log_stem):
    with open(log_stem + ".out", "w") as out, open(log_stem + ".err", "w") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    with open(log_stem + ".out") as f:
        text = f.read()
    if code != 0:
        with open(log_stem + ".err") as f:
            tail = "\n    ".join(f.read().strip().splitlines()[-8:])
        raise BenchError("%s failed (exit %d; log %s.err)\n    %s" % (cmd[0], code, log_stem, tail))
    line = [l for l in text.strip().splitlines() if l.startswith("{")][-1]
    return json.loads(line), wall, usage.ru_maxrss / 1024.0


def main(argv):
    args = parse_args(argv)
    if args.spopt_child:
        spopt_child(args)
        return 0
    if not (os.path.isfile(args.bench) and os.access(args.bench, os.X_OK)):
        raise BenchError("no optimize_bench at %s: build it (cmake --build build --target optimize_bench) or "
                         "pass --bench PATH" % args.bench, code=2)
    if not args.skip_spopt and not (args.spopt and os.path.isfile(os.path.join(args.spopt, "spopt", "locate",
                                                                                 "coverage.py"))):
        raise BenchError("no spopt source given (--spopt DIR or SPOPT=DIR, the folder holding spopt/): "
                         "bash bench/optimize-vs-spopt gets it", code=2)
    args.work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="avip-optimize-vs-spopt."))
    folder = os.path.join(args.work, "instance")
    t0 = time.perf_counter()
    side = write_instance(args, folder)
    print("MCLP %d demand points x %d sites, p = %d, coverage %g min at %g km/h (%d m), square %.0f km, seed %d"
          % (args.demand, args.sites, args.p, args.minutes, args.speed_kmh, radius_m(args), side / 1000, args.seed))
    print("  instance written to %s in %.1f s; %d cores (%s), load %s" % (
        folder, time.perf_counter() - t0, os.cpu_count(), platform.processor() or platform.machine(),
        " ".join(open("/proc/loadavg").read().split()[:3])))

    avip, avip_wall, avip_rss = run_child(
        [os.path.abspath(args.bench), "--instance", folder, "--time-limit", str(args.time_limit),
         "--mip-gap", str(args.mip_gap)], os.path.join(args.work, "avipsim"))
    total = avip["total_weight"]
    rows = []
    failures = []

    def check(name, claimed, chosen):
        got, _ = recompute(folder, chosen)
        if abs(got - claimed) > 1e-6 * max(1.0, abs(claimed)):
            failures.append("%s: objective %.6f but its %d sites cover %.6f" % (name, claimed, len(chosen), got))
        return got

    g = avip["greedy"]
    g_cov = check("avipsim greedy", g["objective"], g["sites"])
    rows.append(("avipsim greedy", "%.3f s" % g["seconds"], g_cov, "—", "heuristic (lazy greedy)"))
    best_avip = g_cov
    sw = avip["swaps"]
    sw_cov = check("avipsim greedy + swaps", sw["objective"], sw["sites"])
    best_avip = max(best_avip, sw_cov)
    rows.append(("avipsim greedy + swaps", "%.3f s (after the greedy)" % sw["seconds"], sw_cov, "—",
                 "heuristic (swap local search)"))
    goals = ["greedy ≤ 0.1 s: %.3f s, %s" % (g["seconds"], "met" if g["seconds"] <= 0.1 else "NOT MET")]
    if avip["mip"]:
        mip = avip["mip"]
        m_cov = check("avipsim MIP", mip["objective"], mip["sites"])
        best_avip = max(best_avip, m_cov)
        gap = "%.4f %%" % (100 * mip["gap"]) if mip["gap"] is not None else "none (no bound)"
        root = ("root LP bound %.0f" % mip["root_bound"] if mip["root_solved"]
                else "root LP not solved in time")
        rows.append(("avipsim MIP (CBC)", "%.1f s" % mip["seconds"], m_cov, gap, "%s; %s" % (mip["status"], root)))
        met = mip["gap"] is not None and mip["gap"] <= 1e-3 and mip["seconds"] <= 60.5
        goals.append("MIP proven gap ≤ 0.1 %% in ≤ 60 s: %s in %.1f s, %s" % (gap, mip["seconds"],
                                                                          "met" if met else "NOT MET"))
    print("avipsim: %d pairs within reach, %d demand nodes; read %.2f s, model %.2f s; process %.1f s wall, "
          "peak RSS %.0f MB" % (avip["pairs"], avip["nodes"], avip["read_seconds"], avip["build_seconds"],
                                avip_wall, avip_rss))
    spopt = None
    if not args.skip_spopt:
        print("spopt: building and solving its model (about 17 min at 50,000 x 2,000) …", flush=True)
        spopt, s_wall, s_rss = run_child([sys.executable, os.path.abspath(__file__), "--spopt-child",
                                          "--spopt", args.spopt, "--work", args.work,
                                          "--time-limit", str(args.time_limit), "--mip-gap", str(args.mip_gap)],
                                         os.path.join(args.work, "spopt"))
        s_cov = check("spopt", spopt["objective"], spopt["sites"]) if spopt["sites"] else 0.0
        cbc = spopt["cbc"]
        gap = "%.4f %%" % (100 * cbc["gap"]) if "gap" in cbc else "0 (completed)" if "Optimal" in cbc.get(
            "result", "") else "not reported"
        rows.append(("spopt MCLP (PuLP + CBC)", "%.1f s build + %.1f s solve" % (spopt["build_seconds"],
                                                                                 spopt["solve_seconds"]),
                     s_cov, gap, "%s (%s)" % (cbc.get("result", spopt["pulp_status"]), spopt["status"])))
        print("spopt: cost matrix %.1f s, model build %.1f s, solve %.1f s; process %.1f s wall, peak RSS %.0f MB"
              % (spopt["matrix_seconds"], spopt["build_seconds"], spopt["solve_seconds"], s_wall, s_rss))
        if best_avip < s_cov - 1e-6:
            failures.append("avipsim's best coverage %.3f is below spopt's %.3f" % (best_avip, s_cov))
        goals.append("avipsim's objective ≥ spopt's: %.0f against %.0f, %s"
                     % (best_avip, s_cov, "met" if best_avip >= s_cov - 1e-6 else "NOT MET"))

    lines = ["| solver | time | covered weight (recomputed) | share | proven gap | status |", "|---|---|---|---|---|---|"]
    for name, t, cov, gap, status in rows:
        lines.append("| %s | %s | %.0f | %.3f %% | %s | %s |" % (name, t, cov, 100 * cov / total, gap, status))
    if spopt and spopt["build_seconds"] > 0:
        lines.append("")
        lines.append("avipsim greedy ÷ spopt model build alone: 1 : %.0f; avipsim best − spopt: %+.0f"
                     % (spopt["build_seconds"] / max(g["seconds"], 1e-6), best_avip - rows[-1][2]))
    lines.append("")
    lines.extend("goal: " + x for x in goals)
    print("\n".join(lines))
    with open(os.path.join(args.work, "figures.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("(figures also in %s/figures.md)" % args.work)
    if failures:
        raise BenchError("checks failed:\n  " + "\n  ".join(failures))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print("optimize_vs_spopt: %s" % e, file=sys.stderr)
        sys.exit(e.code)
