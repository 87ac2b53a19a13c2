#!/usr/bin/env python3
"""xcheck - an independent reference implementation of the lode model (SPEC §3).

It follows docs/SPEC.md and the README's language reference and "model
decisions" only and shares no code with lode, so agreement means two
readings of the specification agree. Standard library only.

    python3 tools/xcheck/xcheck.py scenarios/japan_2026.lode
    python3 tools/xcheck/xcheck.py scenarios/*.lode --lode target/release/lode
    python3 tools/xcheck/xcheck.py FILE --dump        # print own results only

See README.md next to this file.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORLD = os.path.join(REPO, "data", "world2024.lode")
INF = float("inf")

# ---------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<ws>[ \t\r]+)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<money>\$[0-9][0-9_]*(?:\.[0-9]+)?[TBMK]?)
  | (?P<num>[0-9][0-9_]*(?:\.[0-9]+)?%?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<sym>\+-|±|<=|>=|==|!=|\.\.|[{}();:,.+\-*/=<>])
    """,
    re.X,
)


class Tok:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line

    def __repr__(self):
        return f"{self.kind}:{self.text}"


def lex(src):
    out, pos, line = [], 0, 1
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m:
            raise SyntaxError(f"line {line}: cannot lex {src[pos:pos+20]!r}")
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "nl":
            out.append(Tok("nl", "\n", line))
            line += 1
        elif kind in ("comment", "ws"):
            pass
        else:
            out.append(Tok(kind, text, line))
        pos = m.end()
    return out


class Stmt:
    """A statement: its tokens, and the statements of its block if it has one."""

    def __init__(self, toks, block=None):
        self.toks, self.block = toks, block
        self.line = toks[0].line if toks else 0

    def words(self):
        return [t.text for t in self.toks]

    def __repr__(self):
        return " ".join(self.words()) + (" {...}" if self.block is not None else "")


def split_statements(toks, i=0, closing=False):
    stmts, cur = [], []
    while i < len(toks):
        t = toks[i]
        if t.kind == "nl" or (t.kind == "sym" and t.text == ";"):
            if cur:
                stmts.append(Stmt(cur))
                cur = []
            i += 1
        elif t.kind == "sym" and t.text == "{":
            block, i = split_statements(toks, i + 1, closing=True)
            stmts.append(Stmt(cur, block))
            cur = []
        elif t.kind == "sym" and t.text == "}":
            if cur:
                stmts.append(Stmt(cur))
            if not closing:
                raise SyntaxError(f"line {t.line}: unexpected }}")
            return stmts, i + 1
        else:
            cur.append(t)
            i += 1
    if cur:
        stmts.append(Stmt(cur))
    if closing:
        raise SyntaxError("unclosed {")
    return stmts, i


# ---------------------------------------------------------------------------
# Values and expressions
# ---------------------------------------------------------------------------

MASS = {"t": 1.0, "kt": 1e3, "Mt": 1e6}
DURATION = {"days": 1.0, "day": 1.0, "months": 30.0, "month": 30.0, "years": 365.0, "year": 365.0}
MONEY = {"T": 1e12, "B": 1e9, "M": 1e6, "K": 1e3, "": 1.0}


class Expr:
    """Recursive-descent evaluator over a token slice; values are (number, unit)."""

    def __init__(self, toks, env):
        self.toks, self.i, self.env = toks, 0, env

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self):
        v = self.add()
        return v

    def add(self):
        v = self.mul()
        while self.peek() is not None and self.peek().text in ("+", "-"):
            op = self.take().text
            w = self.mul()
            if v[1] != w[1]:
                raise ValueError(f"units do not agree: {v} {op} {w}")
            v = (v[0] + w[0] if op == "+" else v[0] - w[0], v[1])
        return v

    def mul(self):
        v = self.unary()
        while self.peek() is not None and self.peek().text in ("*", "/"):
            op = self.take().text
            w = self.unary()
            if op == "*":
                v = (v[0] * w[0], v[1] or w[1])
            else:
                v = (v[0] / w[0], None if v[1] == w[1] else v[1])
        return v

    def unary(self):
        if self.peek() is not None and self.peek().text == "-":
            self.take()
            v = self.unary()
            return (-v[0], v[1])
        return self.atom()

    def atom(self):
        t = self.take()
        if t.text == "(":
            v = self.add()
            assert self.take().text == ")"
            return v
        if t.kind == "money":
            m = re.match(r"\$([0-9_.]+)([TBMK]?)", t.text)
            return (float(m.group(1).replace("_", "")) * MONEY[m.group(2)], "money")
        if t.kind == "num":
            txt = t.text.replace("_", "")
            if txt.endswith("%"):
                v = (float(txt[:-1]) / 100.0, None)
            else:
                v = (float(txt), None)
                nxt = self.peek()
                if nxt is not None and nxt.kind == "id" and nxt.text in MASS:
                    self.take()
                    v = (v[0] * MASS[nxt.text], "mass")
                elif nxt is not None and nxt.kind == "id" and nxt.text in DURATION:
                    self.take()
                    v = (v[0] * DURATION[nxt.text], "days")
            # uncertain values: 85%..92% (midpoint) and 88% (85%..92%) (mode)
            nxt = self.peek()
            if nxt is not None and nxt.text == "..":
                self.take()
                hi = self.atom()
                return ((v[0] + hi[0]) / 2, v[1])
            if nxt is not None and nxt.text == "(" and self._looks_range():
                self.take()
                self.atom()
                assert self.take().text == ")"
            return v
        if t.kind == "id":
            if t.text not in self.env:
                raise NameError(f"unknown variable {t.text}")
            return self.env[t.text]
        raise SyntaxError(f"line {t.line}: unexpected {t.text!r} in expression")

    def _looks_range(self):
        j = self.i + 1
        return j + 1 < len(self.toks) and self.toks[j + 1].text == ".."


def eval_expr(toks, env):
    e = Expr(toks, env)
    v = e.parse()
    if e.i != len(toks):
        raise SyntaxError(f"trailing tokens in expression: {toks[e.i:]}")
    return v


# ---------------------------------------------------------------------------
# World: actors, groups, coalitions, minerals
# ---------------------------------------------------------------------------


