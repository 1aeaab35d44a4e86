"""avipsim's sensitivity estimators beside SALib's on the same sample matrices.

bench/sensitivity-vs-salib runs bench/sensitivity_bench (which writes X, Y and avipsim's indices into a
folder) and then this script, which feeds the same Y to SALib's sobol.analyze and morris.analyze (from a
checkout given by SALIB, imported from its source folder, never copied into avipsim) and prints both with
their largest absolute difference.
"""
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.environ["SALIB"], "src"))
try:  # SALib imports `multiprocess` for parallel evaluation only, which this comparison does not use
    import multiprocess  # noqa: F401
except ImportError:
    import multiprocessing

    sys.modules["multiprocess"] = multiprocessing
from SALib.analyze import morris as salib_morris  # noqa: E402
from SALib.analyze import sobol as salib_sobol  # noqa: E402


def read(path):
    with open(path) as f:
        return [row for row in csv.reader(f)]


def ours(folder, name):
    rows = read(os.path.join(folder, f"{name}_avipsim.csv"))
    return {k: np.array([float(r[i]) for r in rows[1:]]) for i, k in enumerate(rows[0]) if k != "factor"}


def sobol_case(folder, name):
    y = np.loadtxt(os.path.join(folder, f"{name}_Y.csv"))
    x = np.loadtxt(os.path.join(folder, f"{name}_X.csv"), delimiter=",")
    k = x.shape[1]
    problem = {"num_vars": k, "names": [f"x{i + 1}" for i in range(k)], "bounds": [[0, 1]] * k}
    s = salib_sobol.analyze(problem, y, calc_second_order=False, print_to_console=False, seed=1)
    a = ours(folder, name)
    print(f"{name}: Sobol' indices on the same {len(y)} evaluations")
    print("  factor   S1 avipsim   S1 SALib    ST avipsim   ST SALib")
    for i in range(k):
        print(f"  x{i + 1:<6} {a['S1'][i]:11.6f} {s['S1'][i]:10.6f} {a['ST'][i]:12.6f} {s['ST'][i]:10.6f}")
    d = max(np.max(np.abs(a["S1"] - s["S1"])), np.max(np.abs(a["ST"] - s["ST"])))
    print(f"  largest absolute difference: {d:.2e}")
    return d


def morris_case(folder):
    y = np.loadtxt(os.path.join(folder, "morris_Y.csv"))
    x = np.loadtxt(os.path.join(folder, "morris_X.csv"), delimiter=",")
    k = x.shape[1]
    problem = {"num_vars": k, "names": [f"x{i + 1}" for i in range(k)], "bounds": [[0, 1]] * k}
    s = salib_morris.analyze(problem, x, y, num_levels=4, print_to_console=False, seed=1)
    a = ours(folder, "morris")
    print(f"ishigami: Morris on the same {len(y)} evaluations (avipsim's trajectories)")
    print("  factor   mu* avipsim   mu* SALib   sigma avipsim   sigma SALib")
    for i in range(k):
        print(f"  x{i + 1:<6} {a['mu_star'][i]:12.6f} {s['mu_star'][i]:11.6f} {a['sigma'][i]:14.6f} {s['sigma'][i]:12.6f}")
    d = max(np.max(np.abs(a["mu_star"] - s["mu_star"])), np.max(np.abs(a["sigma"] - s["sigma"])))
    print(f"  largest absolute difference: {d:.2e}")
    return d


if __name__ == "__main__":
    folder = sys.argv[1]
    worst = max(sobol_case(folder, "ishigami"), sobol_case(folder, "gfunction"), morris_case(folder))
    print(f"avipsim and SALib agree to {worst:.1e} on every index")
