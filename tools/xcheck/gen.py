#!/usr/bin/env python3
"""gen - a seeded generator of random valid lode programs, for xcheck.

Every program uses only the [core] language of docs/SPEC.md: actors (codes,
names, aliases, gdp), groups and groups of groups, coalitions (named and
anonymous, with and without `covers X demand [of ...]`), minerals with 1-3
stages, share lines with and without ROW, volume, sourcing lines, `let`
variables and arithmetic, restrictions, bans, `disrupt`, `adds`, `stockpile`
(durations and masses), `rerouting`, `allocation`, scenario blocks with
`extends`, restated share and sourcing lines, `report`, `compare` and
`expect`. Dated forms, uncertain values and `lifts` are never generated.
The worlds are small (at most 6 actors, 3 minerals, 3 stages, 4 scenario
blocks), so lode evaluates each in a few milliseconds.

    python3 tools/xcheck/gen.py --seed 1 --count 300 --out /tmp/gen
    python3 tools/xcheck/gen.py --seed 1 --count 300 --out /tmp/gen --avoid compare,dup-sources

The same seed, count and `--avoid` flags always write the same files
(`gen_SEED_NNNN.lode`); program i depends only on the seed, i and the flags.
`--avoid` leaves out constructs named in AVOIDABLE (comma separated), so a
construct on which lode is known to be wrong can be kept out of CI until it
is fixed (see FINDINGS.md).
"""
from __future__ import annotations

import argparse
import os
import random
import sys

CODES = ["XA", "XB", "XC", "XD", "XE", "XF"]
MINERAL_NAMES = ["ore", "dust", "grit"]
SHARED_STAGES = ["mining", "refining", "parts"]

# Constructs `--avoid` can leave out.
AVOIDABLE = {
    "covers": "`covers` claims on coalitions",
    "sources": "sourcing lines, in minerals and restated in scenarios",
    "restate": "restated share and sourcing lines in scenarios",
    "explicit-row": "share lists that name ROW",
    "coalition-first": "`allocation coalition_first`",
    "mass-stockpile": "stockpiles given as a mass",
    "adds": "`adds`",
    "disrupt": "`disrupt`",
    "partial-rerouting": "`rerouting` between 0% and 100% exclusive",
    "dup-sources": "two sourcing lines for one buyer and stage in one mineral block",
    "zero-demand": "an actor named with 0% in a demand line",
    "idle-stockpile": "a stockpile held by an actor without demand for the mineral",
    "compare": "`compare` lines",
    "zero-remainder": "demand lines naming all of the demand, and `covers` claims capped to what "
    "the data leaves (a remainder of exactly 0)",
}


def pct(v):
    """A fraction as a percentage literal: 0.375 -> `37.5%`."""
    s = f"{v * 100:.2f}".rstrip("0").rstrip(".")
    return s + "%"