class Mineral:
    def __init__(self, name):
        self.name = name
        self.stages = []
        self.volume_t = None
        self.shares = {}  # stage -> {actor: share} (ROW filled)
        self.demand = None  # {actor: share} (ROW filled) or None when no line
        self.demand_named = set()
        self.sources = {}  # (buyer, stage) -> [(supplier, share)]

    def copy(self):
        m = Mineral(self.name)
        m.stages = list(self.stages)
        m.volume_t = self.volume_t
        m.shares = {s: dict(v) for s, v in self.shares.items()}
        m.demand = dict(self.demand) if self.demand is not None else None
        m.demand_named = set(self.demand_named)
        m.sources = {k: list(v) for k, v in self.sources.items()}
        return m


class World:
    def __init__(self):
        self.actors = {"ROW": {"name": "Rest of world", "gdp": None}}
        self.alias = {}
        self.groups = {}  # name -> list of codes (deduplicated, order kept)
        self.file_groups = []  # groups declared in the main file
        self.coalitions = {}  # name -> list of codes
        self.minerals = {}  # name -> Mineral (file order kept by dict)
        self.env = {}  # top-level variables

    # names ---------------------------------------------------------------
    def resolve(self, name):
        """A name -> list of actor codes."""
        if name in self.actors:
            return [name]
        if name in self.alias:
            return [self.alias[name]]
        if name in self.groups:
            return list(self.groups[name])
        if name in self.coalitions:
            return list(self.coalitions[name])
        raise NameError(f"unknown actor/group {name}")

    def actor(self, name):
        r = self.resolve(name)
        if len(r) != 1 or (name not in self.actors and name not in self.alias):
            raise NameError(f"{name} is not a single actor")
        return r[0]

    def kind(self, name):
        if name in self.coalitions:
            return "coalition"
        if name in self.groups:
            return "group"
        return "country"

    def union(self, names):
        out = []
        for n in names:
            for c in self.resolve(n):
                if c not in out:
                    out.append(c)
        return out


def parse_share_list(toks, world, env):
    """`CN 68.5%, US 11.4%` -> ordered list [(code, share)]."""
    items, cur = [], []
    for t in toks + [Tok("sym", ",", 0)]:
        if t.text == ",":
            if cur:
                code = world.actor(cur[0].text)
                items.append((code, eval_expr(cur[1:], env)[0]))
            cur = []
        else:
            cur.append(t)
    return items


def fill_row(items):
    d = {}
    for a, v in items:
        d[a] = d.get(a, 0.0) + v
    if "ROW" not in d:
        rest = 1.0 - sum(d.values())
        d["ROW"] = rest if rest > 1e-12 else 0.0
    return d


def split_on(toks, text):
    parts, cur = [], []
    for t in toks:
        if t.text == text:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts


def load_world_file(path, world, is_main=False):
    stmts, _ = split_statements(lex(open(path, encoding="utf-8").read()))
    for st in stmts:
        w = st.words()
        if not w:
            continue
        if w[0] == "actor":
            parse_actor(st, world)
        elif w[0] == "group":
            name = w[1]
            assert w[2] == "="
            names = [t.text for t in st.toks[3:] if t.text != "+"]
            world.groups[name] = world.union(names)
            if is_main:
                world.file_groups.append(name)
        elif w[0] == "mineral":
            parse_mineral(st, world)
        elif w[0] in ("source", "use"):
            pass
        else:
            yield st


def parse_actor(st, world):
    toks = st.toks[1:]
    # `actor CN, JP, US` or `actor SG "Name" alias a, b gdp $1B`
    code = toks[0].text
    if len(toks) > 1 and toks[1].text == ",":
        for t in toks:
            if t.kind == "id":
                world.actors[t.text] = {"name": t.text, "gdp": None}
        return
    info = {"name": code, "gdp": None}
    i = 1
    if i < len(toks) and toks[i].kind == "str":
        info["name"] = toks[i].text[1:-1]
        i += 1
    while i < len(toks):
        t = toks[i]
        if t.text == "alias":
            i += 1
            while i < len(toks) and toks[i].kind == "id" and toks[i].text != "gdp":
                world.alias[toks[i].text] = code
                i += 1
                if i < len(toks) and toks[i].text == ",":
                    i += 1
        elif t.text == "gdp":
            info["gdp"] = eval_expr(toks[i + 1 : i + 2], {})[0]
            i += 2
        else:
            i += 1
    world.actors[code] = info


def parse_mineral(st, world):
    m = Mineral(st.toks[1].text)
    pending = []
    for s in st.block:
        w = s.words()
        if w[0] == "source":
            continue
        if w[0] == "stages":
            m.stages = [t for t in w[1:] if t != ","]
        elif w[0] == "volume":
            v = eval_expr(s.toks[1:], world.env)
            m.volume_t = v[0]
        else:
            pending.append(s)
    if not m.stages:
        m.stages = ["supply"]
    for s in pending:
        w = s.words()
        if len(w) > 1 and w[1] == ":":
            items = parse_share_list(s.toks[2:], world, world.env)
            if w[0] == "demand":
                m.demand = fill_row(items)
                m.demand_named = {a for a, _ in items}
            else:
                assert w[0] in m.stages, w
                m.shares[w[0]] = fill_row(items)
        elif len(w) > 1 and w[1] == "sources":
            buyer = world.actor(w[0])
            colon = w.index(":")
            stage = w[2] if colon == 3 else m.stages[-1]
            m.sources[(buyer, stage)] = parse_share_list(s.toks[colon + 1 :], world, world.env)
        else:
            raise SyntaxError(f"mineral {m.name}: cannot read {s}")
    for s in m.stages:
        m.shares.setdefault(s, {"ROW": 1.0})
    world.minerals[m.name] = m


# ---------------------------------------------------------------------------
# Scenario assembly (SPEC §2.5)
# ---------------------------------------------------------------------------


