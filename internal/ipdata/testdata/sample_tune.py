#!/usr/bin/env python3
"""Redo the draws behind tune.tsv and tune2.tsv (fresh tuning samples,
December 2026).

Usage: python3 sample_tune.py [tune|tune2] [/path/to/asn-ipv4.csv] > draw.tsv

Reads the open ASN table (CSV: first IP, last IP, AS number, organisation
name), sums each AS's IPv4 addresses and takes its name (the name on most of
its ranges; on a tie, the first seen). ASes in labelled.tsv, heldout.tsv and
measure.tsv are left out (only their AS numbers are read), and for tune2
those in tune.tsv too. Then, with random.Random(seed) (2026120409 for tune,
2026120431 for tune2):
  1. 100 ASes uniformly at random among the rest (random.sample over the
     ASes sorted by number);
  2. 100 more by address count, without replacement, among those not drawn
     in step 1: each AS gets the key log(u)/addresses with u from the same
     generator in AS order, and the 100 largest keys win (Efraimidis and
     Spirakis weighted sampling).
Prints asn, addresses, half (uniform|weighted), name, tab-separated,
ordered by half then AS number. Labels are added by hand afterwards.
"""
import csv
import ipaddress
import math
import os
import random
import sys
from collections import Counter, defaultdict

# draw: (seed, the files whose AS numbers are left out)
DRAWS = {
    "tune": (2026120409, ("labelled.tsv", "heldout.tsv", "measure.tsv")),
    "tune2": (2026120431, ("labelled.tsv", "heldout.tsv", "measure.tsv", "tune.tsv")),
}
N_UNIFORM = 100
N_WEIGHTED = 100


def existing(here, files):
    seen = set()
    for fn in files:
        with open(os.path.join(here, fn), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                seen.add(int(line.split("\t", 1)[0]))
    return seen


def main():
    args = sys.argv[1:]
    draw = "tune"
    if args and args[0] in DRAWS:
        draw = args.pop(0)
    seed, files = DRAWS[draw]
    path = args[0] if args else "/tmp/ipdata-shared/src/asn/asn-ipv4.csv"
    here = os.path.dirname(os.path.abspath(__file__))
    addrs = defaultdict(int)
    names = defaultdict(Counter)
    order = {}
    with open(path, encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            if len(row) < 4:
                continue
            first = int(ipaddress.IPv4Address(row[0]))
            last = int(ipaddress.IPv4Address(row[1]))
            asn = int(row[2])
            addrs[asn] += last - first + 1
            names[asn][row[3]] += 1
            order.setdefault((asn, row[3]), i)

    def name_of(asn):
        c = names[asn]
        best = max(c.values())
        return min((n for n in c if c[n] == best), key=lambda n: order[(asn, n)])

    skip = existing(here, files)
    pool = sorted(a for a in addrs if a not in skip)
    rng = random.Random(seed)
    uniform = sorted(rng.sample(pool, N_UNIFORM))
    taken = set(uniform)
    rest = [a for a in pool if a not in taken]
    keys = []
    for a in rest:
        u = rng.random()
        while u == 0.0:
            u = rng.random()
        keys.append((math.log(u) / addrs[a], a))
    keys.sort(reverse=True)
    weighted = sorted(a for _, a in keys[:N_WEIGHTED])

    out = sys.stdout
    for half, group in (("uniform", uniform), ("weighted", weighted)):
        for a in group:
            out.write(f"{a}\t{addrs[a]}\t{half}\t{name_of(a)}\n")


if __name__ == "__main__":
    main()