class Gen:
    def __init__(self, seed, index, avoid=()):
        self.r = random.Random(f"lode-gen:{seed}:{index}")
        self.avoid = set(avoid)
        self.seed, self.index = seed, index
        self.out = []

    def ok(self, construct):
        return construct not in self.avoid

    def chance(self, p):
        return self.r.random() < p

    # ------------------------------------------------------------------ values

    def frac_literal(self, lo=0.0, hi=1.0, step=0.05):
        """A fraction in [lo, hi] on a grid of `step`, as text and value."""
        n_lo = int(round(lo / step + 0.4999))
        n_hi = int(round(hi / step - 0.4999))
        n = self.r.randint(n_lo, max(n_lo, n_hi))
        v = round(n * step, 6)
        if self.chance(0.15) and v < 1.0:
            return f"{v:g}", v  # a plain number is a fraction too
        return pct(v), v

    def frac_expr(self, env, lo=0.0, hi=1.0):
        """A fraction-valued expression in [lo, hi]: a literal, a variable or arithmetic."""
        fvars = [(n, v) for n, (k, v) in env.items() if k == "frac" and lo - 1e-12 <= v <= hi + 1e-12]
        roll = self.r.random()
        if fvars and roll < 0.3:
            return self.r.choice(fvars)
        if fvars and roll < 0.45:
            n, v = self.r.choice(fvars)
            d_text, d = self.frac_literal(0.0, 0.2)
            if v + d <= hi and self.chance(0.5):
                return f"{n} + {d_text}", v + d
            if v - d >= lo:
                return f"{n} - {d_text}", v - d
            if v / 2 >= lo:
                return f"{n} / 2", v / 2
            return n, v
        if roll < 0.6 and hi - lo >= 0.2:
            a_text, a = self.frac_literal(lo + 0.1, hi)
            b_text, b = self.frac_literal(0.0, min(0.1, a - lo))
            return f"-({b_text}) + {a_text}", a - b
        if roll < 0.65:
            a_text, a = self.frac_literal(lo / 2, hi / 2)
            b_text, b = self.frac_literal(lo / 2, hi / 2)
            if self.chance(0.5):
                return f"({a_text} + {b_text})", a + b
            return f"{a_text} * 2", a * 2
        return self.frac_literal(lo, hi)

    def days_expr(self, env):
        dvars = [(n, v) for n, (k, v) in env.items() if k == "days"]
        roll = self.r.random()
        if dvars and roll < 0.3:
            n, v = self.r.choice(dvars)
            if self.chance(0.5):
                return f"{n} * 2", v * 2
            return n, v
        if roll < 0.5:
            m = self.r.randint(1, 6)
            return f"{m} months", m * 30.0
        if roll < 0.6:
            return "1 years", 365.0
        if roll < 0.7:
            a, b = self.r.randint(10, 60), self.r.randint(1, 30)
            return f"{a} days + {b} days", float(a + b)
        d = self.r.choice([15, 30, 45, 60, 90, 120, 180])
        return f"{d} days", float(d)

    def mass_expr(self, env):
        mvars = [(n, v) for n, (k, v) in env.items() if k == "mass"]
        if mvars and self.chance(0.3):
            return self.r.choice(mvars)
        roll = self.r.random()
        if roll < 0.5:
            v = self.r.choice([1, 2, 5, 10, 20])
            return f"{v} kt", v * 1e3
        if roll < 0.8:
            v = self.r.choice([100, 500, 2_500])
            return f"{v} t", float(v)
        return "0.01 Mt", 1e4

    def new_let(self, env, names):
        """A `let` line; the variable goes into env (name -> (kind, value))."""
        name = f"v{len(names) + 1}"
        names.append(name)
        kind = self.r.choice(["frac", "frac", "frac", "days", "mass"])
        if kind == "frac":
            text, v = self.frac_expr(env, 0.0, 1.0)
        elif kind == "days":
            text, v = self.days_expr(env)
        else:
            text, v = self.mass_expr(env)
        env[name] = (kind, v)
        return f"let {name} = {text}"

    # ------------------------------------------------------------------ the world

    def actors(self):
        n = self.r.randint(3, 6)
        self.codes = CODES[:n]
        self.alias = {}
        self.gdp = {}
        decls = []
        for c in self.codes:
            d = c
            if self.chance(0.25):
                d += f' "Country {c[1]}"'
            if self.chance(0.3):
                self.alias[c] = f"{c.lower()}_land"
                d += f" alias {self.alias[c]}"
                if self.chance(0.3):
                    d += f", {c.lower()}_too"
            if self.chance(0.6):
                roll = self.r.random()
                if roll < 0.4:
                    g = self.r.choice([0.5, 1, 1.5, 2, 4.03])
                    d += f" gdp ${g:g}T"
                    self.gdp[c] = g * 1e12
                elif roll < 0.7:
                    g = self.r.choice([300, 800, 950])
                    d += f" gdp ${g}B"
                    self.gdp[c] = g * 1e9
                else:
                    d += " gdp $1T + $250B"
                    self.gdp[c] = 1.25e12
            decls.append(d)
        # one line, several lines, or one line per actor
        i = 0
        while i < len(decls):
            k = self.r.randint(1, len(decls) - i)
            self.out.append("actor " + ", ".join(decls[i : i + k]))
            i += k

    def ref(self, code):
        """How an actor is written: its code or its alias."""
        if code in self.alias and self.chance(0.4):
            return self.alias[code]
        return code

    def member_list(self, pool_groups, k_max=3):
        """`XA + g1 + XC`: 1..k_max distinct items; returns (text, set of codes)."""
        items = []
        members = set()
        k = self.r.randint(1, k_max)
        for _ in range(k):
            if pool_groups and self.chance(0.3):
                g = self.r.choice(pool_groups)
                if g in items:
                    continue
                items.append(g)
                members |= self.group_members[g]
            else:
                c = self.r.choice(self.codes)
                if c in items:
                    continue
                items.append(c)
                members.add(c)
        return items, members

    def groups(self):
        self.group_members = {}
        self.groups_declared = []
        for i in range(self.r.choice([0, 0, 1, 1, 2])):
            name = ["g_east", "g_west"][i]
            items, mem = self.member_list(list(self.groups_declared))
            self.group_members[name] = mem
            self.groups_declared.append(name)
            self.out.append(f"group {name} = " + " + ".join(self.ref(x) if x in self.codes else x for x in items))

    def coalitions(self):
        self.coalition_names = []
        self.covers = []  # (name, members, X, minerals or None)
        n = self.r.choice([0, 1, 1, 1, 2])
        for i in range(n):
            items, mem = self.member_list(list(self.groups_declared))
            anonymous = self.chance(0.3)
            name = "+".join(items) if anonymous else ["club", "bloc"][i]
            if name in self.group_members or name in self.codes or (anonymous and len(items) < 2):
                name = ["club", "bloc"][i]
                anonymous = False
            text = "coalition " + (" + ".join(items) if not anonymous else "+".join(items))
            if not anonymous:
                text = f"coalition {name} = " + " + ".join(items)
            if self.ok("covers") and self.chance(0.6):
                x_text, x = self.frac_literal(0.1, 0.6)
                fvars = [(n, v) for n, (k, v) in self.env.items() if k == "frac" and 0.05 <= v <= 0.6]
                if fvars and self.chance(0.2):
                    x_text, x = self.r.choice(fvars)
                claimed = sum(c[2] for c in self.covers)
                if not self.ok("zero-remainder") and claimed + x > 0.9 + 1e-9:
                    x_text = None  # room for the data is kept below
            else:
                x_text = None
            if x_text is not None:
                text += f" covers {x_text} demand"
                mins = None
                if self.chance(0.4):
                    mins = self.r.sample(self.mineral_names, self.r.randint(1, len(self.mineral_names)))
                    text += " of " + ", ".join(mins)
                self.covers.append((name, mem, x, mins))
            self.group_members[name] = mem
            self.coalition_names.append(name)
            self.out.append(text)

    def share_list(self, actors, total_lo=0.3, allow_row=True, env=None, must=(), positive=False, max_total=1.0):
        """`XA 30%, XB 12.5%`: named shares summing to at most 100%.

        Returns the text and {actor: share} of the actors named. `must` are
        always named; with `positive` no actor is named with 0%; the named
        shares (ROW aside) add up to at most `max_total`.
        """
        must = [c for c in must if c in actors]
        others = [c for c in actors if c not in must]
        k = max(len(must), self.r.randint(1, min(4, len(actors))))
        who = must + self.r.sample(others, k - len(must))
        self.r.shuffle(who)
        full = self.chance(0.35) and max_total >= 1.0
        top = int(round(max_total * 20))
        total = 1.0 if full else self.r.randint(min(top, max(int(total_lo * 20), k if positive else 1)), top) / 20
        if positive:
            cuts = sorted(self.r.sample(range(1, 100), k - 1))
        else:
            cuts = sorted(self.r.randint(1, 99) for _ in range(k - 1))
        parts = [b - a for a, b in zip([0] + cuts, cuts + [100])]
        vals = [round(total * p / 100, 3) for p in parts]
        vals[-1] = max(0.0, round(total - sum(vals[:-1]), 3))
        if positive and min(vals) <= 0:
            vals = [round(total / k, 3)] * k
        if not positive and any(v <= 0 for c, v in zip(who, vals) if c in must):
            return self.share_list(actors, total_lo, allow_row, env, must, True, max_total)
        items = [f"{self.ref(c)} {pct(v)}" for c, v in zip(who, vals)]
        named = sum(vals)
        values = dict(zip(who, vals))
        if allow_row and self.ok("explicit-row") and self.chance(0.15) and named <= 1.0:
            row = round(1.0 - named, 4)
            if self.chance(0.2) and row >= 0.001:
                row = round(row - 0.0005, 4)  # 0.05 pp short: allowed (SPEC §2.1, ±0.1 pp)
            items.insert(self.r.randint(0, len(items)), f"ROW {pct(row)}")
        elif env and self.chance(0.1):
            # a share given by a variable: replace the last share when it fits
            lo = 1e-9 if positive or who[-1] in must else -1.0
            fvars = [(n, v) for n, (kk, v) in env.items() if kk == "frac" and lo < v <= vals[-1] + 1e-9]
            if fvars:
                n, v = self.r.choice(fvars)
                items[-1] = f"{self.ref(who[-1])} {n}"
                values[who[-1]] = v
        return ", ".join(items), values

    def sourcing_list(self, buyer):
        sellers = [c for c in self.codes if c != buyer] + ["ROW"]
        k = self.r.randint(1, 2)
        who = self.r.sample(sellers, k)
        if "ROW" in who:
            # with ROW named the list must add up to 100%
            rest = [c for c in who if c != "ROW"]
            vals = [self.r.randint(1, 8) * 10 for _ in rest]
            parts = [f"{self.ref(c)} {v}%" for c, v in zip(rest, vals)]
            parts.append(f"ROW {100 - sum(vals)}%")
            return ", ".join(parts)
        total = self.r.randint(2, 20) * 5
        if k == 1:
            return f"{self.ref(who[0])} {total}%"
        a = self.r.randint(1, total - 1)
        return f"{self.ref(who[0])} {a}%, {self.ref(who[1])} {total - a}%"

    def minerals(self):
        n = self.r.randint(1, 3)
        self.mineral_names = MINERAL_NAMES[:n]
        self.stages = {}
        self.volume = {}
        shared = self.chance(0.5)
        for m in self.mineral_names:
            k = self.r.randint(1, 3)
            if k == 1 and self.chance(0.5):
                self.stages[m] = ["supply"]
            elif shared:
                self.stages[m] = SHARED_STAGES[3 - k :] if self.chance(0.5) else SHARED_STAGES[:k]
            else:
                self.stages[m] = [f"{m}_{s}" for s in ["mine", "mill", "fab"][:k]]
        owners = {}
        for m, ss in self.stages.items():
            for s in ss:
                owners.setdefault(s, []).append(m)
        self.unique_stage = {s: ms[0] for s, ms in owners.items() if len(ms) == 1 and s not in self.stages}

    def demand_max(self, m):
        """The most a demand line of m may name: everything, or (`--avoid
        zero-remainder`) what leaves every claim on m room and 5% to spare."""
        if self.ok("zero-remainder"):
            return 1.0
        claimed = sum(x for _, _, x, mins in self.covers if mins is None or m in mins)
        return max(0.05, min(0.95, int((0.95 - claimed) * 20 + 1e-9) / 20))

    def positive_demand(self):
        return not self.ok("zero-demand")

    def mineral_blocks(self):
        self.demand_pos = {}  # mineral -> actors with positive demand in the world data
        for m in self.mineral_names:
            lines = [f"mineral {m} {{"]
            if self.chance(0.3):
                lines.append(f'  source "Synthetic figures for {m}"')
            ss = self.stages[m]
            if ss != ["supply"] or self.chance(0.3):
                lines.append("  stages " + ", ".join(ss))
            if self.chance(0.5):
                v = self.r.choice(["100 kt", "2 Mt", "50_000 t", "1_500 t"])
                lines.append(f"  volume {v}")
                self.volume[m] = v
            body = []
            for s in ss:
                body.append(f"  {s}: " + self.share_list(self.codes, env=self.env)[0])
            # demand: often, but not always, leaving a coalition's members out so
            # that a `covers` claim supplies the data
            if self.chance(0.85):
                pool = list(self.codes)
                for name, mem, x, mins in self.covers:
                    if (mins is None or m in mins) and self.chance(0.4):
                        pool = [c for c in pool if c not in mem]
                if pool:
                    text, values = self.share_list(pool, total_lo=0.2, env=self.env, positive=self.positive_demand(),
                                                   max_total=self.demand_max(m))
                    body.append("  demand: " + text)
                    self.demand_pos[m] = {a for a, v in values.items() if v > 0}
            if self.ok("sources"):
                sourced = set()
                for _ in range(self.r.choice([0, 0, 1, 2])):
                    buyer = self.r.choice(self.codes)
                    stage = self.r.choice(ss)
                    if (buyer, stage) in sourced and not self.ok("dup-sources"):
                        continue
                    sourced.add((buyer, stage))
                    lbl = f" {stage}" if stage != ss[-1] or self.chance(0.5) else ""
                    body.append(f"  {self.ref(buyer)} sources{lbl}: " + self.sourcing_list(buyer))
            self.r.shuffle(body)
            lines += body
            lines.append("}")
            self.out.append("\n".join(lines))

    # ------------------------------------------------------------------ statements

    def mineral_items(self, k_max=2, stages=True):
        """`ore, dust.mining, refining`"""
        items = []
        for _ in range(self.r.randint(1, k_max)):
            m = self.r.choice(self.mineral_names)
            roll = self.r.random()
            if not stages or roll < 0.45:
                it = m
            else:
                s = self.r.choice(self.stages[m])
                if s in self.unique_stage and roll < 0.6:
                    it = s
                else:
                    it = f"{m}.{s}"
            if it not in items:
                items.append(it)
        return items

    def target(self, exporter):
        roll = self.r.random()
        named = self.groups_declared + [c for c in self.coalition_names if "+" not in c]
        if roll < 0.2:
            return "all"
        if roll < 0.3:
            items, _ = self.member_list(named, 2)
            return "all except " + " + ".join(self.ref(x) if x in self.codes else x for x in items)
        if roll < 0.4:
            return "ROW"
        items, _ = self.member_list(named, 3)
        return " + ".join(self.ref(x) if x in self.codes else x for x in items)

    def exporter(self):
        if self.chance(0.07):
            return "ROW"
        return self.r.choice(self.codes)

    def policy(self, env, names, in_block):
        """One policy, shock or structure line."""
        kinds = ["restricts", "restricts", "restricts", "bans", "stockpile", "let", "rerouting", "allocation"]
        if self.ok("disrupt"):
            kinds += ["disrupt", "disrupt"]
        if self.ok("adds"):
            kinds += ["adds"]
        if in_block and self.ok("restate"):
            kinds += ["restate"]
            if self.ok("sources"):
                kinds += ["resource"]
        k = self.r.choice(kinds)
        if k in ("restricts", "bans"):
            e = self.exporter()
            items = ", ".join(self.mineral_items())
            t = self.target(e)
            if k == "bans":
                return f"{self.ref(e) if e != 'ROW' else e} bans {items} to {t}"
            by = ""
            if self.chance(0.8):
                by = " by " + self.frac_expr(env, 0.0, 1.0)[0]
            return f"{self.ref(e) if e != 'ROW' else e} restricts {items} to {t}{by}"
        if k == "disrupt":
            a = self.exporter()
            return f"disrupt {self.ref(a) if a != 'ROW' else a} {', '.join(self.mineral_items())} by {self.frac_expr(env, 0.0, 1.0)[0]}"
        if k == "adds":
            a = self.r.choice(self.codes)
            return f"{self.ref(a)} adds {self.frac_expr(env, 0.0, 0.3)[0]} {', '.join(self.mineral_items())}"
        if k == "stockpile":
            a = self.r.choice(self.codes)
            mins = self.mineral_items(2, stages=False)
            if not self.ok("idle-stockpile"):
                # only actors with demand for every mineral of the line hold stock
                pool = set(self.codes)
                for m in mins:
                    pool &= self.demand_pos.get(m, set())
                if not pool:
                    held = [m for m in self.mineral_names if self.demand_pos.get(m)]
                    if not held:
                        return f"rerouting {self.frac_expr(env, 0.0, 1.0)[0]}"
                    mins = [self.r.choice(held)]
                    pool = self.demand_pos[mins[0]]
                a = self.r.choice(sorted(pool))
            if self.ok("mass-stockpile") and all(m in self.volume for m in mins) and self.chance(0.4):
                amount = self.mass_expr(env)[0]
            else:
                amount = self.days_expr(env)[0]
            return f"stockpile {self.ref(a)} {', '.join(mins)} {amount}"
        if k == "let":
            return self.new_let(env, names)
        if k == "rerouting":
            if not self.ok("partial-rerouting"):
                return f"rerouting {self.r.choice(['0%', '100%'])}"
            return f"rerouting {self.frac_expr(env, 0.0, 1.0)[0]}"
        if k == "allocation":
            opts = ["sticky", "market"]
            if self.coalition_names and self.ok("coalition-first"):
                opts += ["coalition_first", "coalition_first"]
            a = self.r.choice(opts)
            if a == "coalition_first":
                named = [c for c in self.coalition_names if "+" not in c]
                if len(self.coalition_names) > 1 or (named and self.chance(0.3)):
                    if not named:
                        a = "market"
                    else:
                        a += " " + self.r.choice(named)
            return f"allocation {a}"
        if k == "restate":
            m = self.r.choice(self.mineral_names)
            line = self.r.choice(self.stages[m] + ["demand"])
            if line in self.unique_stage and self.chance(0.4):
                head = line
            else:
                head = f"{m}.{line}"
            if line != "demand":
                return f"{head}: " + self.share_list(self.codes, total_lo=0.2, env=env)[0]
            must = () if self.ok("idle-stockpile") else sorted(self.demand_pos.get(m, ()))
            return f"{head}: " + self.share_list(self.codes, total_lo=0.2, env=env, must=must,
                                                 positive=self.positive_demand(), max_total=self.demand_max(m))[0]
        if k == "resource":
            m = self.r.choice(self.mineral_names)
            buyer = self.r.choice(self.codes)
            s = self.r.choice(self.stages[m])
            head = f"{m}.{s}" if self.chance(0.7) else m
            return f"{self.ref(buyer)} sources {head}: " + self.sourcing_list(buyer)
        raise AssertionError(k)

    def row_names(self):
        """Names a row may be asked for: actors, aliases, groups, coalitions."""
        out = list(self.codes) + list(self.alias.values()) + self.groups_declared + self.coalition_names
        if self.chance(0.2):
            out.append("ROW")
        return out

    def report(self):
        parts = ["report"]
        roll = self.r.random()
        if roll < 0.05:
            return "report"
        if roll < 0.8:
            k = self.r.randint(1, 4)
            names = []
            for _ in range(k):
                n = self.r.choice(self.row_names())
                if n not in names and not any(self.same_actor(n, x) for x in names):
                    names.append(n)
            parts.append("for " + ", ".join(names))
        if roll > 0.5:
            parts.append("on " + ", ".join(self.r.sample(self.mineral_names, self.r.randint(1, len(self.mineral_names)))))
        return " ".join(parts)

    def same_actor(self, a, b):
        ca = next((c for c, al in self.alias.items() if al == a), a)
        cb = next((c for c, al in self.alias.items() if al == b), b)
        return ca == cb

    def expect(self, scenario_prefix):
        who = self.r.choice(self.row_names())
        m = self.r.choice(self.mineral_names)
        metric = self.r.choice(["demand", "output", "import_reliance", "top_supplier", "top_supplier_share",
                                "hhi", "dependency", "at_risk", "shortfall", "shortfall", "cover_days"])
        op = self.r.choice(["<", "<=", ">", ">=", "==", "!="])
        tol = ""
        if metric == "output":
            metric = f"output.{self.r.choice(self.stages[m])}"
        if metric == "dependency":
            metric = f"dependency.{self.r.choice(self.codes + ['ROW'])}"
        if metric == "top_supplier":
            op = self.r.choice(["==", "!="])
            rhs = self.r.choice(self.codes + ["ROW"])
        elif metric == "hhi":
            rhs = str(self.r.randint(0, 100) * 100)
        elif metric == "cover_days":
            rhs = f"{self.r.randint(1, 400)}" + (" days" if self.chance(0.5) else "")
        else:
            rhs = self.frac_literal(0.0, 1.0)[0]
        if op == "==" and metric != "top_supplier" and self.chance(0.5):
            tol = f" +- {self.r.choice(['1%', '5%', '50', '0.1'] if metric in ('hhi', 'cover_days') else ['1%', '5%'])}"
            if metric not in ("hhi", "cover_days") and tol.endswith(("50", "0.1")):
                tol = " +- 1%"
        return f"expect {scenario_prefix}{who}.{m}.{metric} {op} {rhs}{tol}"

    # ------------------------------------------------------------------ program

    def program(self):
        self.out.append(f"# generated by tools/xcheck/gen.py (seed {self.seed}, program {self.index})")
        self.actors()
        self.minerals()
        self.env = {}
        self.var_names = []
        for _ in range(self.r.choice([0, 1, 1, 2, 3])):
            self.out.append(self.new_let(self.env, self.var_names))
        self.groups()
        coalitions_first = self.chance(0.5)
        if coalitions_first:
            self.coalitions()
            self.mineral_blocks()
        else:
            self.covers = []
            saved = self.out
            self.out = []
            self.coalitions()
            coal_lines = self.out
            self.out = saved
            # the coalitions are drawn first (the demand lines depend on their
            # claims) but written after the minerals
            self.mineral_blocks()
            self.out += coal_lines
        # base: top-level policies
        base_env = dict(self.env)
        for _ in range(self.r.choice([0, 0, 1, 2])):
            self.out.append(self.policy(base_env, self.var_names, False))
        # scenario blocks
        blocks = []
        envs = {"base": base_env}
        for i in range(self.r.choice([0, 1, 2, 2, 3, 4])):
            name = f"sc{i + 1}"
            parent = self.r.choice(blocks) if blocks and self.chance(0.4) else None
            env = dict(envs[parent] if parent else base_env)
            body = []
            for _ in range(self.r.randint(1, 4)):
                body.append(self.policy(env, self.var_names, True))
            if self.chance(0.2):
                body.append(self.report())
            if self.chance(0.3):
                body.append(self.expect(""))
            envs[name] = env
            head = f"scenario {name}" + (f" extends {parent}" if parent else "")
            if self.chance(0.4) and len(body) <= 3:
                self.out.append(head + " { " + "; ".join(body) + " }")
            else:
                self.out.append(head + " {\n  " + "\n  ".join(body) + "\n}")
            blocks.append(name)
        if self.chance(0.4):
            self.out.append(self.report())
        scenarios = ["base"] + blocks
        if blocks and self.chance(0.5) and self.ok("compare"):
            first = self.r.choice(scenarios)
            rest = [s for s in scenarios if s != first]
            self.out.append("compare " + ", ".join([first] + self.r.sample(rest, self.r.randint(1, len(rest)))))
        for _ in range(self.r.choice([0, 1, 2, 3])):
            s = self.r.choice(scenarios)
            self.out.append(self.expect(f"{s}: " if self.chance(0.7) else ""))
        return "\n".join(self.out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True, help="directory to write gen_SEED_NNNN.lode into")
    ap.add_argument("--avoid", default="", help="comma-separated constructs to leave out: " + ", ".join(AVOIDABLE))
    args = ap.parse_args()
    avoid = [a for a in args.avoid.split(",") if a]
    for a in avoid:
        if a not in AVOIDABLE:
            sys.exit(f"gen.py: unknown construct {a!r} for --avoid; one of: {', '.join(AVOIDABLE)}")
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        text = Gen(args.seed, i, avoid).program()
        with open(os.path.join(args.out, f"gen_{args.seed}_{i:04d}.lode"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