class Program:
    def __init__(self, path):
        self.world = World()
        self.path = path
        self.base_stmts = []
        self.blocks = {}  # name -> (parent, stmts)
        self.order = []
        self.covers = []  # (coalition, X, minerals or None)
        src = open(path, encoding="utf-8").read()
        stmts, _ = split_statements(lex(src))
        has_decl = any(s.words() and s.words()[0] in ("use", "actor", "mineral") for s in stmts)
        uses_world = (not has_decl) or any(s.words()[:2] == ["use", "world2024"] for s in stmts)
        if uses_world:
            for _ in load_world_file(WORLD, self.world):
                pass
        # the main file: declarations, then scenario statements
        for st in stmts:
            w = st.words()
            if not w:
                continue
            if w[0] == "use":
                if w[1] != "world2024":
                    raise NotImplementedError("use \"file\" is not supported by xcheck")
            elif w[0] == "actor":
                parse_actor(st, self.world)
            elif w[0] == "group":
                names = [t.text for t in st.toks[3:] if t.text != "+"]
                self.world.groups[w[1]] = self.world.union(names)
                self.world.file_groups.append(w[1])
            elif w[0] == "mineral":
                parse_mineral(st, self.world)
            elif w[0] == "coalition":
                self.parse_coalition(st)
            elif w[0] == "scenario":
                name = w[1]
                parent = w[3] if len(w) > 3 and w[2] == "extends" else None
                self.blocks[name] = (parent, st.block)
                self.order.append(name)
            elif w[0] == "let":
                self.world.env[w[1]] = eval_expr(st.toks[3:], self.world.env)
                self.base_stmts.append(st)
            elif w[0] == "source":
                pass
            else:
                self.base_stmts.append(st)
        self.apply_covers()

    def parse_coalition(self, st):
        w = st.words()
        toks = st.toks[1:]
        cov = None
        if "covers" in w:
            k = [t.text for t in toks].index("covers")
            cov_toks = toks[k + 1 :]
            toks = toks[:k]
            dk = [t.text for t in cov_toks].index("demand")
            X = eval_expr(cov_toks[:dk], self.world.env)[0]
            mins = None
            if dk + 1 < len(cov_toks) and cov_toks[dk + 1].text == "of":
                mins = [t.text for t in cov_toks[dk + 2 :] if t.text != ","]
            cov = (X, mins)
        if len(toks) > 1 and toks[1].text == "=":
            name = toks[0].text
            member_toks = toks[2:]
        else:
            name = "".join(t.text for t in toks)
            member_toks = toks
        names = [t.text for t in member_toks if t.text != "+"]
        self.world.coalitions[name] = self.world.union(names)
        if cov:
            self.covers.append((name, cov[0], cov[1]))

    def apply_covers(self):
        """SPEC §2.2 + README: where no member has demand data, X is split by gdp
        (when every member has one, otherwise equally)."""
        w = self.world
        for name, X, mins in self.covers:
            members = w.coalitions[name]
            for m in w.minerals.values():
                if mins is not None and m.name not in mins:
                    continue
                named = m.demand_named if m.demand is not None else set()
                if any(c in named for c in members):
                    continue  # checked, a warning at most
                others = sum(v for a, v in (m.demand or {}).items() if a != "ROW" and a not in members)
                x = min(X, max(0.0, 1.0 - others))
                gdps = [w.actors[c].get("gdp") for c in members]
                if all(g is not None for g in gdps):
                    tot = sum(gdps)
                    split = {c: x * g / tot for c, g in zip(members, gdps)}
                else:
                    split = {c: x / len(members) for c in members}
                d = {a: v for a, v in (m.demand or {}).items() if a != "ROW"}
                d.update(split)
                d["ROW"] = max(0.0, 1.0 - sum(d.values()))
                m.demand = d
                m.demand_named = set(k for k in d if k != "ROW")

    def scenario_names(self):
        return ["base"] + self.order

    def chain(self, name):
        if name == "base":
            return list(self.base_stmts)
        parent, stmts = self.blocks[name]
        out = self.chain(parent) if parent else list(self.base_stmts)
        return out + list(stmts)

    def own_stmts(self, name):
        if name == "base":
            return self.base_stmts
        return self.blocks[name][1]


