#!/usr/bin/env python3
"""gen - a seeded generator of random valid lode programs, for xcheck.

Every program uses the language of docs/SPEC.md v0.3 without dates, ranges,
`lifts`, `as` or `samples`: actors (codes, names, aliases, gdp), groups and
groups of groups, coalitions (named and anonymous, with and without `covers X
demand [of ...]`), minerals with 1-3 stages, share lines with and without ROW,
volume, sourcing lines, `let` variables and arithmetic, restrictions and bans
(by a fraction or a mass), `disrupt`, `adds` (a fraction or a mass),
`stockpile` (durations and masses), groups and `A + B` as policy actors,
`rerouting`, `allocation`, scenario blocks with `extends`, share lines
restated at the top level and in blocks (updates, and `only`), restated
sourcing lines, demand lines naming actors with 0%, `report` (inherited),
`compare`, and `expect` against a value or another metric, on actors with and
without demand data. The worlds are small (at most 6 actors, 3 minerals, 3
stages, 4 scenario blocks), so lode evaluates each in a few milliseconds.

    python3 tools/xcheck/gen.py --seed 1 --count 300 --out /tmp/gen
    python3 tools/xcheck/gen.py --seed 1 --count 300 --out /tmp/gen --avoid quota-refs

The same seed, count and `--avoid` flags always write the same files
(`gen_SEED_NNNN.lode`); program i depends only on the seed, i and the flags.
`--avoid` leaves out constructs named in AVOIDABLE (comma separated), so a
construct on which lode is known to be wrong can be kept out of CI until it
is fixed (see FINDINGS.md), and a difference can be narrowed down.
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
    "restate": "restated share and sourcing lines",
    "update": "restated share lines without `only` (updates)",
    "explicit-row": "share lists that name ROW",
    "coalition-first": "`allocation coalition_first`",
    "mass-stockpile": "stockpiles given as a mass",
    "mass-policy": "masses in `adds` and `by`",
    "group-policy": "groups and `A + B` as the actors of restrictions, disruptions and stockpiles",
    "adds": "`adds`",
    "disrupt": "`disrupt`",
    "partial-rerouting": "`rerouting` between 0% and 100% exclusive",
    "compare": "`compare` lines",
    "metric-expect": "expectations comparing two metrics",
    "zero-demand-row": "default rows in a program whose demand lines name an actor with 0% "
    "(every report then names its rows)",
    "quota-refs": "a mass `by` whose mineral list names one mineral twice (`ore.mine, ore.mill`)",
    "zero-demand-stock": "a stockpile held by an actor that a demand line names with 0% (stockpiles are "
    "then held only by actors never named with 0%)",
}

VOLUMES = {"100 kt": 1e5, "2 Mt": 2e6, "50_000 t": 5e4, "1_500 t": 1.5e3}


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
            x_text = None
            if self.ok("covers") and self.chance(0.6):
                x_text, x = self.frac_literal(0.1, 0.6)
                fvars = [(n, v) for n, (k, v) in self.env.items() if k == "frac" and 0.05 <= v <= 0.6]
                if fvars and self.chance(0.2):
                    x_text, x = self.r.choice(fvars)
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

    def share_list(self, actors, total_lo=0.3, allow_row=True, env=None, positive=False, zero=0.0):
        """`XA 30%, XB 12.5%`: named shares summing to at most 100%.

        Returns the text and the entries [(actor, share)] as written (ROW
        among them when named). With `positive` no actor is named with 0%;
        with chance `zero` one more actor is named with 0% (in a demand line:
        a figure of 0, which is data).
        """
        k = self.r.randint(1, min(4, len(actors)))
        who = self.r.sample(actors, k)
        full = self.chance(0.35)
        total = 1.0 if full else self.r.randint(max(int(total_lo * 20), k if positive else 1), 20) / 20
        # no 0% from coinciding cuts (or a variable) where 0% is kept to some actors
        positive = positive or (zero and self.zero_ok != set(self.codes))
        if positive:
            cuts = sorted(self.r.sample(range(1, 100), k - 1))
        else:
            cuts = sorted(self.r.randint(1, 99) for _ in range(k - 1))
        parts = [b - a for a, b in zip([0] + cuts, cuts + [100])]
        vals = [round(total * p / 100, 3) for p in parts]
        vals[-1] = max(0.0, round(total - sum(vals[:-1]), 3))
        if positive and min(vals) <= 0:
            vals = [round(total / k, 3)] * k
        rest = [c for c in actors if c not in who and c in self.zero_ok]
        if rest and self.chance(zero):
            c = self.r.choice(rest)
            at = self.r.randint(0, len(who))
            who.insert(at, c)
            vals.insert(at, 0.0)
        items = [f"{self.ref(c)} {pct(v)}" for c, v in zip(who, vals)]
        entries = list(zip(who, vals))
        named = sum(vals)
        if allow_row and self.ok("explicit-row") and self.chance(0.15) and named <= 1.0:
            row = round(1.0 - named, 4)
            if self.chance(0.2) and row >= 0.001:
                row = round(row - 0.0005, 4)  # 0.05 pp short: allowed (SPEC §2.1, ±0.1 pp)
            at = self.r.randint(0, len(items))
            items.insert(at, f"ROW {pct(row)}")
            entries.insert(at, ("ROW", row))
        elif env and self.chance(0.1):
            # a share given by a variable: replace the last share when it fits
            lo = 1e-9 if positive else -1.0
            fvars = [(n, v) for n, (kk, v) in env.items() if kk == "frac" and lo < v <= vals[-1] + 1e-9]
            if fvars:
                n, v = self.r.choice(fvars)
                items[-1] = f"{self.ref(who[-1])} {n}"
                entries[-1] = (who[-1], v)
        return ", ".join(items), entries

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

    def note_demand(self, entries):
        if any(a != "ROW" and v == 0 for a, v in entries):
            self.zero_demand = True

    def mineral_blocks(self):
        # the world's share lines: mineral -> line (a stage or "demand") -> entries
        self.world_lines = {}
        for m in self.mineral_names:
            lines = [f"mineral {m} {{"]
            self.world_lines[m] = {}
            if self.chance(0.3):
                lines.append(f'  source "Synthetic figures for {m}"')
            ss = self.stages[m]
            if ss != ["supply"] or self.chance(0.3):
                lines.append("  stages " + ", ".join(ss))
            if self.chance(0.5):
                v = self.r.choice(list(VOLUMES))
                lines.append(f"  volume {v}")
                self.volume[m] = VOLUMES[v]
            body = []
            for s in ss:
                text, entries = self.share_list(self.codes, env=self.env)
                body.append(f"  {s}: " + text)
                self.world_lines[m][s] = entries
            # demand: often, but not always, leaving a coalition's members out so
            # that a `covers` claim supplies the data
            if self.chance(0.85):
                pool = list(self.codes)
                for name, mem, x, mins in self.covers:
                    if (mins is None or m in mins) and self.chance(0.4):
                        pool = [c for c in pool if c not in mem]
                if pool:
                    text, entries = self.share_list(pool, total_lo=0.2, env=self.env, zero=0.3)
                    body.append("  demand: " + text)
                    self.world_lines[m]["demand"] = entries
                    self.note_demand(entries)
            if self.ok("sources"):
                sourced = set()
                for _ in range(self.r.choice([0, 0, 1, 2])):
                    buyer = self.r.choice(self.codes)
                    stage = self.r.choice(ss)
                    if (buyer, stage) in sourced:
                        continue  # a second line for one buyer and stage is an error (E0507)
                    sourced.add((buyer, stage))
                    lbl = f" {stage}" if stage != ss[-1] or self.chance(0.5) else ""
                    body.append(f"  {self.ref(buyer)} sources{lbl}: " + self.sourcing_list(buyer))
            self.r.shuffle(body)
            lines += body
            lines.append("}")
            self.out.append("\n".join(lines))

    # ------------------------------------------------------------------ statements

    def mineral_items(self, k_max=2, stages=True, minerals=None):
        """`ore, dust.mining, refining`"""
        pool = minerals or self.mineral_names
        items = []
        for _ in range(self.r.randint(1, k_max)):
            m = self.r.choice(pool)
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

    def item_mineral(self, it):
        head = it.split(".")[0]
        return head if head in self.stages else self.unique_stage[head]

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

    def named_groups(self):
        """Groups and coalitions a policy may name as its actor."""
        return self.groups_declared + [c for c in self.coalition_names if "+" not in c]

    def exporter(self):
        """An actor, ROW, or a group (SPEC §2.4 [v0.3]: each member acts)."""
        if self.ok("group-policy") and self.named_groups() and self.chance(0.15):
            return self.r.choice(self.named_groups())
        if self.chance(0.07):
            return "ROW"
        return self.ref(self.r.choice(self.codes))

    def mass_of(self, m, lo, hi):
        """A mass between lo and hi times m's volume, as `x kt` or `x t`."""
        t = self.r.uniform(lo, hi) * self.volume[m]
        if t >= 1000 and self.chance(0.6):
            return f"{round(t / 1000, 3):g} kt"
        return f"{max(1, round(t))} t"

    def mass_items(self):
        """With a mass, every item needs a volume; and (`--avoid quota-refs`)
        each mineral named once."""
        mins = [m for m in self.mineral_names if m in self.volume]
        if not mins or not self.ok("mass-policy"):
            return None
        items = self.mineral_items(minerals=mins)
        if not self.ok("quota-refs"):
            seen, kept = set(), []
            for it in items:
                if self.item_mineral(it) not in seen:
                    seen.add(self.item_mineral(it))
                    kept.append(it)
            items = kept
        return items

    def holders(self):
        """`XA`, `XA + XB`, `g` (SPEC §2.4 [v0.3]: each holds that much);
        only actors that may hold stock (`--avoid zero-demand-stock`)."""
        pool = sorted(self.stock_ok)
        groups = [g for g in self.named_groups() if self.group_members[g] <= self.stock_ok]
        if not self.ok("group-policy") or self.chance(0.6):
            return self.ref(self.r.choice(pool))
        items, _ = self.member_list(groups, 3)
        items = [x for x in items if x in groups or x in self.stock_ok] or [self.r.choice(pool)]
        return " + ".join(self.ref(x) if x in self.codes else x for x in items)

    def update_line(self, cur, env, pool):
        """An update of a share line (SPEC §2.1 [v0.3]): 1-2 actors of `pool`
        get new shares; the others keep theirs, an explicit ROW is dropped;
        the named shares stay within 100%. -> (text, entries after the
        update)."""
        who = self.r.sample(pool, self.r.randint(1, min(2, len(pool))))
        kept = sum(v for a, v in cur if a not in who and a != "ROW")
        room = max(0, int((1.0 - kept) * 200 + 1e-6))  # in steps of 0.5%
        total = self.r.randint(0, room)
        cut = self.r.randint(0, total)
        vals = [cut / 200, (total - cut) / 200][: len(who)] if len(who) == 2 else [total / 200]
        texts = [f"{self.ref(c)} {pct(v)}" for c, v in zip(who, vals)]
        new = list(zip(who, vals))
        fvars = [(n, v) for n, (k, v) in env.items() if k == "frac" and v <= vals[-1] + 1e-9]
        if fvars and self.chance(0.15):
            n, v = self.r.choice(fvars)
            texts[-1] = f"{self.ref(who[-1])} {n}"
            new[-1] = (who[-1], v)
        out = [(a, v) for a, v in cur if a != "ROW"]
        for a, v in new:
            for i, (b, _) in enumerate(out):
                if b == a:
                    out[i] = (a, v)
                    break
            else:
                out.append((a, v))
        return ", ".join(texts), out

    def policy(self, env, names, lines, in_block):
        """One policy, shock or structure line; `lines` are the share lines in
        force in the scenario (updated by restatements)."""
        kinds = ["restricts", "restricts", "restricts", "bans", "stockpile", "let", "rerouting", "allocation"]
        if self.ok("disrupt"):
            kinds += ["disrupt", "disrupt"]
        if self.ok("adds"):
            kinds += ["adds"]
        if self.ok("restate"):
            kinds += ["restate", "restate"] if in_block else ["restate"]
            if self.ok("sources"):
                kinds += ["resource"]
        k = self.r.choice(kinds)
        if k in ("restricts", "bans"):
            e = self.exporter()
            t = self.target(e)
            if k == "bans":
                return f"{e} bans {', '.join(self.mineral_items())} to {t}"
            by = ""
            items = None
            if self.chance(0.2):
                items = self.mass_items()
            if items is not None:
                m0 = self.item_mineral(items[0])
                by = " by " + self.mass_of(m0, 0.0, 0.8)
                if self.chance(0.1):
                    mvars = [n for n, (kk, v) in env.items() if kk == "mass"]
                    if mvars:
                        by = " by " + self.r.choice(mvars)
            else:
                items = self.mineral_items()
                if self.chance(0.8):
                    by = " by " + self.frac_expr(env, 0.0, 1.0)[0]
            return f"{e} restricts {', '.join(items)} to {t}{by}"
        if k == "disrupt":
            return f"disrupt {self.exporter()} {', '.join(self.mineral_items())} by {self.frac_expr(env, 0.0, 1.0)[0]}"
        if k == "adds":
            a = self.r.choice(self.codes)
            items = self.mass_items() if self.chance(0.3) else None
            if items is not None:
                # at most what the smallest volume of the list allows: 30% of it
                small = min(self.volume[self.item_mineral(it)] for it in items)
                t = self.r.uniform(0.0, 0.3) * small
                amount = f"{round(t / 1000, 3):g} kt" if t >= 1000 and self.chance(0.6) else f"{max(1, int(t))} t"
                return f"{self.ref(a)} adds {amount} {', '.join(items)}"
            return f"{self.ref(a)} adds {self.frac_expr(env, 0.0, 0.3)[0]} {', '.join(self.mineral_items())}"
        if k == "stockpile":
            who = self.holders()
            mins = self.mineral_items(2, stages=False)
            if self.ok("mass-stockpile") and all(m in self.volume for m in mins) and self.chance(0.4):
                amount = self.mass_expr(env)[0]
            else:
                amount = self.days_expr(env)[0]
            return f"stockpile {who} {', '.join(mins)} {amount}"
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
            cur = lines[m].get(line)
            # an update may name an actor with 0%: in a demand line only
            # those that may (`--avoid zero-demand-stock`)
            pool = sorted(self.zero_ok) if line == "demand" else self.codes
            if self.ok("update") and cur is not None and pool and self.chance(0.6):
                text, entries = self.update_line(cur, env, pool)
                head += ":"
            else:
                if line == "demand":
                    text, entries = self.share_list(self.codes, total_lo=0.2, env=env, zero=0.3)
                else:
                    text, entries = self.share_list(self.codes, total_lo=0.2, env=env)
                # `only` replaces the line; without it a line the scenario
                # has not had yet (no demand line) is just stated
                head += " only:" if cur is not None or self.chance(0.5) else ":"
            lines[m][line] = entries
            if line == "demand":
                self.note_demand(entries)
            return f"{head} {text}"
        if k == "resource":
            m = self.r.choice(self.mineral_names)
            buyer = self.r.choice(self.codes)
            s = self.r.choice(self.stages[m])
            head = f"{m}.{s}" if self.chance(0.7) else m
            return f"{self.ref(buyer)} sources {head}: " + self.sourcing_list(buyer)
        raise AssertionError(k)

    def row_names(self):
        """Names a row may be asked for: actors (with demand data or not),
        aliases, groups, coalitions."""
        out = list(self.codes) + list(self.alias.values()) + self.groups_declared + self.coalition_names
        if self.chance(0.2):
            out.append("ROW")
        return out

    def report(self, must_name=False):
        """A `report` line; with `must_name` it always names its rows."""
        parts = ["report"]
        roll = self.r.random()
        if roll < 0.05 and not must_name:
            return "report"
        if roll < 0.8 or must_name:
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

    FRACTION_METRICS = ["demand", "output", "import_reliance", "top_supplier_share", "dependency",
                        "at_risk", "shortfall", "shortfall"]

    def metric_ref(self, metric=None):
        who = self.r.choice(self.row_names())
        m = self.r.choice(self.mineral_names)
        if metric is None:
            metric = self.r.choice(["demand", "output", "import_reliance", "top_supplier", "top_supplier_share",
                                    "hhi", "dependency", "at_risk", "shortfall", "shortfall", "cover_days"])
        if metric == "output":
            metric = f"output.{self.r.choice(self.stages[m])}"
        if metric == "dependency":
            metric = f"dependency.{self.r.choice(self.codes + ['ROW'])}"
        return f"{who}.{m}.{metric}", metric.split(".")[0]

    def expect(self, scenario_prefix, scenarios):
        ref, metric = self.metric_ref()
        op = self.r.choice(["<", "<=", ">", ">=", "==", "!="])
        tol = ""
        if self.ok("metric-expect") and self.chance(0.3):
            # another metric of the same kind (SPEC §2.6 [v0.3]), in this
            # scenario or one named
            if metric in ("top_supplier", "hhi", "cover_days"):
                other, _ = self.metric_ref(metric)
            else:
                other, _ = self.metric_ref(self.r.choice(self.FRACTION_METRICS))
            if metric == "top_supplier":
                op = self.r.choice(["==", "!="])
            rhs = (f"{self.r.choice(scenarios)}: " if self.chance(0.4) else "") + other
            if op == "==" and metric != "top_supplier" and self.chance(0.4):
                tol = f" +- {self.r.choice(['50', '5'] if metric in ('hhi', 'cover_days') else ['1%', '5%'])}"
            return f"expect {scenario_prefix}{ref} {op} {rhs}{tol}"
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
        return f"expect {scenario_prefix}{ref} {op} {rhs}{tol}"

    # ------------------------------------------------------------------ program

    def program(self):
        self.out.append(f"# generated by tools/xcheck/gen.py (seed {self.seed}, program {self.index})")
        self.zero_demand = False
        self.actors()
        # `--avoid zero-demand-stock`: the actors that may be named with 0% in a
        # demand line and those that may hold stock are kept apart
        self.zero_ok = set(self.codes)
        self.stock_ok = set(self.codes)
        if not self.ok("zero-demand-stock"):
            k = self.r.randint(1, len(self.codes) - 1)
            self.zero_ok = set(self.r.sample(self.codes, k))
            self.stock_ok = set(self.codes) - self.zero_ok
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
        named_rows = not self.ok("zero-demand-row")
        # base: top-level policies
        base_env = dict(self.env)
        base_lines = {m: dict(ls) for m, ls in self.world_lines.items()}
        for _ in range(self.r.choice([0, 0, 1, 2])):
            self.out.append(self.policy(base_env, self.var_names, base_lines, False))
        # scenario blocks
        blocks = []
        envs = {"base": base_env}
        states = {"base": base_lines}
        for i in range(self.r.choice([0, 1, 2, 2, 3, 4])):
            name = f"sc{i + 1}"
            parent = self.r.choice(blocks) if blocks and self.chance(0.4) else None
            env = dict(envs[parent] if parent else base_env)
            lines = {m: dict(ls) for m, ls in states[parent or "base"].items()}
            body = []
            for _ in range(self.r.randint(1, 4)):
                body.append(self.policy(env, self.var_names, lines, True))
            if self.chance(0.2):
                body.append(self.report(must_name=named_rows))
            if self.chance(0.3):
                body.append(self.expect("", ["base"] + blocks))
            envs[name] = env
            states[name] = lines
            head = f"scenario {name}" + (f" extends {parent}" if parent else "")
            if self.chance(0.4) and len(body) <= 3:
                self.out.append(head + " { " + "; ".join(body) + " }")
            else:
                self.out.append(head + " {\n  " + "\n  ".join(body) + "\n}")
            blocks.append(name)
        # `--avoid zero-demand-row`: with an actor named at 0% anywhere, base
        # names its rows, and every block inherits them or names its own
        if self.chance(0.4) or (named_rows and self.zero_demand):
            self.out.append(self.report(must_name=named_rows and self.zero_demand))
        scenarios = ["base"] + blocks
        if blocks and self.chance(0.5) and self.ok("compare"):
            first = self.r.choice(scenarios)
            rest = [s for s in scenarios if s != first]
            self.out.append("compare " + ", ".join([first] + self.r.sample(rest, self.r.randint(1, len(rest)))))
        for _ in range(self.r.choice([0, 1, 2, 3])):
            s = self.r.choice(scenarios)
            self.out.append(self.expect(f"{s}: " if self.chance(0.7) else "", scenarios))
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
