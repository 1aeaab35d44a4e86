#!/usr/bin/env python3
"""The bad-input campaign of issue 14, as a repeatable test.

Each case builds a fresh temporary folder (a copy of tests/data/mini, the tiny GTFS feed moved onto the
mini territory as mini/g, plus the files the case writes), runs one avipsim command (two for scenario
cases: `check` then `run`) with a timeout and a memory cap, and classifies the outcome:

  clear               exit 1 or 2, the output names the file / option / JSON pointer the case expects,
                      no "internal error" (for fault cases: interrupted or concurrent runs handled cleanly)
  accepted            exit 0 for a valid input
  unclear             exit 3, "internal error", or exit 1/2 without naming the expected place
  crash               killed by a signal, exit >= 128, sanitizer report
  hang                timeout
  huge                the memory cap was hit (std::bad_alloc, "out of memory")
  silent              exit 0 for an invalid input
  refused-valid       non-zero exit for a valid input
  check-run-mismatch  `check` passes but `run` refuses
  data-loss           a file that existed before the command is missing or changed after it
  leftover            a hidden staging folder `.NAME.tmp-*` (or a folder that must not be created) remains

Usage (from the project root):
  python3 tests/campaign/bad_inputs.py --avipsim ./build/avipsim [--only PATTERN] [--report FILE.md]
Exits 1 when any case is crash, hang, huge, silent, unclear, refused-valid, check-run-mismatch,
data-loss or leftover. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import csv
import datetime
import fnmatch
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT = 60
MEMORY_CAP = 4 * 1024**3
BAD = ["crash", "hang", "huge", "silent", "unclear", "refused-valid", "check-run-mismatch", "data-loss",
       "leftover"]
OUTCOMES = ["clear", "accepted"] + BAD
SEVERITY = {o: i for i, o in enumerate(["accepted", "clear", "unclear", "refused-valid", "check-run-mismatch",
                                        "silent", "leftover", "huge", "hang", "crash", "data-loss"])}
STAGING = re.compile(r"^\..+\.tmp-\d+-\d+$")  # avipsim's staging folders: .NAME.tmp-PID-N

# ---------------------------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, name, group, args, expect="invalid", names=(), files=None, check_run=None,
                 mutable=(), absent=(), setup=None, kind="normal", timeout=TIMEOUT, note=""):
        self.name = name
        self.group = group
        self.args = list(args)  # avipsim arguments, run from the case's folder
        self.expect = expect  # invalid | valid | either (a clear error or an acceptance are both right)
        self.names = list(names)  # every one must appear in the output of a refusal
        self.files = files or {}  # relative path -> text, bytes, or None (delete)
        self.check_run = check_run  # a scenario: run `check` on it, then this case's args (a run)
        self.mutable = list(mutable)  # relative paths that may legitimately change (a --force target)
        self.absent = list(absent)  # relative paths that must not exist afterwards
        self.setup = setup  # fn(folder) run after the files are written
        self.kind = kind  # normal | interrupt | concurrent
        self.timeout = timeout
        self.note = note


CASES = []


def add(*a, **k):
    CASES.append(Case(*a, **k))


def js(obj):
    return json.dumps(obj)


BASE = {"territory": "mini/territory.json", "replications": 2}
GBASE = {"territory": "mini/t-gtfs.json", "replications": 2}


def scen(name, group, body, names=(), expect="invalid", files=None, base=None, extra_args=(), **k):
    """A scenario case: s.json is `body` (text as is, or a dict merged over the mini base scenario);
    `check s.json` and `run s.json --out out` both run."""
    text = body if isinstance(body, (str, bytes)) else js(dict(base or BASE, **body))
    f = dict(files or {})
    f["s.json"] = text
    nm = list(names)
    add(name, group, ["run", "s.json", "--out", "out", "--quiet"] + list(extra_args), expect=expect,
        names=nm, files=f, check_run="s.json", absent=["out"] if expect == "invalid" else [], **k)


def edit(name, group, edits, names=(), expect="invalid", base=None, **k):
    scen(name, group, {"edits": edits if isinstance(edits, list) else [edits]}, names, expect, base=base, **k)


# --- scenario JSON: syntax --------------------------------------------------------------------------------
G = "scenario"
scen("empty file", G, "", ["s.json"])
scen("only spaces", G, "   \n  ", ["s.json"])
scen("unclosed object", G, '{"territory": "mini/territory.json"', ["s.json"])
scen("trailing comma", G, '{"territory": "mini/territory.json", "replications": 2,}', ["s.json"])
scen("comment", G, '{"territory": "mini/territory.json" /* c */, "replications": 2}', ["s.json"])
scen("single quotes", G, "{'territory': 'mini/territory.json'}", ["s.json"])
scen("top-level array", G, '[{"territory": "mini/territory.json"}]', ["s.json"])
scen("top-level string", G, '"mini/territory.json"', ["s.json"])
scen("top-level null", G, "null", ["s.json"])
scen("NUL byte after the object", G, b'{"territory": "mini/territory.json", "replications": 2}\x00{"seed": 1}',
     ["s.json", "NUL"])
scen("NUL byte inside a string", G, b'{"territory": "mini/territory.json", "name": "a\x00b", "replications": 2}',
     ["s.json"])
scen("duplicate top-level key", G, '{"territory": "mini/territory.json", "seed": 1, "seed": 2, "replications": 2}',
     ["s.json", "/seed", "duplicate"])
scen("duplicate nested key", G, '{"territory": "mini/territory.json", "replications": 2, "params": '
     '{"policy": "lottery", "policy": "priority"}}', ["s.json", "/params/policy", "duplicate"])
scen("duplicate key in an edit", G, '{"territory": "mini/territory.json", "replications": 2, "edits": ['
     '{"type": "params", "type": "label", "params": {}}]}', ["s.json", "/edits/0/type"])
scen("number overflow 1e400", G, '{"territory": "mini/territory.json", "replications": 2, "params": '
     '{"awareness_rate": 1e400}}', ["s.json", "1e400"])
scen("number overflow -1e400", G, '{"territory": "mini/territory.json", "replications": 2, "params": '
     '{"awareness_rate": -1e400}}', ["s.json"])
scen("NaN literal", G, '{"territory": "mini/territory.json", "replications": 2, "params": {"awareness_rate": NaN}}',
     ["s.json"])
scen("Infinity literal", G, '{"territory": "mini/territory.json", "replications": 2, "params": '
     '{"demand_scale": Infinity}}', ["s.json"])
scen("huge integer seed", G, '{"territory": "mini/territory.json", "replications": 2, "seed": '
     '99999999999999999999}', ["s.json", "/seed"])
scen("invalid UTF-8 in name", G, b'{"territory": "mini/territory.json", "name": "\xff\xfe", "replications": 2}',
     ["s.json"])
scen("control character in a string", G, b'{"territory": "mini/territory.json", "name": "a\x01b", "replications": 2}',
     ["s.json"])
scen("within nested 100000 deep", G, '{"territory": "mini/territory.json", "replications": 2, "edits": [{"type": '
     '"label", "select": {"within": ' + "[" * 100000 + "]" * 100000 + "}}]}", ["s.json", "nested"])
scen("description nested 10000 deep", G, '{"territory": "mini/territory.json", "replications": 2, "description": '
     + "[" * 10000 + "]" * 10000 + "}", ["s.json", "nested"])
scen("UTF-8 BOM", G, "\ufeff" + js(BASE), ["s.json"], expect="either")
scen("text after the object", G, js(BASE) + " garbage", ["s.json"])

# --- scenario JSON: types, ranges, unknown keys, paths -------------------------------------------------------
scen("unknown top-level key", G, {"replicationz": 5}, ["s.json", "replicationz"])
scen("replications as text", G, {"replications": "2"}, ["s.json", "/replications"])
scen("replications 1.5", G, {"replications": 1.5}, ["s.json", "/replications"])
scen("replications 0", G, {"replications": 0}, ["s.json", "/replications"])
scen("replications -1", G, {"replications": -1}, ["s.json", "/replications"])
scen("replications 100001", G, {"replications": 100001}, ["s.json", "/replications"])
scen("seed -1", G, {"seed": -1}, ["s.json", "/seed"])
scen("seed 1.5", G, {"seed": 1.5}, ["s.json", "/seed"])
scen("seed as text", G, {"seed": "abc"}, ["s.json", "/seed"])
scen("seed 2^64", G, {"seed": 18446744073709551616}, ["s.json", "/seed"])
scen("date with dashes", G, {"date": "2025-06-10"}, ["s.json", "/date"], base=GBASE)
scen("date as a number", G, {"date": 20250610}, ["s.json", "/date"], base=GBASE)
scen("date 20251340", G, {"date": "20251340"}, ["s.json", "/date"], base=GBASE)
scen("date outside the feed", G, {"date": "20300310"}, ["2030-03-10", "mini/g"], base=GBASE)
scen("name as a number", G, {"name": 3}, ["s.json", "/name"])
scen("territory as a number", G, {"territory": 3}, ["s.json", "/territory"])
scen("no territory nor base", G, '{"replications": 2}', ["s.json"])
scen("territory empty string", G, {"territory": ""}, ["s.json", "/territory"])
scen("territory a folder", G, {"territory": "mini"}, ["mini", "folder"])
scen("territory missing file", G, {"territory": "mini/nowhere.json"}, ["nowhere.json"])
scen("territory /dev/zero", G, {"territory": "/dev/zero"}, ["/dev/zero"])
scen("territory /vsicurl/", G, {"territory": "/vsicurl/http://127.0.0.1:1/t.json"}, ["s.json", "/territory"])
scen("territory outside (absolute)", G, {"territory": "/etc/hostname"}, ["s.json", "/territory"])
scen("territory climbing with ..", G, {"territory": "../../../../etc/hostname"}, ["s.json", "/territory"])
scen("territory is the scenario itself", G, {"territory": "s.json"}, ["s.json"])
scen("territory is a GeoJSON layer", G, {"territory": "mini/communes.geojson"}, ["communes.geojson"])
scen("base missing", G, '{"base": "nowhere.json", "replications": 2}', ["nowhere.json"])
scen("base is itself", G, '{"base": "s.json", "replications": 2}', ["s.json"])
scen("base cycle", G, '{"base": "b.json", "replications": 2}', ["/base", "cycle"],
     files={"b.json": '{"base": "s.json"}'})
scen("base invalid", G, '{"base": "b.json", "replications": 2}', ["b.json", "/params/policy"],
     files={"b.json": js({"territory": "mini/territory.json", "params": {"policy": "best"}})})
scen("base as a number", G, '{"base": 7, "replications": 2}', ["s.json", "/base"])
scen("params not an object", G, {"params": [1, 2]}, ["s.json", "/params"])
scen("unknown parameter", G, {"params": {"tolerance_minutes": 30}}, ["s.json", "tolerance_minutes"])
scen("policy unknown", G, {"params": {"policy": "best"}}, ["s.json", "/params/policy"])
scen("year_bound as text", G, {"params": {"year_bound": "yes"}}, ["s.json", "/params/year_bound"])
scen("awareness_rate 1.5", G, {"params": {"awareness_rate": 1.5}}, ["s.json", "/params/awareness_rate"])
scen("awareness_rate -0.1", G, {"params": {"awareness_rate": -0.1}}, ["s.json", "/params/awareness_rate"])
scen("awareness_rate 'nan'", G, {"params": {"awareness_rate": "nan"}}, ["s.json", "/params/awareness_rate"])
scen("awareness_rate null", G, {"params": {"awareness_rate": None}}, ["s.json", "/params/awareness_rate"])
scen("horizon_months 6.5", G, {"params": {"horizon_months": 6.5}}, ["s.json", "/params/horizon_months"])
scen("horizon_months 0", G, {"params": {"horizon_months": 0}}, ["s.json", "/params/horizon_months"])
scen("horizon_months 61", G, {"params": {"horizon_months": 61}}, ["s.json", "/params/horizon_months"])
scen("warmup_months -1", G, {"params": {"warmup_months": -1}}, ["s.json", "/params/warmup_months"])
scen("year 1999", G, {"params": {"year": 1999}}, ["s.json", "/params/year"])
scen("school_entry_month 12", G, {"params": {"school_entry_month": 12}}, ["s.json", "/params/school_entry_month"])
scen("demand_scale 11", G, {"params": {"demand_scale": 11}}, ["s.json", "/params/demand_scale"])
scen("max_wait_weeks 1e9", G, {"params": {"max_wait_weeks": 1e9}}, ["s.json", "/params/max_wait_weeks"])
scen("contract_months 0", G, {"params": {"contract_months": 0}}, ["s.json", "/params/contract_months"])
scen("detour_factor 0.5", G, {"params": {"detour_factor": 0.5}}, ["s.json", "/params/detour_factor"])
scen("car_speed_kmh 0", G, {"params": {"car_speed_kmh": 0}}, ["s.json", "/params/car_speed_kmh"])
scen("walk_speed_kmh as text", G, {"params": {"walk_speed_kmh": "5"}}, ["s.json", "/params/walk_speed_kmh"])
scen("max_candidates 10001", G, {"params": {"max_candidates": 10001}}, ["s.json", "/params/max_candidates"])
scen("max_candidates 2^63", G, {"params": {"max_candidates": 9223372036854775808}},
     ["s.json", "/params/max_candidates"])
scen("tolerance_bus_minutes 0", G, {"params": {"tolerance_bus_minutes": 0}},
     ["s.json", "/params/tolerance_bus_minutes"])
scen("priority_weight -1", G, {"params": {"priority_weight": -1}}, ["s.json", "/params/priority_weight"])
scen("l214_places_per_child 0", G, {"params": {"l214_places_per_child": 0}},
     ["s.json", "/params/l214_places_per_child"])
scen("max_age_months 0", G, {"params": {"max_age_months": 0}}, ["s.json", "/params/max_age_months"])
scen("baby_bus_yearly_cost -5", G, {"params": {"baby_bus_yearly_cost": -5}},
     ["s.json", "/params/baby_bus_yearly_cost"])
scen("edits not an array", G, {"edits": {"type": "label"}}, ["s.json", "/edits"])
scen("edit not an object", G, {"edits": ["label"]}, ["s.json", "/edits/0"])
scen("edit without type", G, {"edits": [{"select": {"ids": ["cr-alpha"]}}]}, ["s.json", "/edits/0"])
scen("edit of unknown type", G, {"edits": [{"type": "relabel"}]}, ["s.json", "/edits/0/type"])
scen("unknown key in an edit", G, {"edits": [{"type": "label", "select": {"ids": ["cr-alpha"]}, "placez": 4}]},
     ["s.json", "placez"])

# --- scenario edits ---------------------------------------------------------------------------------------
G = "edits"
LA = {"type": "label", "select": {"ids": ["cr-alpha"]}}
edit("label without select", G, {"type": "label"}, ["s.json", "/edits/0"])
edit("label empty selector", G, {"type": "label", "select": {}}, ["s.json", "/edits/0/select"])
edit("label selector not an object", G, {"type": "label", "select": "cr-alpha"}, ["s.json", "/edits/0/select"])
edit("label unknown id", G, {"type": "label", "select": {"ids": ["nope"]}}, ["s.json", "/edits/0/select", "nope"])
edit("label ids as a number", G, {"type": "label", "select": {"ids": 3}}, ["s.json", "/edits/0/select/ids"])
edit("label unknown commune", G, {"type": "label", "select": {"commune": "99999"}}, ["s.json", "/edits/0/select"])
edit("label unknown kind", G, {"type": "label", "select": {"kind": "castle"}}, ["s.json", "/edits/0/select"])
edit("label unknown manager", G, {"type": "label", "select": {"manager": "nobody"}}, ["s.json", "/edits/0/select"])
edit("label unknown network", G, {"type": "label", "select": {"network": "net-x"}}, ["s.json", "/edits/0/select"])
edit("label unknown selector key", G, {"type": "label", "select": {"idz": ["cr-alpha"]}}, ["s.json", "idz"])
edit("label within a Point", G, {"type": "label", "select": {"within": {"type": "Point", "coordinates": [3.03, 45.72]}}},
     ["s.json", "/edits/0/select/within"])
edit("label within unclosed ring", G, {"type": "label", "select": {"within": {"type": "Polygon", "coordinates":
     [[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8]]]}}}, ["s.json", "/edits/0/select/within"])
edit("label within text coordinates", G, {"type": "label", "select": {"within": {"type": "Polygon", "coordinates":
     [[["a", "b"], [3.1, 45.7], [3.1, 45.8], ["a", "b"]]]}}}, ["s.json", "/edits/0/select/within"])
edit("label within matching nothing", G, {"type": "label", "select": {"within": {"type": "Polygon", "coordinates":
     [[[10, 10], [11, 10], [11, 11], [10, 10]]]}}}, ["s.json", "/edits/0/select"])
edit("label within a string", G, {"type": "label", "select": {"within": "POLYGON((0 0,1 0,1 1,0 0))"}},
     ["s.json", "/edits/0/select/within"])
edit("label places 0", G, dict(LA, places=0), ["s.json", "/edits/0/places"])
edit("label places 2.7", G, dict(LA, places=2.7), ["s.json", "/edits/0/places"])
edit("label places 5000", G, dict(LA, places=5000), ["s.json", "/edits/0/places"])
edit("label places above the structure's", G, dict(LA, places=50), ["s.json", "/edits/0"])
edit("label coordinator as text", G, dict(LA, coordinator="yes"), ["s.json", "/edits/0/coordinator"])
edit("label network as a number", G, dict(LA, network=3), ["s.json", "/edits/0/network"])
edit("label twice the same facility", G, [LA, dict(LA, places=3)], ["s.json", "/edits/1"], expect="either")
HO = {"type": "hours", "select": {"ids": ["cr-alpha"]}}
edit("hours without hours", G, HO, ["s.json", "/edits/0"])
edit("hours as a number", G, dict(HO, hours=8), ["s.json", "/edits/0/hours"])
edit("hours unknown id", G, {"type": "hours", "select": {"ids": ["zz"]}, "hours": "Mo-Fr 08:00-12:00"},
     ["s.json", "zz"])
edit("two hours edits on one facility", G, [dict(HO, hours="Mo-Fr 07:00-19:00"), dict(HO, hours="Mo-Fr 06:00-20:00")],
     ["s.json", "/edits/1"])
edit("hours replace as text", G, dict(HO, hours="Mo-Fr 07:00-19:00", replace="yes"), ["s.json", "/edits/0/replace"])
NEWF = {"id": "new", "kind": "micro_creche", "places": 10, "hours": "Mo-Fr 07:00-19:00", "lon": 3.05, "lat": 45.75}


def addf(**kw):
    f = dict(NEWF)
    for k, v in kw.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return {"type": "add_facilities", "facilities": [f]}


P0 = "/edits/0/facilities/0"
edit("add without facilities nor file", G, {"type": "add_facilities"}, ["s.json", "/edits/0"])
edit("add empty facilities list", G, {"type": "add_facilities", "facilities": []}, ["s.json", "/edits/0"])
edit("add facility without id", G, addf(id=None), ["s.json", P0])
edit("add facility id of an existing one", G, addf(id="cr-alpha"), ["s.json", "cr-alpha"])
edit("add two facilities with one id", G, {"type": "add_facilities", "facilities": [NEWF, NEWF]},
     ["s.json", "/edits/0/facilities/1"])
edit("add facility unknown kind", G, addf(kind="castle"), ["s.json", P0 + "/kind"])
edit("add facility places 0", G, addf(places=0), ["s.json", P0 + "/places"])
edit("add facility places 2.5", G, addf(places=2.5), ["s.json", P0 + "/places"])
edit("add facility places as text", G, addf(places="10"), ["s.json", P0 + "/places"])
edit("add facility without hours", G, addf(hours=None), ["s.json", P0])
edit("add facility bad hours", G, addf(hours="Mo-Fr 25:00-26:99"), ["s.json", P0 + "/hours"])
edit("add facility without lon", G, addf(lon=None), ["s.json", P0])
edit("add facility lat 91", G, addf(lat=91), ["s.json", P0])
edit("add facility lon as text", G, addf(lon="3.05"), ["s.json", P0 + "/lon"])
edit("add facility far outside the territory", G, addf(lon=55.4, lat=-21.0), ["s.json", P0])
edit("add facility occupancy 1.5", G, addf(occupancy=1.5), ["s.json", P0 + "/occupancy"])
edit("add facility avip as text", G, addf(avip="oui-ish"), ["s.json", P0 + "/avip"])
edit("add facility unknown key", G, addf(colour="red"), ["s.json", "colour"])
edit("add facility just off the boundary", G, addf(lon=3.2025, lat=45.75), expect="valid")
edit("add facility 5 km off the boundary", G, addf(lon=3.27, lat=45.75), ["s.json", P0])
FILEADD = {"type": "add_facilities", "file": "new.csv"}
edit("add file missing", G, FILEADD, ["s.json", "new.csv"])
edit("add file is a folder", G, {"type": "add_facilities", "file": "mini"}, ["s.json", "/edits/0/file"])
edit("add file /dev/zero", G, {"type": "add_facilities", "file": "/dev/zero"}, ["s.json", "/edits/0/file"])
edit("add file empty", G, FILEADD, ["new.csv"], files={"new.csv": ""})
edit("add file CSV without lon/lat", G, FILEADD, ["new.csv", "lon"],
     files={"new.csv": "id,kind,places,hours\nn1,creche,10,Mo-Fr 07:00-19:00\n"})
edit("add file CSV text latitude", G, FILEADD, ["new.csv", "lat"],
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,north\n"})
edit("add file CSV places 2.5", G, FILEADD, ["new.csv", "places"],
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,creche,2.5,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add file CSV unknown kind", G, FILEADD, ["new.csv", "kind"],
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,castle,10,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add file CSV bad hours", G, FILEADD, ["new.csv", "hours"],
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,creche,10,tomorrow,3.05,45.75\n"})
edit("add file CSV duplicate ids", G, FILEADD, ["new.csv", "n1"],
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.75\n"
            "n1,creche,10,Mo-Fr 07:00-19:00,3.06,45.75\n"})
edit("add file fields not a string", G, dict(FILEADD, fields={"places": 3}), ["s.json", "/edits/0/fields/places"],
     files={"new.csv": "id,kind,capacite,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add file fields unknown column", G, dict(FILEADD, fields={"places": "capa"}), ["new.csv", "capa"],
     files={"new.csv": "id,kind,capacite,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add file outside the folder (..)", G, {"type": "add_facilities", "file": "../x.csv"},
     ["s.json", "/edits/0/file"])
edit("add file absolute path", G, {"type": "add_facilities", "file": "/etc/passwd"}, ["s.json", "/edits/0/file"])
edit("add file /vsicurl/", G, {"type": "add_facilities", "file": "/vsicurl/http://127.0.0.1:1/x.geojson"},
     ["s.json", "/edits/0/file"])
edit("add file GeoJSON polygons", G, {"type": "add_facilities", "file": "mini/communes.geojson"},
     ["communes.geojson"])
BB = {"type": "baby_bus", "action": "add", "bus": "bb-new",
      "sites": [{"id": "bb-s1", "places": 12, "hours": "Mo,Th 08:30-16:00", "lon": 3.05, "lat": 45.75}]}


def bb(**kw):
    e = json.loads(js(BB))
    e.update(kw)
    return e


edit("baby_bus without bus", G, {"type": "baby_bus", "action": "add"}, ["s.json", "/edits/0"])
edit("baby_bus unknown action", G, bb(action="park"), ["s.json", "/edits/0/action"])
edit("baby_bus add without sites", G, {"type": "baby_bus", "action": "add", "bus": "bb-new"}, ["s.json", "/edits/0"])
edit("baby_bus add empty sites", G, bb(sites=[]), ["s.json", "/edits/0"])
edit("baby_bus reroute unknown bus", G, bb(action="reroute", bus="bb-none"), ["s.json", "bb-none"])
edit("baby_bus remove unknown bus", G, {"type": "baby_bus", "action": "remove", "bus": "bb-none"},
     ["s.json", "bb-none"])
edit("baby_bus site places 0", G, bb(sites=[dict(BB["sites"][0], places=0)]), ["s.json", "/edits/0/sites/0/places"])
edit("baby_bus site bad hours", G, bb(sites=[dict(BB["sites"][0], hours="Mo,Th 8h30")]),
     ["s.json", "/edits/0/sites/0/hours"])
edit("baby_bus site outside", G, bb(sites=[dict(BB["sites"][0], lon=55.4, lat=-21.0)]), ["s.json", "/edits/0/sites/0"])
edit("baby_bus bus id of a facility", G, bb(bus="cr-alpha"), ["s.json", "/edits/0"], expect="either")
BS = {"type": "bus_service", "routes": ["R1"], "from": "19:00", "to": "21:00", "headway_minutes": 30}
edit("bus_service unknown route", G, dict(BS, routes=["R9"]), ["s.json", "/edits/0/routes/0", "R9"], base=GBASE)
edit("bus_service from 25:00 (after to)", G, dict(BS, **{"from": "25:00"}), ["s.json", "/edits/0/to", "/from"],
     base=GBASE)
edit("bus_service from 7pm", G, dict(BS, **{"from": "7pm"}), ["s.json", "/edits/0/from"], base=GBASE)
edit("bus_service to before from", G, dict(BS, to="18:00"), ["s.json", "/edits/0"], base=GBASE)
edit("bus_service headway 1", G, dict(BS, headway_minutes=1), ["s.json", "/edits/0/headway_minutes"], base=GBASE)
edit("bus_service headway nan text", G, dict(BS, headway_minutes="nan"), ["s.json", "/edits/0/headway_minutes"],
     base=GBASE)
edit("bus_service factor 0.5", G, {"type": "bus_service", "frequency_factor": 0.5},
     ["s.json", "/edits/0/frequency_factor"], base=GBASE)
edit("bus_service factor and headway", G, dict(BS, frequency_factor=2), ["s.json", "/edits/0"], base=GBASE,
     expect="either")
edit("bus_service without feeds", G, BS, ["s.json", "/edits/0"])
edit("bus_service routes as a number", G, dict(BS, routes=1), ["s.json", "/edits/0/routes"], base=GBASE)
edit("params edit bad value", G, {"type": "params", "params": {"acceptance_rate": 2}},
     ["s.json", "/edits/0/params/acceptance_rate"])
edit("params edit unknown", G, {"type": "params", "params": {"speed": 2}}, ["s.json", "speed"])
edit("params edit without params", G, {"type": "params"}, ["s.json", "/edits/0"])

# --- opening hours (through an `hours` edit on cr-alpha) ------------------------------------------------------
G = "hours"
for h in ["24/7", "24/7; Su off", "Mo-Fr 07:00-18:30, Sa 08:00-12:00", "Mo-Fr 08:00-12:00,14:00-18:00",
          "Mo-Fr 08:00-12:00, 14:00-18:00", "Mo,We,Fr 08:00-12:00", "Fr 22:00-02:00", "Mo-Fr 07:00-18:30; PH off",
          "Mo-Fr 07:00-18:30; Su,PH off", "Mo-Su 00:00-24:00", "Mo-Fr 08:00-18:00; We 12:00-14:00 off",
          "Sa-Mo 08:00-12:00", "Mo-Fr 06:00-20:00; Sa 07:00-13:00", "Mo-Fr 07:00-18:30;", "Mo-Fr 22:00-26:00",
          "Mo-Fr 07:00-18:30 open", 'Mo-Fr 07:00-18:30 open "AVIP"', "08:00-18:00", "Mo-Fr 07:00-18:30; We off"]:
    edit("valid " + h, G, dict(HO, hours=h), expect="valid")
for h, part in [("Mo-Fr 25:00-26:00", "25:00"), ("Mo-Fr 08:61-12:00", "08:61"), ("Xx 08:00-12:00", "Xx"),
                ("Mo-Fr 8h-12h", "8h"), ("", "/edits/0/hours"), ("PH off", "PH"), ("Mo-Fr 10:00-10:00", "10:00"),
                ("sunrise-sunset", "sunrise"), ("Jan-Mar Mo-Fr 08:00-12:00", "Jan"), ("Mo[1] 08:00-12:00", "Mo[1]"),
                ("Mo-Fr 07:00-18:30 || \"on call\"", "||"), ("Mo-Fr 18:00+", "18:00+"), ("Mo-Fr 07:00-", "07:00"),
                ("Mo–Fr 07:00-18:30", "/edits/0/hours"), ("week 01-10 Mo 08:00-12:00", "week"),
                ("Mo-Fr 07:00-18:30 off", None), ("unknown", "unknown"), ("off", None), ("Mo-Fr 07:00-18:30\x00", "/edits/0/hours"),
                ("Mo-Fr " + "08:00-09:00," * 120000 + "10:00-11:00", "/edits/0/hours"), ("Mo-Fr -1:00-08:00", "/edits/0/hours"),
                ("Mo-Fr 07:00-48:30", "48:30")]:
    if part is None:
        # closes the facility on every day: a valid value, accepted
        edit("closing " + h, G, dict(HO, hours=h), expect="valid")
        continue
    edit("bad " + (h if len(h) < 60 else h[:40] + "... (1 MB)"), G, dict(HO, hours=h), ["s.json", "/edits/0/hours"]
         + ([part] if part != "/edits/0/hours" else []))

# --- valid scenarios ------------------------------------------------------------------------------------------
G = "valid"
scen("minimal scenario", G, {}, expect="valid")
scen("name and description", G, {"name": "mini é", "description": "x"}, expect="valid")
scen("$schema key", G, {"$schema": "../scenarios/scenario.schema.json"}, expect="valid")
scen("policy lottery", G, {"params": {"policy": "lottery"}}, expect="valid")
scen("policy optimal with year bound", G, {"params": {"policy": "optimal", "year_bound": True}}, expect="valid")
scen("every bound at its minimum", G, {"params": {"awareness_rate": 0, "horizon_months": 1, "warmup_months": 0,
     "year": 2000, "school_entry_month": 0, "max_wait_weeks": 0, "contract_months": 1, "contract_renewals": 0,
     "detour_factor": 1, "car_speed_kmh": 5, "walk_speed_kmh": 1, "max_candidates": 1, "tolerance_car_minutes": 1,
     "tolerance_bus_minutes": 1, "tolerance_walk_minutes": 1, "demand_scale": 0}}, expect="valid")
scen("every bound at its maximum", G, {"params": {"awareness_rate": 1, "horizon_months": 60, "warmup_months": 60,
     "year": 2100, "school_entry_month": 11, "max_wait_weeks": 104, "contract_months": 24, "contract_renewals": 5,
     "detour_factor": 3, "car_speed_kmh": 120, "walk_speed_kmh": 10, "tolerance_car_minutes": 180,
     "demand_scale": 10, "max_age_months": 72}}, expect="valid")
scen("seed 0", G, {"seed": 0}, expect="valid")
scen("seed 2^64-1 (beyond 9e15)", G, {"seed": 18446744073709551615}, ["s.json", "/seed", "out of range"])
scen("seed 9e15", G, {"seed": 9000000000000000}, expect="valid")
scen("replications 1", G, {"replications": 1}, expect="valid")
scen("integral float replications 2.0", G, {"replications": 2.0}, expect="either", names=["/replications"])
scen("base scenario", G, '{"base": "b.json", "replications": 2, "params": {"policy": "lottery"}}', expect="valid",
     files={"b.json": js({"territory": "mini/territory.json", "edits": [LA]})})
scen("absolute territory with --allow-outside", G, {}, expect="valid", extra_args=["--allow-outside"],
     setup=lambda d: open(os.path.join(d, "s.json"), "w").write(js(dict(BASE, territory=os.path.join(d, "mini",
                                                                                                       "territory.json")))))
scen("territory with roads", G, {"territory": "mini/territory-roads.json"}, expect="valid")
scen("gtfs territory", G, {}, expect="valid", base=GBASE)
scen("gtfs territory with a date", G, {"date": "20250610"}, expect="valid", base=GBASE)
edit("label by id", G, dict(LA, places=4), expect="valid")
edit("label by commune name", G, {"type": "label", "select": {"commune": "Beta"}, "network": "net-b", "coordinator": True},
     expect="valid")
edit("label by commune code and kind list", G, {"type": "label", "select": {"commune": "63001", "kind": ["assmat"]}},
     expect="valid")
edit("label within a polygon", G, {"type": "label", "select": {"within": {"type": "Polygon", "coordinates":
     [[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.8], [3.0, 45.7]]]}}}, expect="valid")
edit("label within a MultiPolygon", G, {"type": "label", "select": {"within": {"type": "MultiPolygon", "coordinates":
     [[[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.8], [3.0, 45.7]]]]}}}, expect="valid")
edit("label by network", G, {"type": "label", "select": {"network": "ram-alpha"}, "network": "ram-alpha"}, expect="valid")
edit("add a facility", G, addf(), expect="valid")
edit("add facilities from CSV", G, FILEADD, expect="valid",
     files={"new.csv": "id,kind,places,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add facilities from CSV with fields", G, dict(FILEADD, fields={"places": "capacite"}), expect="valid",
     files={"new.csv": "id,kind,capacite,hours,lon,lat\nn1,creche,10,Mo-Fr 07:00-19:00,3.05,45.75\n"})
edit("add facilities from GeoJSON", G, {"type": "add_facilities", "file": "new.geojson"}, expect="valid",
     files={"new.geojson": js({"type": "FeatureCollection", "features": [{"type": "Feature", "properties":
            {"id": "n1", "kind": "creche", "places": 12, "hours": "Mo-Fr 07:00-19:00"},
            "geometry": {"type": "Point", "coordinates": [3.05, 45.75]}}]})})
edit("baby bus add", G, BB, expect="valid")
edit("baby bus add then reroute", G, [BB, bb(action="reroute", sites=[dict(BB["sites"][0], id="bb-s2", lon=3.15)])],
     expect="valid")
edit("baby bus add then remove", G, [BB, {"type": "baby_bus", "action": "remove", "bus": "bb-new"}], expect="valid")
edit("bus service headway", G, BS, expect="valid", base=GBASE)
edit("bus service factor, all routes", G, {"type": "bus_service", "frequency_factor": 2}, expect="valid", base=GBASE)
edit("params edit", G, {"type": "params", "params": {"policy": "lottery", "acceptance_rate": 0.5}}, expect="valid")
edit("hours replace", G, dict(HO, hours="Mo-Sa 06:00-21:00", replace=True), expect="valid")
edit("every edit type", G, [dict(LA, places=4), dict(HO, hours="Mo-Fr 06:00-20:00"), addf(), BB,
                            {"type": "params", "params": {"policy": "lottery"}}, BS], expect="valid", base=GBASE)

# --- territory manifest ---------------------------------------------------------------------------------------
G = "manifest"
MINI = json.load(open(os.path.join(ROOT, "tests/data/mini/territory.json"), encoding="utf-8"))


def manifest(name, change, names=(), expect="invalid", files=None, **k):
    """`check m/t.json` on a copy of the mini manifest changed by `change` (fn(dict) or raw text)."""
    if callable(change):
        m = json.loads(js(MINI))
        change(m)
        text = js(m)
    else:
        text = change
    f = dict(files or {})
    f["mini/t.json"] = text
    nm = (["t.json"] if any(n.startswith("/") for n in names) else []) + list(names)
    add(name, G if "group" not in k else k.pop("group"), ["check", "mini/t.json"], expect=expect, names=nm,
        files=f, **k)


def setl(layer, key, value):
    def f(m):
        if value is None:
            m["layers"][layer].pop(key, None)
        else:
            m["layers"][layer][key] = value
    return f


def sett(key, value):
    def f(m):
        if value is None:
            m.pop(key, None)
        else:
            m[key] = value
    return f


manifest("manifest valid copy", lambda m: None, expect="valid")
manifest("without layers", sett("layers", None), ["t.json"])
manifest("without layers, with epsg", lambda m: (m.pop("layers"), m.update(epsg=2154)), ["/layers"])
manifest("layers as an array", sett("layers", []), ["/layers"])
manifest("without communes", lambda m: m["layers"].pop("communes"), ["communes"])
manifest("without facilities (optional layer)", lambda m: m["layers"].pop("facilities"), expect="valid")
manifest("layer without path", setl("qpv", "path", None), ["/layers/qpv"])
manifest("path empty", setl("qpv", "path", ""), ["/layers/qpv/path"])
manifest("path a folder of shapefiles", setl("qpv", "path", "facilities_shp"), ["facilities_shp"])
manifest("path /dev/zero", setl("qpv", "path", "/dev/zero"), ["/layers/qpv/path"])
manifest("path missing file", setl("qpv", "path", "nowhere.geojson"), ["nowhere.geojson"])
manifest("path missing but optional", lambda m: m["layers"]["qpv"].update(path="nowhere.geojson", optional=True),
         expect="valid")
manifest("path as a number", setl("qpv", "path", 3), ["/layers/qpv/path"])
manifest("path an empty file", setl("qpv", "path", "empty.geojson"), ["empty.geojson"],
         files={"mini/empty.geojson": ""})
manifest("path /vsicurl/", setl("qpv", "path", "/vsicurl/http://127.0.0.1:1/q.geojson"), ["/layers/qpv/path"])
manifest("path /vsizip/ relative to the manifest", lambda m: m["layers"]["facilities"].update(
    path="/vsizip/facilities_shp.zip/facilities.shp"), expect="valid")
manifest("path /vsizip/ missing zip", setl("facilities", "path", "/vsizip/none.zip/facilities.shp"), ["none.zip"])
manifest("facilities from GeoPackage", setl("facilities", "path", "facilities.gpkg"), expect="valid")
manifest("facilities from Shapefile folder", setl("facilities", "path", "facilities_shp/facilities.shp"),
         expect="valid")
manifest("facilities from CSV with x/y", lambda m: m["layers"]["facilities"].update(path="facilities.csv", x="X", y="Y"),
         expect="valid")
manifest("GeoPackage unknown layer name", lambda m: m["layers"]["facilities"].update(path="facilities.gpkg",
                                                                                    layer="nope"), ["nope"])
manifest("epsg as text", sett("epsg", "2154"), ["/epsg"])
manifest("epsg unknown code", sett("epsg", 99999), ["/epsg"])
manifest("epsg negative", sett("epsg", -1), ["/epsg"])
manifest("epsg geographic 4326", sett("epsg", 4326), ["/epsg"], expect="either")
manifest("epsg 2154", sett("epsg", 2154), expect="valid")
manifest("x without y", lambda m: m["layers"]["grid"].pop("y"), ["/layers/grid/y"])
manifest("x as a number", setl("grid", "x", 1), ["/layers/grid/x"])
manifest("x names a missing column", setl("grid", "x", "longitude"), ["longitude"])
manifest("cell_size as text", setl("grid", "cell_size", "200"), ["/layers/grid/cell_size"])
manifest("cell_size 1e-300", setl("grid", "cell_size", 1e-300), ["/layers/grid/cell_size"])
manifest("cell_size 0", setl("grid", "cell_size", 0), ["/layers/grid/cell_size"])
manifest("cell_size -200", setl("grid", "cell_size", -200), ["/layers/grid/cell_size"])
manifest("cell_size 1e9", setl("grid", "cell_size", 1e9), ["/layers/grid/cell_size"])
manifest("fields not a string", lambda m: m["layers"]["grid"]["fields"].update(id=3), ["/layers/grid/fields/id"])
manifest("fields not an object", setl("grid", "fields", ["id"]), ["/layers/grid/fields"])
manifest("fields unknown contract name", lambda m: m["layers"]["grid"]["fields"].update(colour="c"), ["colour"])
manifest("fields map to a missing column", lambda m: m["layers"]["grid"]["fields"].update(people="gens"), ["gens"])
manifest("source_epsg as text", setl("grid", "source_epsg", "4326"), ["/layers/grid/source_epsg"])
manifest("optional as text", setl("qpv", "optional", "yes"), ["/layers/qpv/optional"])
manifest("layer name as a number", setl("facilities", "layer", 1), ["/layers/facilities/layer"])
manifest("unknown layer", lambda m: m["layers"].update(schools={"path": "qpv.geojson"}), ["schools"])
manifest("manifest unknown top-level key", sett("layerz", {}), ["layerz"])
manifest("unknown layer key", setl("qpv", "pathh", "x"), ["pathh"])
manifest("number overflow", js(MINI)[:-1] + ', "epsg": 1e400}', ["1e400"])
manifest("duplicate key", js(MINI)[:-1] + ', "name": "a", "name": "b"}', ["duplicate"])
manifest("NUL byte", js(MINI).encode() + b"\x00junk", ["NUL"])
manifest("gtfs not an array", sett("gtfs", "g"), ["/gtfs"], expect="either")
manifest("gtfs missing feed", sett("gtfs", ["nofeed"]), ["nofeed"])
manifest("gtfs entry a number", sett("gtfs", [3]), ["/gtfs/0"])
manifest("roads missing file", sett("roads", "nowhere.osm.pbf"), ["/roads"])
manifest("roads a folder", sett("roads", "g"), ["/roads"])
manifest("roads not OSM", sett("roads", "grid.csv"), ["grid.csv"])
manifest("synthesis calibration missing (check)", sett("synthesis", {"calibration": "none.json"}), ["none.json"],
         expect="either")
manifest("path outside with ..", setl("qpv", "path", "../../../../etc/passwd"), ["passwd"], expect="either")
manifest("gtfs /vsicurl/", sett("gtfs", ["/vsicurl/http://127.0.0.1:1/g.zip"]), ["/gtfs/0"])
manifest("roads /vsicurl/", sett("roads", "/vsicurl/http://127.0.0.1:1/r.osm.pbf"), ["/roads"])
scen("roads file that is not OSM data (check and run)", G, {"territory": "mini/t-roads.json"}, ["bad.osm"],
     files={"mini/t-roads.json": js(dict(MINI, roads="bad.osm")), "mini/bad.osm": "this is not XML"})
scen("roads OSM file without highways (check and run)", G, {"territory": "mini/t-roads.json"}, ["empty.osm"],
     files={"mini/t-roads.json": js(dict(MINI, roads="empty.osm")),
            "mini/empty.osm": '<?xml version="1.0"?><osm version="0.6"></osm>'})
manifest("manifest is empty", "", ["t.json"])
manifest("manifest is an array", "[]", ["t.json"])
manifest("fields unknown name on an existing column", lambda m: m["layers"]["facilities"].update(
    fields={"ocupancy": "occupancy"}), ["ocupancy"])
manifest("fields rename a contract column", lambda m: m["layers"]["facilities"].update(
    path="facilities.csv", x="X", y="Y", fields={"places": "places", "hours": "hours"}), expect="valid")

# --- layers ---------------------------------------------------------------------------------------------------
G = "layers"


def geo_edit(layer_file, fn):
    d = json.load(open(os.path.join(ROOT, "tests/data/mini", layer_file), encoding="utf-8"))
    fn(d)
    return js(d)


def layer(name, layer_file, fn, names=(), expect="invalid", raw=None):
    text = raw if raw is not None else geo_edit(layer_file, fn)
    add(name, G, ["check", "mini/territory.json"], expect=expect, names=[layer_file] + list(names),
        files={"mini/" + layer_file: text})


def prop(i, key, value):
    def f(d):
        if value is None:
            d["features"][i]["properties"].pop(key, None)
        else:
            d["features"][i]["properties"][key] = value
    return f


def geom(i, g):
    def f(d):
        d["features"][i]["geometry"] = g
    return f


SQ = [[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.8], [3.0, 45.7]]
layer("communes missing code", "communes.geojson", prop(0, "code", None), ["code"])
layer("communes missing name", "communes.geojson", prop(0, "name", None), ["name"])
layer("communes Point geometry", "communes.geojson", geom(0, {"type": "Point", "coordinates": [3.05, 45.75]}),
      ["feature 0", "Polygon"])
layer("communes unclosed ring", "communes.geojson", geom(0, {"type": "Polygon", "coordinates": [SQ[:-1]]}),
      ["feature"])
layer("communes bow-tie polygon", "communes.geojson", geom(0, {"type": "Polygon", "coordinates":
      [[[3.0, 45.7], [3.1, 45.8], [3.1, 45.7], [3.0, 45.8], [3.0, 45.7]]]}), ["feature"])
layer("communes null geometry", "communes.geojson", geom(0, None), ["feature"])
layer("communes empty collection", "communes.geojson", lambda d: d.update(features=[]), [])
layer("communes duplicate code", "communes.geojson", prop(1, "code", "63001"), ["63001"])
layer("communes children_under_3 text", "communes.geojson", prop(0, "children_under_3", "lots"), ["children_under_3"])
layer("communes zrr maybe", "communes.geojson", prop(0, "zrr", "maybe"), ["zrr"])
layer("communes poverty_rate 1.5", "communes.geojson", prop(0, "poverty_rate", 1.5), ["poverty_rate"])
layer("communes detour_factor 0.5", "communes.geojson", prop(0, "detour_factor", 0.5), ["detour_factor"])
layer("communes population -5", "communes.geojson", prop(0, "population", -5), ["population"])
layer("communes not GeoJSON", "communes.geojson", None, [], raw="this is not geojson")
GRID = open(os.path.join(ROOT, "tests/data/mini/grid.csv"), encoding="utf-8").read()
GL = GRID.splitlines()
layer("grid duplicate row", "grid.csv", None, ["c2"], raw=GRID + GL[2] + "\n")
layer("grid duplicate cell", "grid.csv", None, ["cell"], raw=GRID + "c9" + GL[2][2:] + "\n")
layer("grid text people", "grid.csv", None, ["people"], raw=GRID.replace(",200,", ",many,"))
layer("grid negative children", "grid.csv", None, ["children"], raw=GRID.replace(",8,", ",-8,"))
layer("grid text longitude", "grid.csv", None, ["lon"], raw=GRID.replace("3.04,", "east,"))
layer("grid header only", "grid.csv", None, [], raw=GL[0] + "\n")
layer("grid missing column", "grid.csv", None, ["people"], raw=GRID.replace("people", "persons"))
layer("grid nan people", "grid.csv", None, ["people"], raw=GRID.replace(",200,", ",nan,"))
layer("grid cell far outside", "grid.csv", None, ["c9"], raw=GRID + "c9,55.4,-21.0,100,5,2\n", expect="either")
layer("facilities duplicate id", "facilities.geojson", prop(1, "id", "cr-alpha"), ["cr-alpha"])
layer("facilities unknown kind", "facilities.geojson", prop(0, "kind", "castle"), ["kind"])
layer("facilities places 0", "facilities.geojson", prop(0, "places", 0), ["places"])
layer("facilities places 2.5", "facilities.geojson", prop(0, "places", 2.5), ["places"])
layer("facilities places 5000", "facilities.geojson", prop(0, "places", 5000), ["places"])
layer("facilities places text", "facilities.geojson", prop(0, "places", "vingt"), ["places"])
layer("facilities bad hours", "facilities.geojson", prop(0, "hours", "Mo-Fr 7h-19h"), ["hours"])
layer("facilities hours PH off", "facilities.geojson", prop(0, "hours", "PH off"), ["hours"])
layer("facilities hours 24/7; Su off", "facilities.geojson", prop(0, "hours", "24/7; Su off"), expect="valid")
layer("facilities occupancy 2", "facilities.geojson", prop(0, "occupancy", 2), ["occupancy"])
layer("facilities avip maybe", "facilities.geojson", prop(0, "avip", "maybe"), ["avip"])
layer("facilities avip_places above places", "facilities.geojson", prop(0, "avip_places", 50), ["avip_places"])
layer("facilities label_year text", "facilities.geojson", prop(0, "label_year", "2021a"), ["label_year"])
layer("facilities null geometry", "facilities.geojson", geom(0, None), ["feature"])
layer("facilities far outside", "facilities.geojson", geom(0, {"type": "Point", "coordinates": [55.4, -21.0]}),
      ["feature 0", "outside"])
layer("facilities places 20.0", "facilities.geojson", prop(0, "places", 20.0), expect="valid")
layer("families referral_month 1.5", "families.geojson", prop(0, "referral_month", 1.5), ["referral_month"])
layer("facilities missing id", "facilities.geojson", prop(0, "id", None), ["id"])
layer("families unknown path", "families.geojson", prop(0, "path", "holiday"), ["path"])
layer("families unknown mobility", "families.geojson", prop(0, "mobility", "bike"), ["mobility"])
layer("families bad hours", "families.geojson", prop(0, "hours", "soon"), ["hours"])
layer("families referral_month 12", "families.geojson", prop(0, "referral_month", 12), ["referral_month"])
layer("families single_parent maybe", "families.geojson", prop(0, "single_parent", "maybe"), ["single_parent"])
layer("families child_age_months -1", "families.geojson", prop(0, "child_age_months", -1), ["child_age_months"])
layer("families children 0", "families.geojson", prop(0, "children_under_3", 0), ["children_under_3"],
      expect="either")
layer("families children 1.5", "families.geojson", prop(0, "children_under_3", 1.5), ["children_under_3"])
layer("families children 1e400", "families.geojson", None, ["families.geojson"],
      raw=open(os.path.join(ROOT, "tests/data/mini/families.geojson"), encoding="utf-8").read()
      .replace('"children_under_3": 1', '"children_under_3": 1e400', 1))
layer("qpv missing code", "qpv.geojson", prop(0, "code", None), ["code"])
layer("qpv Point geometry", "qpv.geojson", geom(0, {"type": "Point", "coordinates": [3.03, 45.73]}),
      ["feature 0", "Polygon"])

# --- GTFS (mini/g: the tiny feed moved onto the mini territory) ---------------------------------------------
G = "gtfs"
TINY = {n: open(os.path.join(ROOT, "tests/data/gtfs/tiny", n), encoding="utf-8-sig").read()
        for n in os.listdir(os.path.join(ROOT, "tests/data/gtfs/tiny"))}


def moved_stops():
    rows = list(csv.reader(io.StringIO(TINY["stops.txt"])))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(rows[0])
    for sid, name, lat, lon in rows[1:]:
        w.writerow([sid, name, "%.4f" % (45.75 + float(lat) + 21), "%.4f" % (float(lon) - 55.4 + 3.03)])
    return out.getvalue()


STOPS = moved_stops()
ST = TINY["stop_times.txt"]


def gtfs(name, files, names=(), expect="invalid", how="scenario", group=None):
    """Changed files of mini/g (None deletes one), then `check`+`run` of a scenario on it (how="scenario"),
    `check mini/t-gtfs.json` (how="check") or `transit mini/t-gtfs.json` (how="transit")."""
    f = {"mini/g/" + k: v for k, v in files.items()}
    nm = list(names)
    if how == "scenario":
        f["s.json"] = js(GBASE)
        add(name, group or G, ["run", "s.json", "--out", "out", "--quiet"], expect=expect, names=nm, files=f,
            check_run="s.json", absent=["out"] if expect == "invalid" else [])
    elif how == "check":
        add(name, group or G, ["check", "mini/t-gtfs.json"], expect=expect, names=nm, files=f)
    else:
        add(name, group or G, ["transit", "mini/t-gtfs.json", "--out", "tr", "--quiet"], expect=expect, names=nm,
            files=f, absent=["tr"] if expect == "invalid" else [])


def st_first(t):
    lines = ST.splitlines()
    parts = lines[1].split(",")
    parts[1] = parts[2] = t
    lines[1] = ",".join(parts)
    return "\n".join(lines) + "\n"


for t in ["25:61:00", "-01:00:00", "99999999999:00:00", "2147483647:00:00", "8h00", "08:00", "08:00:00:00", " ",
          "08:60:00", "08:00:61", ""]:
    gtfs("stop time '%s'" % t, {"stop_times.txt": st_first(t)}, ["stop_times.txt", "line 2"])
gtfs("untimed intermediate stop", {"stop_times.txt": ST.replace("t1,08:10:00,08:11:00,B,2", "t1,,,B,2")},
     expect="valid")
gtfs("stop time 47:59:59", {"stop_times.txt": st_first("47:59:59")}, ["stop_times.txt"], expect="either")
gtfs("valid as given", {}, expect="valid", how="check")
gtfs("valid transit", {}, expect="valid", how="transit")
gtfs("text coordinates", {"stops.txt": STOPS.replace("45.7500,3.0300", "north,east")}, ["stops.txt", "line 2"])
gtfs("latitude 200", {"stops.txt": STOPS.replace("45.7500,3.0300", "200,3.03")}, ["stops.txt", "line 2"])
gtfs("empty coordinates", {"stops.txt": STOPS.replace("45.7500,3.0300", ",")}, ["stops.txt", "line 2"])
gtfs("all stops outside the territory", {"stops.txt": TINY["stops.txt"]}, ["stops.txt", "outside"])
gtfs("all stops outside the territory (transit)", {"stops.txt": TINY["stops.txt"]}, ["stops.txt", "outside"],
     how="transit")
gtfs("unknown stop in stop_times", {"stop_times.txt": ST.replace(",B,2", ",ZZ,2", 1)}, ["stop_times.txt", "ZZ"])
gtfs("unknown trip in stop_times", {"stop_times.txt": ST + "t_none,08:00:00,08:00:00,A,1\n"},
     ["stop_times.txt", "t_none"])
gtfs("trip with unknown route", {"trips.txt": TINY["trips.txt"] + "R9,WK,t9\n"}, ["trips.txt", "R9"])
gtfs("trip with unknown service", {"trips.txt": TINY["trips.txt"].replace("R1,WK,t1", "R1,XX,t1")},
     ["trips.txt", "XX"])
gtfs("stop_sequence out of order", {"stop_times.txt": ST.replace("t1,08:20:00,08:20:00,C,3", "t1,08:20:00,08:20:00,C,0")},
     ["stop_times.txt"], expect="either")
gtfs("stop_sequence duplicated", {"stop_times.txt": ST.replace("t1,08:20:00,08:20:00,C,3", "t1,08:20:00,08:20:00,C,2")},
     ["stop_times.txt", "t1"])
gtfs("times going backwards", {"stop_times.txt": ST.replace("t1,08:20:00,08:20:00,C,3", "t1,07:20:00,07:20:00,C,3")},
     ["stop_times.txt", "t1"])
gtfs("stop_sequence text", {"stop_times.txt": ST.replace("t1,08:20:00,08:20:00,C,3", "t1,08:20:00,08:20:00,C,three")},
     ["stop_times.txt", "stop_sequence"])
gtfs("empty stops.txt", {"stops.txt": ""}, ["stops.txt"])
gtfs("empty stop_times.txt", {"stop_times.txt": ""}, ["stop_times.txt"])
gtfs("header-only stop_times.txt", {"stop_times.txt": ST.splitlines()[0] + "\n"}, ["stop_times.txt"])
gtfs("missing stops.txt", {"stops.txt": None}, ["stops.txt"])
gtfs("missing trips.txt", {"trips.txt": None}, ["trips.txt"])
gtfs("missing routes.txt", {"routes.txt": None}, ["routes.txt"])
gtfs("missing calendar and calendar_dates", {"calendar.txt": None, "calendar_dates.txt": None}, ["calendar"])
gtfs("only calendar_dates", {"calendar.txt": None, "calendar_dates.txt": "service_id,date,exception_type\n"
                                "WK,20250610,1\nHOL,20250610,1\n"}, expect="valid", how="check")
gtfs("missing column stop_id", {"stops.txt": STOPS.replace("stop_id", "stopid", 1)}, ["stops.txt", "stop_id"])
gtfs("calendar date with dashes", {"calendar.txt": TINY["calendar.txt"].replace("20250101", "2025-01-01")},
     ["calendar.txt", "2025-01-01"])
gtfs("calendar date 20251301", {"calendar.txt": TINY["calendar.txt"].replace("20251231", "20251301")},
     ["calendar.txt", "20251301"])
gtfs("calendar date text", {"calendar.txt": TINY["calendar.txt"].replace("20250101", "janvier")},
     ["calendar.txt", "janvier"])
gtfs("calendar end before start", {"calendar.txt": TINY["calendar.txt"].replace("20251231", "20241231")},
     ["calendar.txt"])
gtfs("calendar weekday 2", {"calendar.txt": TINY["calendar.txt"].replace("WK,1,1", "WK,2,1")}, ["calendar.txt"])
gtfs("calendar_dates exception_type 3", {"calendar_dates.txt": TINY["calendar_dates.txt"].replace("WK,20250714,2",
                                                                                                  "WK,20250714,3")},
     ["calendar_dates.txt"])
gtfs("calendar_dates date 2025071", {"calendar_dates.txt": TINY["calendar_dates.txt"].replace("HOL,20250714",
                                                                                              "HOL,2025071")},
     ["calendar_dates.txt"])
gtfs("huge frequencies.txt", {"frequencies.txt": "trip_id,start_time,end_time,headway_secs\n"
                              "t1,00:00:00,9999:00:00,1\nt2,00:00:00,9999:00:00,1\n"}, ["frequencies.txt"])
gtfs("frequencies headway 0", {"frequencies.txt": "trip_id,start_time,end_time,headway_secs\nt1,06:00:00,09:00:00,0\n"},
     ["frequencies.txt"])
gtfs("frequencies unknown trip", {"frequencies.txt": "trip_id,start_time,end_time,headway_secs\nzz,06:00:00,09:00:00,600\n"},
     ["frequencies.txt", "zz"])
gtfs("frequencies valid", {"frequencies.txt": "trip_id,start_time,end_time,headway_secs\nt1,06:00:00,09:00:00,600\n"},
     expect="valid")
gtfs("frequencies end before start", {"frequencies.txt": "trip_id,start_time,end_time,headway_secs\n"
                                      "t1,09:00:00,06:00:00,600\n"}, ["frequencies.txt"])
gtfs("CRLF line ends", {n: TINY[n].replace("\n", "\r\n") for n in TINY if n != "stops.txt"}, expect="valid",
     how="check")
gtfs("route_type text", {"routes.txt": TINY["routes.txt"].replace("R1,1,3", "R1,1,bus")}, ["routes.txt"],
     expect="either")
gtfs("binary stops.txt", {"stops.txt": b"\x00\x01\x02\xff" * 100}, ["stops.txt"])
gtfs("unterminated quote", {"stops.txt": STOPS.replace('"Alpha"', '"Alpha')}, ["stops.txt"], expect="either")


def zip_feed(d, bad=False):
    import zipfile
    z = os.path.join(d, "mini", "g.zip")
    if bad:
        open(z, "wb").write(b"PK\x03\x04 this is not a zip")
    else:
        with zipfile.ZipFile(z, "w") as zf:
            for n in os.listdir(os.path.join(d, "mini", "g")):
                zf.write(os.path.join(d, "mini", "g", n), n)
    m = json.load(open(os.path.join(d, "mini", "t-gtfs.json")))
    m["gtfs"] = ["g.zip"]
    json.dump(m, open(os.path.join(d, "mini", "t-gtfs.json"), "w"))


add("zip feed", G, ["check", "mini/t-gtfs.json"], expect="valid", setup=zip_feed)
add("corrupt zip feed", G, ["check", "mini/t-gtfs.json"], names=["g.zip"], setup=lambda d: zip_feed(d, True))
add("feed path is a file", G, ["check", "mini/t-gtfs.json"], names=["grid.csv"],
    setup=lambda d: json.dump(dict(MINI, gtfs=["grid.csv"]), open(os.path.join(d, "mini", "t-gtfs.json"), "w")))
add("transit on a territory without feeds", G, ["transit", "mini/territory.json", "--out", "tr", "--quiet"],
    names=["territory.json"], expect="either")

# --- command line ---------------------------------------------------------------------------------------------
G = "cli"


def cli(name, args, names=(), expect="invalid", files=None, **k):
    f = {"s.json": js(BASE)}
    f.update(files or {})
    add(name, G, args, expect=expect, names=list(names), files=f, **k)


RUN = ["run", "s.json", "--out", "out", "--quiet"]
for opt, vals in [("--replications", ["0", "-1", "1.5", "abc", "nan", "99999999999", ""]),
                  ("--seed", ["-1", "99999999999999999999", "abc", "1e3", "nan"]),
                  ("--threads", ["-1", "abc", "1.5"]),
                  ("--date", ["2025-06-10", "20251340", "abc"])]:
    for v in vals:
        cli("run %s '%s'" % (opt, v), RUN + [opt, v], [opt])
cli("run --threads 0", RUN + ["--threads", "0"], expect="valid")
cli("run --threads 1", RUN + ["--threads", "1"], expect="valid")
cli("run --seed 0", RUN + ["--seed", "0"], expect="valid")
cli("run --seed 18446744073709551615 (beyond 9e15)", RUN + ["--seed", "18446744073709551615"], ["--seed"])
cli("run --seed 9000000000000000", RUN + ["--seed", "9000000000000000"], expect="valid")
cli("run --replications 3", RUN + ["--replications", "3"], expect="valid")
cli("run unknown option", RUN + ["--fast"], ["--fast"])
cli("run without --out", ["run", "s.json"], ["--out"])
cli("run without scenario", ["run", "--out", "out"], ["scenario"])
cli("run --out empty", ["run", "s.json", "--out", ""], ["--out"])
cli("run two scenarios", RUN + ["s2.json"], ["s2.json"], files={"s2.json": js(BASE)})
cli("run missing scenario file", ["run", "nowhere.json", "--out", "out"], ["nowhere.json"], absent=["out"])
cli("run scenario /dev/zero", ["run", "/dev/zero", "--out", "out"], ["/dev/zero"], absent=["out"])
cli("run scenario a folder", ["run", "mini", "--out", "out"], ["mini"], absent=["out"])
cli("run a territory manifest", ["run", "mini/territory.json", "--out", "out"], ["territory.json"], absent=["out"])
cli("no subcommand", [], ["subcommand"])
cli("unknown subcommand", ["simulate"], ["simulate"])
cli("check without file", ["check"], ["file"])
cli("check two files", ["check", "s.json", "s.json"], ["s.json"])
cli("check missing file", ["check", "nowhere.json"], ["nowhere.json"])
cli("check /dev/zero", ["check", "/dev/zero"], ["/dev/zero"])
cli("check a folder", ["check", "mini"], ["mini"])
cli("check an empty file", ["check", "e.json"], ["e.json"], files={"e.json": ""})
cli("check a CSV file", ["check", "mini/grid.csv"], ["grid.csv"])
cli("check a file over 64 MB", ["check", "big.json"], ["big.json"],
    setup=lambda d: os.truncate(os.path.join(d, "big.json"), 70 * 1024 * 1024), files={"big.json": " "})
cli("check --version", ["--version"], expect="valid")
cli("check --help", ["check", "--help"], expect="valid")
TR = ["transit", "mini/t-gtfs.json", "--out", "tr", "--quiet"]
for v in ["nan", "-5", "0", "inf", "abc", "1e400"]:
    cli("transit --tolerance %s" % v, TR + ["--tolerance", v], ["--tolerance"], absent=["tr"])
cli("transit --window night", TR + ["--zones", "--window", "night"], ["--window"], absent=["tr"])
cli("transit --date 2025-06-10", TR + ["--date", "2025-06-10"], ["--date"], absent=["tr"])
cli("transit --date outside the feed", TR + ["--date", "20300310"], ["2030"], absent=["tr"])
cli("transit --zones late", TR + ["--zones", "--window", "late"], expect="valid")
cli("transit --threads 0 --date", TR + ["--threads", "0", "--date", "20250610"], expect="valid")
cli("transit missing manifest", ["transit", "nowhere.json", "--out", "tr"], ["nowhere.json"], absent=["tr"])
cli("transit a scenario", ["transit", "s.json", "--out", "tr"], ["s.json"], absent=["tr"])
AC = ["access", "--demand", "fca/demand.csv", "--supply", "fca/supply.csv", "--cost", "fca/cost.csv", "--out",
      "acc.csv", "--quiet"]
for opt, v in [("--catchment", "nan"), ("--catchment", "-1"), ("--catchment", "0"), ("--catchment", "inf"),
               ("--method", "4sfca"), ("--sigma", "0"), ("--sigma", "nan"), ("--steps", "a:b"),
("--steps", "10:-1"), ("--replications", "-1"), ("--max-cycles", "-1"),
               ("--tau", "nan"), ("--tau", "0"), ("--rho", "-1"), ("--avip-turnover", "0.5"),
               ("--avip-turnover", "nan"), ("--seed", "-1")]:
    cli("access %s %s" % (opt, v), AC + [opt, v], [opt], absent=["acc.csv"])
cli("access --speed 0 (straight lines)", AC[:5] + ["--out", "acc.csv", "--quiet", "--x-field", "x", "--speed", "0"],
    ["--speed"], absent=["acc.csv"])
cli("access valid e2sfca", AC, expect="valid")
cli("access valid raam", AC + ["--method", "raam"], expect="valid")
cli("access --steps in any order", AC + ["--steps", "10:1,5:0.5"], expect="valid")
cli("access missing demand", ["access", "--demand", "none.csv", "--supply", "fca/supply.csv", "--out", "acc.csv"],
    ["none.csv"], absent=["acc.csv"])
cli("access unknown demand field", AC + ["--demand-field", "people"], ["people"], absent=["acc.csv"])
cli("access unknown cost column", AC + ["--cost-name", "minutes"], ["minutes"], absent=["acc.csv"])
cli("access bad cost filter", AC + ["--cost-filter", "fenetre"], ["--cost-filter"], absent=["acc.csv"])
cli("access --crs 99999", ["access", "--demand", "mini/grid.csv", "--supply", "mini/facilities.csv", "--x-field", "lon",
                           "--y-field", "lat", "--crs", "99999", "--out", "acc.csv"], ["99999"], absent=["acc.csv"])
SY = ["synth", "--territory", "gueret/territory.json", "--out", "syn", "--seed", "23"]
for opt, v in [("--family-scale", "nan"), ("--family-scale", "-1"), ("--family-scale", "0"), ("--seed", "-1")]:
    cli("synth %s %s" % (opt, v), SY + [opt, v], [opt], absent=["syn"], setup="gueret")
cli("synth valid", SY, expect="valid", setup="gueret")
cli("synth --report", ["synth", "--territory", "gueret/territory.json", "--seed", "23", "--report"], expect="valid",
    setup="gueret")
cli("synth territory without calibration", ["synth", "--territory", "mini/territory.json", "--out", "syn"],
    ["territory.json", "synthesis"], absent=["syn"])
cli("synth missing territory", ["synth", "--territory", "none/territory.json", "--out", "syn"], ["none/territory.json"],
    absent=["syn"])
cli("synth calibration gap (seed 974)", ["synth", "--territory", "gueret/territory.json", "--out", "syn"],
    ["calibration"], absent=["syn"], setup="gueret")
U = {"replications": 2, "parameters": [{"name": "acceptance_rate", "distribution": "uniform", "low": 0.5, "high": 1,
                                        "justification": "test"}]}
SE = ["sensitivity", "u.json", "--scenarios", "s.json", "--trajectories", "2", "--out", "sens", "--quiet"]


def sens(name, u, names, expect="invalid", extra=(), cmd=None):
    cli(name, cmd or SE + list(extra), names, expect=expect, files={"u.json": u if isinstance(u, str) else js(u)},
        absent=["sens"] if expect == "invalid" else [])


sens("sensitivity valid morris", U, [], expect="valid")
sens("sensitivity valid sobol", U, [], expect="valid", cmd=["sensitivity", "u.json", "--scenarios", "s.json",
                                                            "--method", "sobol", "--samples", "16", "--out", "sens",
                                                            "--quiet"])
sens("check uncertainty valid", U, [], expect="valid", cmd=["check", "u.json"])
sens("sensitivity --trajectories 1", U, ["--trajectories"], extra=["--trajectories", "1"])
sens("sensitivity --levels 3", U, ["--levels"], extra=["--levels", "3"])
sens("sensitivity --method foo", U, ["--method"], extra=["--method", "foo"])
sens("sensitivity --samples 8", U, ["--samples"], extra=["--method", "sobol", "--samples", "8"])
sens("sensitivity unknown parameter", dict(U, parameters=[dict(U["parameters"][0], name="speed")]), ["u.json", "speed"])
sens("sensitivity low above high", dict(U, parameters=[dict(U["parameters"][0], low=1, high=0.5)]),
     ["u.json", "/parameters/0"])
sens("sensitivity range outside the parameter's", dict(U, parameters=[dict(U["parameters"][0], high=2)]),
     ["u.json", "/parameters/0"])
sens("sensitivity unknown distribution", dict(U, parameters=[dict(U["parameters"][0], distribution="normal")]),
     ["u.json", "/parameters/0/distribution"])
sens("sensitivity empty justification", dict(U, parameters=[dict(U["parameters"][0], justification="")]),
     ["u.json", "/parameters/0/justification"])
sens("sensitivity discrete empty values", dict(U, parameters=[{"name": "max_wait_weeks", "distribution": "discrete",
                                                                "values": [], "justification": "t"}]),
     ["u.json", "/parameters/0/values"])
sens("sensitivity no parameters", dict(U, parameters=[]), ["u.json", "/parameters"])
sens("sensitivity parameter twice", dict(U, parameters=U["parameters"] * 2), ["u.json", "/parameters/1"])
sens("sensitivity replications 1e400", '{"replications": 1e400, "parameters": []}', ["u.json"])
sens("sensitivity huge design", U, ["--samples"], extra=["--method", "sobol", "--samples", "1000000",
                                                         "--replications", "100000"])
VA = ["validate", "s.json", "--quiet"]
cli("validate without observed file", VA, ["avip_2023.csv"])
cli("validate --observed missing", VA + ["--observed", "none.csv"], ["none.csv"])
cli("validate --observed malformed", VA + ["--observed", "obs.csv"], ["obs.csv"],
    files={"obs.csv": "a;b;c\n1;2;3\n"})
cli("validate --observed unknown indicator", VA + ["--observed", "obs.csv"], ["obs.csv", "zzz"],
    files={"obs.csv": "indicateur,observe,source,note\nzzz,3,x,y\n"})
cli("validate --observed text value", VA + ["--observed", "obs.csv"], ["obs.csv"],
    files={"obs.csv": "indicateur,observe,source,note\nparents,beaucoup,x,y\n"})
cli("validate --observed valid", VA + ["--observed", "obs.csv"], expect="valid",
    files={"obs.csv": "indicateur,observe,source,note\nparents,3,x,y\n"})
cli("compare two scenarios", ["compare", "s.json", "s2.json", "--out", "cmp", "--quiet"], expect="valid",
    files={"s2.json": js(dict(BASE, name="b", params={"policy": "lottery"}))})
cli("compare one scenario", ["compare", "s.json", "--out", "cmp", "--quiet"], ["compare"], expect="either")
cli("compare with a bad scenario", ["compare", "s.json", "s2.json", "--out", "cmp", "--quiet"],
    ["s2.json", "/params/policy"], files={"s2.json": js(dict(BASE, params={"policy": "x"}))}, absent=["cmp"])
cli("compare different territories", ["compare", "s.json", "s2.json", "--out", "cmp", "--quiet"], ["s2.json"],
    files={"s2.json": js(GBASE)}, expect="either")
cli("compare --replications 0", ["compare", "s.json", "s.json", "--out", "cmp", "--replications", "0"],
    ["--replications"], absent=["cmp"])

# --- output folder --------------------------------------------------------------------------------------------
G = "output"
USER = {"out/notes.txt": "my notes", "out/sub/data.csv": "a,b\n1,2\n"}


def outc(name, args, names=(), expect="invalid", files=None, **k):
    f = {"s.json": js(BASE)}
    f.update(files or {})
    add(name, G, args, expect=expect, names=list(names), files=f, **k)


def prior_output(d, where="out"):
    os.makedirs(os.path.join(d, where), exist_ok=True)
    for n, t in [(".avipsim-output", "written by avipsim; `--force` may replace this folder\n"),
                 ("summary.json", "{}")]:
        open(os.path.join(d, where, n), "w").write(t)


outc("run into a non-empty folder", RUN, ["out"], files=USER)
outc("run --force into a user folder", RUN + ["--force"], ["out"], files=USER)
outc("run --force over an earlier output", RUN + ["--force"], expect="valid", setup=prior_output, mutable=["out"])
outc("run --force over an old output with summary.json", RUN + ["--force"], expect="either",
     files={"out/summary.json": "{}"}, mutable=["out"])
outc("run into an empty folder", RUN, expect="valid", setup=lambda d: os.makedirs(os.path.join(d, "out")))
outc("run --out on a file", ["run", "s.json", "--out", "f.txt", "--quiet"], ["f.txt"], files={"f.txt": "keep"})
outc("run --out under a file", ["run", "s.json", "--out", "f.txt/sub", "--quiet"], ["f.txt"], files={"f.txt": "keep"})
outc("run --out with a trailing slash", ["run", "s.json", "--out", "out/", "--quiet"], expect="valid")
outc("run --out nested new folders", ["run", "s.json", "--out", "a/b/c", "--quiet"], expect="valid")
outc("run --out under /proc", ["run", "s.json", "--out", "/proc/avipsim-out", "--quiet"], ["/proc/avipsim-out"])
outc("run --out under a read-only place", ["run", "s.json", "--out", "/sys/avipsim/out", "--quiet"],
     ["/sys/avipsim/out"])
outc("run --out . (the working folder)", ["run", "s.json", "--out", ".", "--quiet", "--force"], ["."])
outc("run --out the territory folder --force", ["run", "s.json", "--out", "mini", "--quiet", "--force"], ["mini"])
outc("run --out a symlink to a user folder", RUN + ["--force"], ["out"], files={"user/notes.txt": "mine"},
     setup=lambda d: os.symlink("user", os.path.join(d, "out")))
outc("invalid scenario creates no parents", ["run", "s.json", "--out", "deep/er/out", "--quiet"], ["s.json"],
     files={"s.json": js(dict(BASE, params={"policy": "x"}))}, absent=["deep"])
outc("stale staging folder of a dead run is removed", RUN, expect="valid",
     files={".out.tmp-999999-0/.avipsim-staging": "", ".out.tmp-999999-0/summary.json": "{}"},
     mutable=[".out.tmp-999999-0"])
outc("a folder that merely looks like a staging one is kept", RUN, expect="valid",
     files={".out.tmp-mine/notes.txt": "mine"}, note="not avipsim's: no staging marker")
outc("compare into a non-empty folder", ["compare", "s.json", "s.json", "--out", "out", "--quiet"], ["out"], files=USER)
outc("compare --force into a user folder", ["compare", "s.json", "s.json", "--out", "out", "--force"], ["out"],
     files=USER)
outc("validate --out non-empty folder", ["validate", "s.json", "--observed", "obs.csv", "--out", "out", "--quiet"],
     ["out"], files=dict(USER, **{"obs.csv": "indicateur,observe,source,note\nparents,3,x,y\n"}))
outc("transit into a non-empty folder", ["transit", "mini/t-gtfs.json", "--out", "out", "--quiet"], ["out"], files=USER)
outc("transit --force into a user folder", ["transit", "mini/t-gtfs.json", "--out", "out", "--force", "--quiet"],
     ["out"], files=USER)
outc("sensitivity into a non-empty folder", SE[:6] + ["--out", "out", "--quiet"], ["out"],
     files=dict(USER, **{"u.json": js(U)}))
outc("synth into a non-empty folder", ["synth", "--territory", "gueret/territory.json", "--seed", "23", "--out", "out"],
     ["out"], files=USER, setup="gueret")
outc("synth --force into a user folder", ["synth", "--territory", "gueret/territory.json", "--seed", "23", "--out",
                                          "out", "--force"], ["out"], files=USER, setup="gueret")
outc("synth default out, failing calibration", ["synth", "--territory", "gueret/territory.json"], ["calibration"],
     setup="gueret")
outc("synth default out replaces its own synthetic folder", ["synth", "--territory", "gueret/territory.json",
                                                             "--seed", "23"], expect="valid", setup="gueret",
     mutable=["gueret/synthetic"])
outc("access --out an existing file", AC[:7] + ["--out", "acc.csv", "--quiet"], ["acc.csv"],
     files={"acc.csv": "precious"})
outc("access --out a folder", AC[:7] + ["--out", "mini", "--quiet"], ["mini"])
outc("access --timings under a file", AC + ["--timings", "f.txt/t.json"], ["f.txt"], files={"f.txt": "keep"},
     absent=["acc.csv"])
outc("access --supply-out an existing file", AC + ["--replications", "2", "--supply-out", "sup.csv"], ["sup.csv"],
     files={"sup.csv": "precious"}, absent=["acc.csv"])
outc("three concurrent runs to one --out", RUN, kind="concurrent", expect="valid")
outc("compare, two concurrent runs to one --out", ["compare", "s.json", "s.json", "--out", "out", "--quiet"],
     kind="concurrent", expect="valid")
BIG = js(dict(BASE, replications=100000, params={"horizon_months": 60}))
outc("SIGINT during run", RUN, kind="interrupt", files={"s.json": BIG}, expect="valid")
outc("SIGINT during run --force over an earlier output", RUN + ["--force"], kind="interrupt", files={"s.json": BIG},
     expect="valid", setup=prior_output)
outc("SIGINT during compare", ["compare", "s.json", "s.json", "--out", "out", "--quiet"], kind="interrupt",
     files={"s.json": BIG}, expect="valid")
outc("SIGINT during validate --out", ["validate", "s.json", "--observed", "obs.csv", "--out", "out", "--quiet"],
     kind="interrupt", files={"s.json": BIG, "obs.csv": "indicateur,observe,source,note\nparents,3,x,y\n"},
     expect="valid")
outc("SIGTERM during run", RUN, kind="interrupt-term", files={"s.json": BIG}, expect="valid")

CASES = [c for c in CASES if c is not None]

# ---------------------------------------------------------------------------------------------------------
# Running a case


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def make_folder(case):
    d = tempfile.mkdtemp(prefix="avip_campaign_")
    shutil.copytree(os.path.join(ROOT, "tests/data/mini"), os.path.join(d, "mini"))
    shutil.copytree(os.path.join(ROOT, "tests/data/roads"), os.path.join(d, "roads"))
    shutil.copytree(os.path.join(ROOT, "tests/data/fca"), os.path.join(d, "fca"))
    g = os.path.join(d, "mini", "g")
    os.makedirs(g)
    for n, t in TINY.items():
        open(os.path.join(g, n), "w", encoding="utf-8").write(STOPS if n == "stops.txt" else t)
    json.dump(dict(MINI, gtfs=["g"]), open(os.path.join(d, "mini", "t-gtfs.json"), "w"))
    if case.setup == "gueret":
        shutil.copytree(os.path.join(ROOT, "data/gueret"), os.path.join(d, "gueret"),
                        ignore=shutil.ignore_patterns("scripts"))
    for rel, content in case.files.items():
        p = os.path.join(d, rel)
        if content is None:
            if os.path.exists(p):
                os.remove(p)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
    if callable(case.setup):
        case.setup(d)
    return d


def snapshot(d, mutable):
    snap = {}
    for base, dirs, files in os.walk(d):
        for n in files + [x for x in dirs if os.path.islink(os.path.join(base, x))]:
            p = os.path.join(base, n)
            rel = os.path.relpath(p, d)
            if any(rel == m or rel.startswith(m + os.sep) for m in mutable):
                continue
            try:
                if os.path.islink(p):
                    snap[rel] = "link:" + os.readlink(p)
                else:
                    snap[rel] = hashlib.sha256(open(p, "rb").read()).hexdigest()
            except OSError:
                snap[rel] = "unreadable"
    return snap


def staging_left(d):
    found = []
    for base, dirs, files in os.walk(d):
        for n in dirs + files:
            if STAGING.match(n):
                found.append(os.path.relpath(os.path.join(base, n), d))
    return found


def spawn(exe, args, d):
    return subprocess.Popen([exe] + args, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, preexec_fn=limit)


def execute(exe, args, d, timeout):
    p = spawn(exe, args, d)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        return None, out.decode("utf-8", "replace"), True


def classify(rc, out, timed_out, expect, names):
    if timed_out:
        return "hang"
    if "AddressSanitizer" in out or "runtime error:" in out or "LeakSanitizer" in out or "ThreadSanitizer" in out:
        return "crash"
    if rc < 0 or rc >= 128:
        return "crash"
    if "bad_alloc" in out or "out of memory" in out:
        return "huge"
    if rc == 3 or "internal error" in out:
        return "unclear"
    if rc == 0:
        return "silent" if expect == "invalid" else "accepted"
    if rc in (1, 2):
        if expect == "valid":
            return "refused-valid"
        missing = [n for n in names if n not in out]
        return "unclear" if missing else "clear"
    return "unclear"


def worst(outcomes):
    return max(outcomes, key=lambda o: SEVERITY[o])


def run_case(exe, case):
    t0 = time.time()
    d = make_folder(case)
    before = snapshot(d, case.mutable)
    steps = []  # (command, rc, output, outcome)
    outcome = None
    try:
        if case.kind.startswith("interrupt"):
            outcome = interrupt_case(exe, case, d, steps)
        elif case.kind == "concurrent":
            outcome = concurrent_case(exe, case, d, steps)
        else:
            if case.check_run:
                cargs = ["check", case.check_run]
                rc, out, to = execute(exe, cargs, d, case.timeout)
                co = classify(rc, out, to, case.expect, case.names)
                steps.append((cargs, rc, out, co))
            rc, out, to = execute(exe, case.args, d, case.timeout)
            o = classify(rc, out, to, case.expect, case.names)
            steps.append((case.args, rc, out, o))
            if case.check_run:
                co = steps[0][3]
                if steps[0][1] == 0 and rc not in (0, None) and o in ("clear", "unclear", "refused-valid"):
                    outcome = "check-run-mismatch"
                elif case.expect == "either" and {co, o} <= {"clear", "accepted"} and co != o:
                    # check refuses what run accepts (or the reverse): they must agree
                    outcome = "check-run-mismatch" if co == "accepted" else "silent"
                else:
                    outcome = worst([co, o])
            else:
                outcome = o
        after = snapshot(d, case.mutable)
        lost = [p for p in before if after.get(p) != before[p]]
        if lost:
            steps.append((["(files lost or changed)"], None, "\n".join(lost[:10]), "data-loss"))
            outcome = worst([outcome, "data-loss"])
        left = staging_left(d)
        if outcome not in ("silent", "accepted"):  # a refusal must not leave its --out (or parents) behind
            left += [a for a in case.absent if os.path.lexists(os.path.join(d, a))]
        if left:
            steps.append((["(left behind)"], None, "\n".join(left[:10]), "leftover"))
            outcome = worst([outcome, "leftover"])
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return case, outcome, steps, time.time() - t0


def interrupt_case(exe, case, d, steps):
    p = spawn(exe, case.args, d)
    started = False
    deadline = time.time() + 20
    while time.time() < deadline and p.poll() is None:
        if staging_left(d):
            started = True
            break
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM if case.kind == "interrupt-term" else signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        steps.append((case.args, None, out.decode("utf-8", "replace"), "hang"))
        return "hang"
    out = out.decode("utf-8", "replace")
    rc = p.returncode
    sig = signal.SIGTERM if case.kind == "interrupt-term" else signal.SIGINT
    if rc in (-sig, 128 + sig, 1, 2):
        o = "clear"
    elif rc == 0:
        o = "accepted"  # finished before the signal
    else:
        o = classify(rc, out, False, "either", [])
    steps.append((case.args + ["(signal %s after the staging folder %s)" % (int(sig), "appeared" if started else
                                                                            "did not appear")], rc, out, o))
    return o


def concurrent_case(exe, case, d, steps):
    n = 3 if case.args[0] == "run" else 2
    procs = [spawn(exe, case.args, d) for _ in range(n)]
    results = []
    for p in procs:
        try:
            out, _ = p.communicate(timeout=case.timeout)
            results.append((p.returncode, out.decode("utf-8", "replace")))
        except subprocess.TimeoutExpired:
            p.kill()
            results.append((None, p.communicate()[0].decode("utf-8", "replace")))
    outs = []
    for rc, out in results:
        o = "hang" if rc is None else classify(rc, out, False, "either", ["out"])
        outs.append(o)
        steps.append((case.args, rc, out, o))
    if any(o in ("hang", "crash", "huge", "unclear") for o in outs):
        return worst(outs)
    wins = sum(1 for rc, _ in results if rc == 0)
    complete = os.path.isfile(os.path.join(d, "out", "summary.json")) or os.path.isfile(
        os.path.join(d, "out", "comparison.json"))
    if wins != 1 or not complete:
        steps.append((["(concurrent)"], None, "%d runs reported success; output complete: %s" % (wins, complete),
                      "data-loss"))
        return "data-loss"
    return "clear"


# ---------------------------------------------------------------------------------------------------------
# Report


def table(results):
    groups = []
    for c, _, _, _ in results:
        if c.group not in groups:
            groups.append(c.group)
    cols = [o for o in OUTCOMES if any(r[1] == o for r in results)] or ["clear"]
    for must in ["clear", "accepted"]:
        if must not in cols:
            cols.insert(0, must)
    cols = [o for o in OUTCOMES if o in cols]
    lines = ["| group | cases | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    total = {o: 0 for o in cols}
    for g in groups:
        rs = [r for r in results if r[0].group == g]
        counts = {o: sum(1 for r in rs if r[1] == o) for o in cols}
        for o in cols:
            total[o] += counts[o]
        lines.append("| %s | %d | " % (g, len(rs)) + " | ".join(str(counts[o]) for o in cols) + " |")
    lines.append("| **all** | **%d** | " % len(results) + " | ".join("**%d**" % total[o] for o in cols) + " |")
    return lines


def first_lines(text, n=6):
    ls = [l[:300] for l in text.strip().splitlines()]
    return ls[:n] + (["… (%d more lines)" % (len(ls) - n)] if len(ls) > n else [])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--avipsim", required=True, help="the avipsim executable")
    ap.add_argument("--only", help="run only the cases whose name or group matches this pattern (fnmatch, or a "
                                   "substring)")
    ap.add_argument("--report", help="write the counts and the failures in Markdown to this file")
    ap.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--verbose", action="store_true", help="print every case's outcome")
    a = ap.parse_args()
    exe = os.path.abspath(a.avipsim)
    cases = CASES
    if a.only:
        cases = [c for c in cases if fnmatch.fnmatch(c.name, a.only) or fnmatch.fnmatch(c.group, a.only)
                 or a.only in c.name]
    names = [c.name for c in CASES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("duplicate case names: %s" % ", ".join(sorted(dup)))
    if a.list:
        for c in cases:
            print("%-10s %-8s %s" % (c.group, c.expect, c.name))
        print("%d cases" % len(cases))
        return 0
    for _ in range(30):  # another engineer may be rebuilding the executable
        if os.access(exe, os.X_OK):
            break
        time.sleep(10)
    else:
        sys.exit("%s: not found or not executable" % exe)
    t0 = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        for r in pool.map(lambda c: run_case(exe, c), cases):
            results.append(r)
            if a.verbose:
                print("%-18s %-9s %s (%.1f s)" % (r[1], r[0].group, r[0].name, r[3]), flush=True)
    elapsed = time.time() - t0
    bad = [r for r in results if r[1] in BAD]
    lines = table(results)
    print("\n".join(lines))
    print("\n%d cases in %.0f s; %d not clear nor accepted" % (len(results), elapsed, len(bad)))
    details = []
    for c, o, steps, _ in bad:
        details.append("### %s: %s (%s, expected %s%s)" % (o, c.name, c.group, c.expect,
                                                          ", naming " + ", ".join(repr(n) for n in c.names)
                                                          if c.names and c.expect != "valid" else ""))
        for args, rc, out, so in steps:
            details.append("- `avipsim %s` → exit %s, %s" % (" ".join(args) if len(" ".join(args)) < 300 else
                                                             " ".join(args)[:300] + "…", rc, so))
            for l in first_lines(out):
                details.append("    " + l)
    if details:
        print("\n" + "\n".join(details))
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write("# Bad-input campaign\n\n%s, `%s`, %d cases in %.0f s\n\n" % (
                datetime.date.today().isoformat(), " ".join(["python3", "tests/campaign/bad_inputs.py", "--avipsim",
                                                             a.avipsim] + (["--only", a.only] if a.only else [])),
                len(results), elapsed))
            f.write("\n".join(lines) + "\n")
            if details:
                f.write("\n## Cases not clear nor accepted\n\n" + "\n".join(details) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