class Scenario:
    def __init__(self, prog, name):
        self.prog, self.name = prog, name
        w = prog.world
        self.minerals = {k: m.copy() for k, m in w.minerals.items()}
        self.adds = defaultdict(float)  # (mineral, stage, actor) -> add
        self.restrictions = []  # (exporter, mineral, stage, target, keep)
        self.disrupts = []  # (actor, mineral, stage, keep)
        self.stockpiles = {}  # (actor, mineral) -> ("days"|"mass", value)
        self.allocation = "market"
        self.alloc_coalition = None
        self.rerouting = None
        self.report = None  # (names, minerals)
        env = dict(w.env)
        own = set(id(s) for s in prog.own_stmts(name))
        for st in prog.chain(name):
            self.apply(st, env, id(st) in own)
        if self.allocation == "sticky":
            self.r = 0.0
        elif self.rerouting is not None:
            self.r = self.rerouting
        elif self.allocation_explicit:
            self.r = 1.0
        else:
            self.r = 0.0

    allocation_explicit = False

    def items(self, toks):
        """mineral list -> [(mineral, stage)]"""
        out = []
        for part in split_on(toks, ","):
            txt = [t.text for t in part]
            if len(txt) == 3 and txt[1] == ".":
                out.append((txt[0], txt[2]))
            elif len(txt) == 1:
                if txt[0] in self.minerals:
                    for s in self.minerals[txt[0]].stages:
                        out.append((txt[0], s))
                else:
                    owners = [m for m in self.minerals.values() if txt[0] in m.stages]
                    if len(owners) != 1:
                        raise NameError(f"stage {txt[0]} is ambiguous or unknown")
                    out.append((owners[0].name, txt[0]))
            else:
                raise SyntaxError(f"bad mineral item {txt}")
        return out

    def targets(self, toks, exporter):
        w = self.prog.world
        txt = [t.text for t in toks]
        if txt and txt[0] == "all":
            allc = [a for a in w.actors if a != exporter]
            if len(txt) > 1 and txt[1] == "except":
                ex = w.union([t for t in txt[2:] if t not in ("+", ",")])
                allc = [a for a in allc if a not in ex]
            return allc
        return [a for a in w.union([t for t in txt if t not in ("+", ",")]) if a != exporter]

    def apply(self, st, env, own):
        w = self.prog.world
        words = st.words()
        k = words[0]
        if k == "let":
            env[words[1]] = eval_expr(st.toks[3:], env)
        elif k in ("expect", "compare"):
            pass
        elif k == "report":
            if own:
                toks = st.toks[2:] if words[1] == "for" else st.toks[1:]
                txt = [t.text for t in toks]
                mins = None
                if "on" in txt:
                    j = txt.index("on")
                    mins = [t for t in txt[j + 1 :] if t != ","]
                    txt = txt[:j]
                self.report = ([t for t in txt if t != ","], mins)
        elif k == "allocation":
            self.allocation = words[1]
            self.allocation_explicit = True
            self.alloc_coalition = words[2] if len(words) > 2 else None
        elif k == "rerouting":
            self.rerouting = eval_expr(st.toks[1:], env)[0]
        elif k == "stockpile":
            a = w.actor(words[1])
            v = eval_expr(st.toks[3:], env)
            self.stockpiles[(a, words[2])] = v
        elif k == "disrupt":
            a = w.actor(words[1])
            j = words.index("by")
            keep = 1.0 - eval_expr(st.toks[j + 1 :], env)[0]
            for m, s in self.items(st.toks[2:j]):
                self.disrupts.append((a, m, s, keep))
        elif len(words) > 1 and words[1] in ("restricts", "bans"):
            a = w.actor(words[0])
            j = words.index("to")
            if "by" in words:
                b = words.index("by")
                f = eval_expr(st.toks[b + 1 :], env)[0]
            else:
                b = len(words)
                f = 1.0
            for m, s in self.items(st.toks[2:j]):
                for t in self.targets(st.toks[j + 1 : b], a):
                    self.restrictions.append((a, m, s, t, 1.0 - f))
        elif len(words) > 1 and words[1] == "adds":
            a = w.actor(words[0])
            # AU adds 3% rare_earths.refining : expression then an item
            # the item is the trailing `m` or `m . s`
            if len(words) >= 4 and words[-2] == ".":
                item_toks, ex = st.toks[-3:], st.toks[2:-3]
            else:
                item_toks, ex = st.toks[-1:], st.toks[2:-1]
            v = eval_expr(ex, env)[0]
            for m, s in self.items(item_toks):
                self.adds[(m, s, a)] += v
        elif len(words) > 1 and words[1] == "sources":
            buyer = w.actor(words[0])
            colon = words.index(":")
            it = self.items(st.toks[2:colon])
            m = it[0][0]
            stage = it[0][1] if len(st.toks[2:colon]) == 3 else self.minerals[m].stages[-1]
            self.minerals[m].sources[(buyer, stage)] = parse_share_list(st.toks[colon + 1 :], w, env)
        elif ":" in words and "." in words[: words.index(":")]:
            # restated share line: rare_earths.refining: CN 80%
            m, s = words[0], words[2]
            items = parse_share_list(st.toks[4:], w, env)
            if s == "demand":
                self.minerals[m].demand = fill_row(items)
                self.minerals[m].demand_named = {a for a, _ in items}
            else:
                self.minerals[m].shares[s] = fill_row(items)
        elif ":" in words and words[0] in ("demand",) or (len(words) > 1 and words[1] == ":"):
            # bare stage name restated
            s = words[0]
            owners = [mm for mm in self.minerals.values() if s in mm.stages]
            items = parse_share_list(st.toks[2:], w, env)
            owners[0].shares[s] = fill_row(items)
        else:
            raise SyntaxError(f"line {st.line}: xcheck cannot read: {st}")


# ---------------------------------------------------------------------------
# Max flow and max-min fair allocation
# ---------------------------------------------------------------------------


class FlowNet:
    def __init__(self):
        self.adj = defaultdict(list)  # node -> list of edge ids
        self.to, self.cap = [], []

    def add(self, u, v, c):
        self.adj[u].append(len(self.to))
        self.to.append(v)
        self.cap.append(c)
        self.adj[v].append(len(self.to))
        self.to.append(u)
        self.cap.append(0.0)

    def maxflow(self, s, t, eps=1e-15):
        total = 0.0
        while True:
            level = {s: 0}
            q = [s]
            for u in q:
                for e in self.adj[u]:
                    if self.cap[e] > eps and self.to[e] not in level:
                        level[self.to[e]] = level[u] + 1
                        q.append(self.to[e])
            if t not in level:
                return total
            it = {u: 0 for u in level}

            def dfs(u, f):
                if u == t:
                    return f
                lst = self.adj[u]
                while it[u] < len(lst):
                    e = lst[it[u]]
                    v = self.to[e]
                    if self.cap[e] > eps and level.get(v, -1) == level[u] + 1:
                        d = dfs(v, min(f, self.cap[e]))
                        if d > eps:
                            self.cap[e] -= d
                            self.cap[e ^ 1] += d
                            return d
                    it[u] += 1
                return 0.0

            while True:
                f = dfs(s, INF)
                if f <= eps:
                    break
                total += f


def progressive_fill(need, flow_fn, extra_required=0.0):
    """Lexicographically max-min fair fill ratios.

    need: {buyer: M_b > 0}; flow_fn(amounts) -> max flow of the network whose
    buyer sinks have capacities `amounts` (plus any fixed requirement worth
    `extra_required`). Returns {buyer: received}.
    """
    frozen = {}
    active = [b for b in need if need[b] > 1e-15]
    tol = 1e-14
    t_lo = 0.0

    def feasible(amounts):
        req = extra_required + sum(amounts.values())
        return flow_fn(amounts) >= req - tol * max(1.0, req) * 10

    while active:
        def amounts_at(t, raise_b=None):
            a = dict(frozen)
            for b in active:
                a[b] = need[b] * (1.0 if b == raise_b else t)
            return a

        if feasible(amounts_at(1.0)):
            for b in active:
                frozen[b] = need[b]
            break
        lo, hi = t_lo, 1.0
        for _ in range(200):
            if hi - lo <= 1e-13:
                break
            mid = (lo + hi) / 2
            if feasible(amounts_at(mid)):
                lo = mid
            else:
                hi = mid
        t = lo
        base = amounts_at(t)
        f0 = flow_fn(base)
        gains = {}
        for b in active:
            f1 = flow_fn(amounts_at(t, raise_b=b))
            gains[b] = f1 - f0
        stuck = [b for b in active if gains[b] <= 1e-11]
        if not stuck:
            g = min(gains.values())
            stuck = [b for b in active if gains[b] <= g + 1e-15]
        for b in stuck:
            frozen[b] = need[b] * t
        active = [b for b in active if b not in stuck]
        t_lo = t
    return frozen


def market_fill(X, M, cap):
    """Import market: exporters X, buyers M, cap(p, b) -> finite cap or None."""
    exps = [p for p in X if X[p] > 1e-15]
    buys = [b for b in M if M[b] > 1e-15]
    if not exps or not buys:
        return {b: 0.0 for b in M}

    def flow_fn(amounts):
        net = FlowNet()
        for p in exps:
            net.add("S", ("p", p), X[p])
        for p in exps:
            for b in buys:
                if p == b:
                    continue
                c = cap(p, b)
                net.add(("p", p), ("b", b), INF if c is None else c)
        for b, a in amounts.items():
            net.add(("b", b), "T", a)
        return net.maxflow("S", "T")

    got = progressive_fill({b: M[b] for b in buys}, flow_fn)
    return {b: got.get(b, 0.0) for b in M}


def coalition_fill(X, M, cap, members):
    """SPEC §3.5 coalition_first at one stage. Returns {buyer: imports}."""
    mem = set(members)
    cx = {p: v for p, v in X.items() if p in mem}
    cm = {b: v for b, v in M.items() if b in mem}
    g = market_fill(cx, cm, cap) if cx and cm else {}
    g = {b: v for b, v in g.items() if v > 1e-15}
    rest = {b: M[b] - g.get(b, 0.0) for b in M if M[b] - g.get(b, 0.0) > 1e-15}
    exps = [p for p in X if X[p] > 1e-15]
    buys = sorted(set(rest) | set(g))
    if not exps or not rest:
        return {b: g.get(b, 0.0) for b in M}

    def flow_fn(amounts):
        net = FlowNet()
        for p in exps:
            net.add("S", ("p", p), X[p])
        for p in exps:
            for b in buys:
                if p == b:
                    continue
                c = cap(p, b)
                to_coal = p in mem and b in g
                to_any = b in rest
                if not (to_coal or to_any):
                    continue
                if c is None:
                    if to_any:
                        net.add(("p", p), ("any", b), INF)
                    if to_coal:
                        net.add(("p", p), ("coal", b), INF)
                else:
                    net.add(("p", p), ("e", p, b), c)
                    if to_any:
                        net.add(("e", p, b), ("any", b), INF)
                    if to_coal:
                        net.add(("e", p, b), ("coal", b), INF)
        for b, v in g.items():
            net.add(("coal", b), "T", v)
        for b, a in amounts.items():
            net.add(("any", b), "T", a)
        return net.maxflow("S", "T")

    got = progressive_fill(rest, flow_fn, extra_required=sum(g.values()))
    return {b: g.get(b, 0.0) + got.get(b, 0.0) for b in M}


# ---------------------------------------------------------------------------
# The model (SPEC §3)
# ---------------------------------------------------------------------------


class MineralResult:
    pass


def evaluate_mineral(sc, m):
    world = sc.prog.world
    stages = m.stages
    k = len(stages)
    # 3.1 capacities and outputs
    P = []
    for s in stages:
        cap = dict(m.shares[s])
        for (mm, ss, a), v in sc.adds.items():
            if mm == m.name and ss == s:
                cap[a] = cap.get(a, 0.0) + v
        tot = sum(cap.values())
        div = max(1.0, tot)
        P.append({a: v / div for a, v in cap.items() if v > 0})
    D = {a: v for a, v in (m.demand or {"ROW": 1.0}).items() if v > 0}

    def need_at(s):
        return P[s + 1] if s < k - 1 else D

    # 3.2/3.3 equilibrium
    flows, H, Ms, warnings = [], [], [], []
    for s in range(k):
        N = need_at(s)
        actors = set(P[s]) | set(N)
        h = {a: min(P[s].get(a, 0.0), N.get(a, 0.0)) for a in actors}
        X = {a: P[s].get(a, 0.0) - h[a] for a in actors}
        M = {a: N.get(a, 0.0) - h[a] for a in actors}
        fixed = defaultdict(float)
        req = defaultdict(float)
        for (buyer, stg), lst in m.sources.items():
            if stg != stages[s] or M.get(buyer, 0.0) <= 0:
                continue
            for p, sh in lst:
                if p == buyer:
                    continue
                fixed[(buyer, p)] += M[buyer] * sh
                req[p] += M[buyer] * sh
        for p, r in req.items():
            have = X.get(p, 0.0)
            if r > have + 1e-15:
                f = have / r if r > 0 else 0.0
                warnings.append(f"{m.name}.{stages[s]}: sourcing from {p} capped ({r:.4f} > {have:.4f})")
                for key in list(fixed):
                    if key[1] == p:
                        fixed[key] *= f
        Xr = dict(X)
        Mr = dict(M)
        for (b, p), v in fixed.items():
            Xr[p] -= v
            Mr[b] -= v
        SX = sum(v for v in Xr.values() if v > 0)
        SM = sum(v for v in Mr.values() if v > 1e-18)
        # README decision: when world output falls short of demand (a share
        # list a little under 100%), no exporter ships more than it has:
        # the pool divides by max(SX, SM) rather than SX.
        denom = max(SX, SM)
        x = defaultdict(dict)
        for b in actors:
            if h[b] > 0:
                x[b][b] = h[b]
        for (b, p), v in fixed.items():
            if v > 0:
                x[b][p] = x[b].get(p, 0.0) + v
        if SX > 0:
            for b in actors:
                if Mr[b] <= 1e-18:
                    continue
                for p in actors:
                    if p != b and Xr[p] > 0:
                        x[b][p] = x[b].get(p, 0.0) + Mr[b] * Xr[p] / denom
        flows.append(x)
        H.append(h)
        Ms.append(M)

    # dependency (3.6)
    phi = [{i: {i: 1.0} for i in P[0]}]
    for s in range(1, k):
        cur = {}
        for j in P[s]:
            acc = defaultdict(float)
            Nj = P[s][j]
            for i, v in flows[s - 1].get(j, {}).items():
                y = v / Nj
                for q, w in phi[s - 1].get(i, {}).items():
                    acc[q] += y * w
            acc[j] = 1.0
            cur[j] = dict(acc)
        phi.append(cur)

    res = MineralResult()
    res.mineral = m
    res.P, res.D, res.flows, res.M = P, D, flows, Ms
    res.warnings = warnings
    res.dep = {}
    for c, d in D.items():
        acc = defaultdict(float)
        for j, v in flows[k - 1].get(c, {}).items():
            for q, w in phi[k - 1].get(j, {}).items():
                acc[q] += v * w
        res.dep[c] = {q: v / d for q, v in acc.items()}

    # 3.4 shocks
    keep_r = defaultdict(lambda: 1.0)  # (s, p, b) -> product of (1-f)
    for a, mm, ss, t, keep in sc.restrictions:
        if mm != m.name or a == t:
            continue
        keep_r[(stages.index(ss), a, t)] *= keep
    keep_d = defaultdict(lambda: 1.0)  # (s, a)
    for a, mm, ss, keep in sc.disrupts:
        if mm == m.name:
            keep_d[(stages.index(ss), a)] *= keep

    def restricted(s, p, b):
        return (s, p, b) in keep_r

    # sticky
    Q = {a: v * keep_d[(0, a)] for a, v in P[0].items()}
    for s in range(k):
        rho = {a: (Q.get(a, 0.0) / P[s][a]) for a in P[s]}
        R = defaultdict(float)
        for b, row in flows[s].items():
            for p, v in row.items():
                f = v * rho.get(p, 0.0)
                if p != b:
                    f *= keep_r[(s, p, b)] if restricted(s, p, b) else 1.0
                R[b] += f
        if s < k - 1:
            Q = {b: v * min(keep_d[(s + 1, b)], R.get(b, 0.0) / v) for b, v in P[s + 1].items()}
        else:
            R_sticky = dict(R)

    # market / coalition_first
    def rerouted(mode, members=None):
        Q = {a: v * keep_d[(0, a)] for a, v in P[0].items()}
        for s in range(k):
            if s < k - 1:
                # README decision: a disrupted producer bids only for what it can process
                N = {b: v * keep_d[(s + 1, b)] for b, v in P[s + 1].items()}
            else:
                N = dict(D)
            actors = set(Q) | set(N)
            h = {a: min(Q.get(a, 0.0), N.get(a, 0.0)) for a in actors}
            X = {a: Q.get(a, 0.0) - h[a] for a in actors}
            M = {a: N.get(a, 0.0) - h[a] for a in actors}

            def cap(p, b, s=s):
                if restricted(s, p, b):
                    return keep_r[(s, p, b)] * flows[s].get(b, {}).get(p, 0.0)
                return None

            if mode == "market":
                imp = market_fill(X, M, cap)
            else:
                imp = coalition_fill(X, M, cap, members)
            R = {a: h[a] + imp.get(a, 0.0) for a in actors}
            if s < k - 1:
                Q = {b: v * min(keep_d[(s + 1, b)], R.get(b, 0.0) / v) for b, v in P[s + 1].items()}
            else:
                return R

    res.R_sticky = R_sticky
    res.R_final = R_sticky
    alloc = sc.allocation
    if alloc != "sticky" and sc.r > 0:
        if alloc == "market":
            R_re = rerouted("market")
        elif alloc == "coalition_first":
            name = sc.alloc_coalition
            if name is None:
                cs = list(world.coalitions)
                if len(cs) != 1:
                    raise ValueError("coalition_first needs one coalition")
                name = cs[0]
            R_re = rerouted("coalition", world.coalitions[name])
        else:
            raise ValueError(alloc)
        r = sc.r
        res.R_final = {c: (1 - r) * R_sticky.get(c, 0.0) + r * R_re.get(c, 0.0) for c in D}
    return res


def country_row(sc, res, c):
    m = res.mineral
    k = len(m.stages)
    d = res.D.get(c, 0.0)
    row = {"demand": d, "output": {s: res.P[i].get(c, 0.0) for i, s in enumerate(m.stages)}}
    if d > 0:
        sup = res.flows[k - 1].get(c, {})
        tot = sum(sup.values())
        row["import_reliance"] = res.M[k - 1].get(c, 0.0) / d
        best = sorted(sup.items(), key=lambda kv: (-kv[1], kv[0]))
        row["top_supplier"] = best[0][0] if best else None
        row["top_supplier_share"] = best[0][1] / tot if best else 0.0
        row["hhi"] = sum((100 * v / tot) ** 2 for v in sup.values()) if tot > 0 else 0.0
        row["dependency"] = dict(res.dep[c])
        row["at_risk"] = 1 - res.R_sticky.get(c, 0.0) / d
        row["shortfall"] = 1 - res.R_final.get(c, 0.0) / d
    else:
        row.update(import_reliance=0.0, top_supplier=None, top_supplier_share=0.0, hhi=0.0,
                   dependency={}, at_risk=0.0, shortfall=0.0)
    days = stock_days(sc, m, c, d)
    row["_days"] = days
    row["cover_days"] = days / row["shortfall"] if days is not None and row["shortfall"] > 1e-12 else None
    return row


def stock_days(sc, m, c, d):
    v = sc.stockpiles.get((c, m.name))
    if v is None:
        return None
    if v[1] == "days":
        return v[0]
    if v[1] == "mass":
        return 365 * v[0] / (d * m.volume_t) if d > 0 else None
    return None


def group_row(sc, res, members):
    m = res.mineral
    k = len(m.stages)
    crs = {c: country_row(sc, res, c) for c in members}
    D = sum(r["demand"] for r in crs.values())
    row = {"demand": D, "output": {s: sum(res.P[i].get(c, 0.0) for c in members) for i, s in enumerate(m.stages)}}
    if D > 0:
        pf = row["output"][m.stages[-1]]
        row["import_reliance"] = max(0.0, D - pf) / D
        sup = defaultdict(float)
        for c in members:
            for p, v in res.flows[k - 1].get(c, {}).items():
                sup[p] += v
        tot = sum(sup.values())
        best = sorted(sup.items(), key=lambda kv: (-kv[1], kv[0]))
        row["top_supplier"] = best[0][0] if best else None
        row["top_supplier_share"] = best[0][1] / tot if best else 0.0
        row["hhi"] = sum((100 * v / tot) ** 2 for v in sup.values()) if tot > 0 else 0.0
        dep = defaultdict(float)
        for c, r in crs.items():
            for p, v in r["dependency"].items():
                dep[p] += r["demand"] * v / D
        row["dependency"] = dict(dep)
        row["at_risk"] = sum(r["demand"] * r["at_risk"] for r in crs.values()) / D
        row["shortfall"] = sum(r["demand"] * r["shortfall"] for r in crs.values()) / D
    else:
        row.update(import_reliance=0.0, top_supplier=None, top_supplier_share=0.0, hhi=0.0,
                   dependency={}, at_risk=0.0, shortfall=0.0)
    # README decision: Σ days·demand ÷ Σ shortfall·demand
    stocked = [r for r in crs.values() if r["_days"] is not None]
    den = sum(r["shortfall"] * r["demand"] for r in crs.values())
    if stocked and row["shortfall"] > 1e-12 and den > 0:
        row["cover_days"] = sum(r["_days"] * r["demand"] for r in stocked) / den
    else:
        row["cover_days"] = None
    return row


class Context:
    """Every scenario's evaluated minerals, to answer metric queries on any actor."""

    def __init__(self, prog):
        self.prog = prog
        self.scen = {}  # name -> (Scenario, {mineral: MineralResult})

    def result(self, scenario, mineral):
        if scenario not in self.scen:
            self.scen[scenario] = (Scenario(self.prog, scenario), {})
        sc, cache = self.scen[scenario]
        if mineral not in cache:
            cache[mineral] = evaluate_mineral(sc, sc.minerals[mineral])
        return sc, cache[mineral]

    def row(self, scenario, actor, mineral):
        w = self.prog.world
        sc, res = self.result(scenario, mineral)
        if w.kind(actor) == "country":
            r = country_row(sc, res, w.actor(actor))
        else:
            r = group_row(sc, res, w.resolve(actor))
        r.pop("_days", None)
        return r

    def metric(self, scenario, actor, mineral, metric):
        r = self.row(scenario, actor, mineral)
        if "." in metric:
            head, key = metric.split(".", 1)
            return r[head].get(key, 0.0)
        return r[metric]


def evaluate(prog, ctx=None):
    """-> {scenario: {(actor, mineral): row}}"""
    out = {}
    w = prog.world
    ctx = ctx or Context(prog)
    for name in prog.scenario_names():
        sc, _ = ctx.result(name, next(iter(prog.world.minerals)))
        rows = {}
        if sc.report:
            names, mins = sc.report
        else:
            names, mins = None, None
        for m in sc.minerals.values():
            if mins is not None and m.name not in mins:
                continue
            _, res = ctx.result(name, m.name)
            if names is None:
                sel = list(w.coalitions) + list(w.file_groups)
                sel += [c for c, v in res.D.items() if v > 0 and c != "ROW"]
            else:
                sel = names
            for n in sel:
                kind = w.kind(n)
                if kind == "country":
                    code = w.actor(n)
                    r = country_row(sc, res, code)
                    key = code
                else:
                    r = group_row(sc, res, w.resolve(n))
                    key = n
                r["kind"] = kind
                r.pop("_days", None)
                rows[(key, m.name)] = r
        out[name] = rows
    return out


# ---------------------------------------------------------------------------
# Comparison with lode
# ---------------------------------------------------------------------------

SCALARS = ["demand", "import_reliance", "top_supplier_share", "hhi", "at_risk", "shortfall", "cover_days"]


def run_lode(lode, path):
    p = subprocess.run([lode, "run", path, "--format", "json"], capture_output=True, text=True)
    if not p.stdout.strip():
        raise RuntimeError(f"lode produced no JSON: {p.stderr[:500]}")
    return json.loads(p.stdout)


def close(metric, a, b, tol):
    if a is None or b is None:
        return a is None and b is None
    if metric in ("hhi", "cover_days"):
        return abs(a - b) <= tol * max(1.0, abs(b))
    return abs(a - b) <= tol


def compare(mine, lode_json, tol, out):
    """Prints differences; returns {scenario: (compared, differing)}."""
    stats = {}
    for sc in lode_json["scenarios"]:
        name = sc["name"]
        my = mine.get(name)
        n = bad = 0

        def diff(actor, mineral, metric, a, b):
            nonlocal bad
            bad += 1
            out.append(f"{name:26} {actor:16} {mineral:12} {metric:22} xcheck={fmt(a):>22} lode={fmt(b):>22}")

        if my is None:
            out.append(f"{name}: scenario missing in xcheck")
            continue
        seen = set()
        for row in sc["rows"]:
            key = (row["actor"], row["mineral"])
            seen.add(key)
            r = my.get(key)
            if r is None:
                n += 1
                diff(row["actor"], row["mineral"], "(row)", "absent", "present")
                continue
            n += 1
            if r["kind"] != row["kind"]:
                diff(row["actor"], row["mineral"], "kind", r["kind"], row["kind"])
            for met in SCALARS:
                n += 1
                if not close(met, r[met], row[met], tol):
                    diff(row["actor"], row["mineral"], met, r[met], row[met])
            n += 1
            if r["top_supplier"] != row["top_supplier"]:
                diff(row["actor"], row["mineral"], "top_supplier", r["top_supplier"], row["top_supplier"])
            for st in sorted(set(r["output"]) | set(row["output"])):
                n += 1
                if not close("output", r["output"].get(st), row["output"].get(st), tol):
                    diff(row["actor"], row["mineral"], f"output.{st}", r["output"].get(st), row["output"].get(st))
            mydep = r["dependency"]
            for p in sorted(set(mydep) | set(row["dependency"])):
                a = mydep.get(p, 0.0)
                b = row["dependency"].get(p)
                if b is None:
                    if a < 0.001 + tol:
                        continue  # lode lists shares >= 0.001 only
                    b = 0.0
                n += 1
                if not close("dependency", a, b, tol):
                    diff(row["actor"], row["mineral"], f"dependency.{p}", a, row["dependency"].get(p))
        for key in my:
            if key not in seen:
                n += 1
                diff(key[0], key[1], "(row)", "present", "absent")
        stats[name] = (n, bad)
    for name in mine:
        if name not in stats:
            out.append(f"{name}: scenario missing in lode's output")
    return stats


EXPECT_RE = re.compile(r"^\s*(?:(\w+)\s*:\s*)?([^\s<>=!]+)\s*(<=|>=|==|!=|<|>)\s*(.*)$")


def check_expectations(ctx, lode_json, tol, out):
    """lode's `actual` for every expect line against xcheck's value of the same metric."""
    n = bad = 0
    w = ctx.prog.world
    for e in lode_json.get("expectations", []):
        m = EXPECT_RE.match(e["text"])
        if not m:
            out.append(f"expect: cannot read {e['text']!r}")
            continue
        ref = m.group(2)
        parts = ref.split(".")
        actor, mineral, metric = parts[0], parts[1], ".".join(parts[2:])
        try:
            mine = ctx.metric(e["scenario"], actor, mineral, metric)
        except Exception as ex:  # pragma: no cover - reported, not fatal
            out.append(f"expect {e['scenario']}: {e['text']}: xcheck cannot evaluate ({ex})")
            continue
        n += 1
        actual = e.get("actual")
        if metric == "top_supplier":
            continue
        key = metric.split(".")[0]
        if not close(key, mine, actual, tol):
            bad += 1
            out.append(f"expect {e['scenario']:24} {e['text']:48} xcheck={fmt(mine):>22} lode actual={fmt(actual):>22}")
    return n, bad


def check_comparisons(ctx, lode_json, tol, out):
    """Each delta row: base and value against xcheck's metrics, delta = value - base,
    and the row set (rows of the base scenario, every scalar, stage and supplier)."""
    n = bad = 0
    for c in lode_json.get("comparisons", []):
        for r in c["rows"]:
            for side, scen in (("base", c["base"]), ("value", c["against"])):
                if r[side] is None:
                    continue
                try:
                    mine = ctx.metric(scen, r["actor"], r["mineral"], r["metric"])
                except Exception as ex:
                    out.append(f"compare {c['against']} vs {c['base']}: {r}: xcheck cannot evaluate ({ex})")
                    continue
                n += 1
                if not close(r["metric"].split(".")[0], mine, r[side], tol):
                    bad += 1
                    out.append(f"compare {c['against']:>22} vs {c['base']:<10} {r['actor']:10} {r['mineral']:12} "
                               f"{r['metric']:18} {side}: xcheck={fmt(mine)} lode={fmt(r[side])}")
            if r["base"] is not None and r["value"] is not None and r["delta"] is not None:
                n += 1
                if abs((r["value"] - r["base"]) - r["delta"]) > 1e-9 * max(1.0, abs(r["delta"])):
                    bad += 1
                    out.append(f"compare delta != value - base: {r}")
    return n, bad


def check_row_order(lode_json, out):
    """SPEC §4.1: scenario order, then mineral in file order, then coalitions, groups,
    countries, each by descending demand, ties by name."""
    mins = [m["name"] for m in lode_json["minerals"]]
    kinds = {"coalition": 0, "group": 1, "country": 2}
    n = bad = 0
    for s in lode_json["scenarios"]:
        keys = [(mins.index(r["mineral"]), kinds[r["kind"]], -r["demand"], r["actor"]) for r in s["rows"]]
        n += 1
        if keys != sorted(keys):
            bad += 1
            got = []
            for r in s["rows"]:
                if not got or got[-1] != r["mineral"]:
                    got.append(r["mineral"])
            want = sorted(set(got), key=mins.index)
            out.append(f"row order {s['name']}: minerals come as {got}; file order is {want}"
                       if got != want else f"row order {s['name']}: actors out of order")
    return n, bad


def fmt(v):
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def dump(mine):
    for sc, rows in mine.items():
        print(f"== {sc}")
        for (a, m), r in rows.items():
            dep = ", ".join(f"{p} {v:.4f}" for p, v in sorted(r["dependency"].items(), key=lambda kv: -kv[1]) if v >= 0.001)
            print(f"{m:12} {a:16} D={r['demand']:.4f} IR={r['import_reliance']:.4f} top={r['top_supplier']} "
                  f"{r['top_supplier_share']:.4f} hhi={r['hhi']:.1f} risk={r['at_risk']:.6f} "
                  f"short={r['shortfall']:.6f} cover={r['cover_days']} dep: {dep}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--lode", default=os.path.join(REPO, "target", "release", "lode"))
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--dump", action="store_true", help="print xcheck's own results, do not run lode")
    ap.add_argument("--max-lines", type=int, default=0, help="show at most N differences per file (0 = all)")
    args = ap.parse_args()
    total_n = total_bad = 0
    summary = []
    for f in args.files:
        prog = Program(f)
        ctx = Context(prog)
        mine = evaluate(prog, ctx)
        if args.dump:
            dump(mine)
            continue
        lj = run_lode(args.lode, f)
        out = []
        stats = compare(mine, lj, args.tol, out)
        stats["(expect actual)"] = check_expectations(ctx, lj, args.tol, out)
        stats["(compare tables)"] = check_comparisons(ctx, lj, args.tol, out)
        stats["(row order §4.1)"] = check_row_order(lj, out)
        print(f"### {f}")
        shown = out if not args.max_lines else out[: args.max_lines]
        for line in shown:
            print("  " + line)
        if len(shown) < len(out):
            print(f"  ... {len(out) - len(shown)} more")
        for sc, (n, bad) in stats.items():
            print(f"  {sc:26} compared {n:5}  differ {bad:4}")
            total_n += n
            total_bad += bad
        fn = sum(v[0] for v in stats.values())
        fb = sum(v[1] for v in stats.values())
        summary.append((f, fn, fb))
    if not args.dump:
        print("### summary")
        for f, n, b in summary:
            print(f"  {os.path.basename(f):28} compared {n:6}  differ {b:5}")
        print(f"  {'total':28} compared {total_n:6}  differ {total_bad:5}")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
