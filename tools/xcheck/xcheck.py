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
import os
import re
import subprocess
import sys
import tempfile
import traceback
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WORLD = os.path.join(REPO, "data", "world2024.lode")
INF = float("inf")


class Refused(Exception):
    """A program xcheck declines to evaluate: outside what it implements, or
    one the SPEC gives no meaning to. Reported per file; fails the run."""


class Invalid(Exception):
    """A program the SPEC makes an error: lode must refuse it with `code`."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code

# ---------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<ws>[ \t\r]+)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<money>\$[0-9][0-9_]*(?:\.[0-9]+)?[TBM]?)
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
# Token cursor, expressions
# ---------------------------------------------------------------------------

MASS = {"t": 1.0, "kt": 1e3, "Mt": 1e6}
DURATION = {"days": 1.0, "months": 30.0, "years": 365.0}
MONEY = {"T": 1e12, "B": 1e9, "M": 1e6, "": 1.0}


class Cur:
    """A cursor over the tokens of one statement."""

    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def text(self, k=0):
        t = self.peek(k)
        return t.text if t is not None else None

    def take(self):
        if self.i >= len(self.toks):
            line = self.toks[-1].line if self.toks else 0
            raise SyntaxError(f"line {line}: statement ends early")
        t = self.toks[self.i]
        self.i += 1
        return t

    def accept(self, text):
        if self.text() == text:
            self.i += 1
            return True
        return False

    def expect(self, text):
        t = self.take()
        if t.text != text:
            raise SyntaxError(f"line {t.line}: expected {text!r}, found {t.text!r}")
        return t

    def done(self):
        return self.i >= len(self.toks)

    def end(self):
        if not self.done():
            t = self.peek()
            raise SyntaxError(f"line {t.line}: unexpected {t.text!r}")


# An expression is a tree: ("lit", value, unit) | ("var", name) | ("neg", e)
# | ("bin", op, a, b); units are None (a plain number or a percentage),
# "mass" (tonnes), "days" or "money" (dollars).


def parse_expr(cur):
    """expr = unary (op unary)* with * and / binding tighter than + and -."""

    def term():
        v = unary()
        while cur.text() in ("*", "/"):
            op = cur.take().text
            v = ("bin", op, v, unary())
        return v

    def unary():
        if cur.text() == "-":
            cur.take()
            return ("neg", unary())
        return primary()

    def scalar_lit(t):
        if t.kind == "money":
            m = re.match(r"\$([0-9_.]+)([TBM]?)$", t.text)
            return ("lit", float(m.group(1).replace("_", "")) * MONEY[m.group(2)], "money")
        if t.kind != "num":
            raise SyntaxError(f"line {t.line}: expected a number, found {t.text!r}")
        txt = t.text.replace("_", "")
        if txt.endswith("%"):
            return ("lit", float(txt[:-1]) / 100.0, None)
        v = float(txt)
        u = cur.text()
        if u in MASS:
            cur.take()
            return ("lit", v * MASS[u], "mass")
        if u in DURATION:
            cur.take()
            return ("lit", v * DURATION[u], "days")
        return ("lit", v, None)

    def primary():
        t = cur.take()
        if t.text == "(":
            v = parse_expr(cur)
            cur.expect(")")
            return v
        if t.kind in ("num", "money"):
            v = scalar_lit(t)
            # uncertain values: `85%..92%` is the midpoint, `88% (85%..92%)` the mode
            if cur.text() == "..":
                cur.take()
                hi = scalar_lit(cur.take())
                return ("lit", (v[1] + hi[1]) / 2, v[2])
            if cur.text() == "(" and cur.text(2) == "..":
                cur.take()
                scalar_lit(cur.take())
                cur.expect("..")
                scalar_lit(cur.take())
                cur.expect(")")
            return v
        if t.kind == "id":
            return ("var", t.text)
        raise SyntaxError(f"line {t.line}: unexpected {t.text!r} in an expression")

    v = term()
    while cur.text() in ("+", "-"):
        op = cur.take().text
        v = ("bin", op, v, term())
    return v


def eval_ast(e, env):
    """-> (value, unit)"""
    tag = e[0]
    if tag == "lit":
        return (e[1], e[2])
    if tag == "var":
        if e[1] not in env:
            raise NameError(f"unknown variable {e[1]}")
        return env[e[1]]
    if tag == "neg":
        v = eval_ast(e[1], env)
        return (-v[0], v[1])
    op, a, b = e[1], eval_ast(e[2], env), eval_ast(e[3], env)
    if op in ("+", "-"):
        if a[1] != b[1]:
            raise ValueError(f"units do not agree: {a} {op} {b}")
        return (a[0] + b[0] if op == "+" else a[0] - b[0], a[1])
    if op == "*":
        if a[1] is not None and b[1] is not None:
            raise ValueError(f"`*` needs one plain side: {a} * {b}")
        return (a[0] * b[0], a[1] or b[1])
    if b[1] is not None and b[1] != a[1]:
        raise ValueError(f"cannot divide {a} by {b}")
    return (a[0] / b[0], None if a[1] == b[1] else a[1])


def eval_expr(toks, env):
    """A whole token list as one expression."""
    cur = Cur(toks)
    e = parse_expr(cur)
    cur.end()
    return eval_ast(e, env)


# ---------------------------------------------------------------------------
# World: actors, groups, coalitions, minerals
# ---------------------------------------------------------------------------


class Mineral:
    def __init__(self, name):
        self.name = name
        self.stages = []
        self.volume_t = None
        self.lines = {}  # stage -> [(actor, share)] as named (ROW only if written)
        self.demand_items = None  # [(actor, share)] as named, or None when no line
        self.sources = {}  # (buyer, stage) -> [(supplier, share)]

    def copy(self):
        m = Mineral(self.name)
        m.stages = list(self.stages)
        m.volume_t = self.volume_t
        m.lines = {s: list(v) for s, v in self.lines.items()}
        m.demand_items = list(self.demand_items) if self.demand_items is not None else None
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


def fill_row(items):
    """Named shares -> a full distribution; the rest of the world is ROW. A
    remainder within 1e-12 of 0 is 0 (57% + 22% + 21% leaves 1e-16)."""
    d = {}
    for a, v in items:
        d[a] = d.get(a, 0.0) + v
    if "ROW" not in d:
        rest = 1.0 - sum(d.values())
        d["ROW"] = rest if rest >= 1e-12 else 0.0
    return d


def restate(line, items, only):
    """SPEC §2.1 [v0.3]: a restated share line updates the actors it names and
    keeps the others; an explicit ROW entry it does not name is dropped (ROW
    takes the remainder); `only` replaces the line."""
    if only or line is None:
        return list(items)
    names = {a for a, _ in items}
    out = [(a, v) for a, v in line if a != "ROW" or "ROW" in names]
    for a, v in items:
        for i, (b, _) in enumerate(out):
            if b == a:
                out[i] = (a, v)
                break
        else:
            out.append((a, v))
    return out


def parse_names(cur):
    """`A + B + g` -> ["A", "B", "g"] (names as written)."""
    names = [cur.take().text]
    while cur.text() == "+":
        cur.take()
        names.append(cur.take().text)
    return names


def parse_share_list(cur):
    """`CN 68.5%, US v1` -> [(name, expr)]; resolved and evaluated later."""
    items = []
    while True:
        who = cur.take().text
        items.append((who, parse_expr(cur)))
        if not cur.accept(","):
            return items


def eval_shares(items, world, env):
    return [(world.actor(a), eval_ast(e, env)[0]) for a, e in items]


def parse_items(cur):
    """A mineral list: `ore, dust.mining, refining` -> [(name, stage or None)]."""
    out = []
    while True:
        name = cur.take().text
        stage = None
        if cur.text() == ".":
            cur.take()
            stage = cur.take().text
        out.append((name, stage))
        if not (cur.text() == "," and cur.peek(1) is not None and cur.peek(1).kind == "id"):
            return out
        cur.take()


def parse_actor(st, world):
    """`actor CN, JP` | `actor SG "Singapore" alias sg, sing gdp $1T, XB gdp $2T`"""
    cur = Cur(st.toks[1:])
    while True:
        code = cur.take().text
        info = {"name": code, "gdp": None}
        if cur.peek() is not None and cur.peek().kind == "str":
            info["name"] = cur.take().text[1:-1]
        if cur.accept("alias"):
            world.alias[cur.take().text] = code
            # `, name` continues the aliases; `, CODE` starts the next actor
            while cur.text() == "," and cur.text(1) is not None and cur.text(1)[0].islower() and cur.text(1) != "gdp":
                cur.take()
                world.alias[cur.take().text] = code
        if cur.accept("gdp"):
            info["gdp"] = eval_ast(parse_expr(cur), world.env)[0]
        world.actors[code] = info
        if not cur.accept(","):
            break
    cur.end()


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
            if v[1] != "mass":
                raise ValueError(f"mineral {m.name}: volume is not a mass")
            m.volume_t = v[0]
        else:
            pending.append(s)
    if not m.stages:
        m.stages = ["supply"]
    for s in pending:
        w = s.words()
        cur = Cur(s.toks)
        if len(w) > 1 and w[1] == ":":
            cur.i = 2
            items = eval_shares(parse_share_list(cur), world, world.env)
            cur.end()
            if w[0] == "demand":
                if m.demand_items is not None:
                    raise Invalid("lode::E0507", f"mineral {m.name}: a second demand line")
                m.demand_items = items
            else:
                if w[0] not in m.stages:
                    raise NameError(f"mineral {m.name}: unknown stage {w[0]}")
                if w[0] in m.lines:
                    raise Invalid("lode::E0507", f"mineral {m.name}: a second share line for {w[0]}")
                m.lines[w[0]] = items
        elif len(w) > 2 and w[1] == "sources":
            buyer = world.actor(w[0])
            cur.i = 2
            stage = m.stages[-1]
            if cur.text() != ":":
                stage = cur.take().text
                if stage not in m.stages:
                    raise NameError(f"mineral {m.name}: unknown stage {stage}")
            cur.expect(":")
            if (buyer, stage) in m.sources:
                # SPEC §3.3: a sourcing line fixes C's import shares at a
                # stage; a second one for the same buyer and stage is an
                # error, as a second share line for one stage is.
                raise Invalid("lode::E0507", f"mineral {m.name}: two sourcing lines for {buyer} at {stage}")
            m.sources[(buyer, stage)] = eval_shares(parse_share_list(cur), world, world.env)
            cur.end()
        else:
            raise SyntaxError(f"mineral {m.name}: cannot read {s}")
    world.minerals[m.name] = m


def load_world_file(path, world):
    """A data file (world2024): declarations only."""
    stmts, _ = split_statements(lex(open(path, encoding="utf-8").read()))
    for st in stmts:
        w = st.words()
        if not w:
            continue
        if w[0] == "actor":
            parse_actor(st, world)
        elif w[0] == "group":
            cur = Cur(st.toks[3:])
            world.groups[w[1]] = world.union(parse_names(cur))
        elif w[0] == "mineral":
            parse_mineral(st, world)
        elif w[0] in ("source", "use"):
            pass
        else:
            raise SyntaxError(f"{path}: xcheck reads only declarations in a data file: {st}")


# ---------------------------------------------------------------------------
# Statements of a scenario (SPEC §2.4-§2.6), parsed once
# ---------------------------------------------------------------------------


def parse_policy(st):
    """A statement that a scenario applies -> a dict with its parts (names unresolved)."""
    w = st.words()
    cur = Cur(st.toks)
    k = w[0]
    if k == "let":
        cur.i = 3
        if w[2] != "=":
            raise SyntaxError(f"line {st.line}: `let NAME = EXPR`")
        p = {"k": "let", "name": w[1], "e": parse_expr(cur)}
    elif k in ("expect", "compare"):
        return {"k": k}
    elif k == "report":
        cur.i = 1
        rows, mins = None, None
        if cur.accept("for"):
            rows = ["+".join(parse_names(cur))]
            while cur.accept(","):
                rows.append("+".join(parse_names(cur)))
        if cur.accept("on"):
            mins = [cur.take().text]
            while cur.accept(","):
                mins.append(cur.take().text)
        p = {"k": "report", "rows": rows, "mins": mins}
    elif k == "allocation":
        cur.i = 1
        rule = cur.take().text
        if rule not in ("sticky", "market", "coalition_first"):
            raise SyntaxError(f"line {st.line}: unknown allocation {rule}")
        name = cur.take().text if not cur.done() else None
        p = {"k": "allocation", "rule": rule, "coalition": name}
    elif k == "rerouting":
        cur.i = 1
        p = {"k": "rerouting", "e": parse_expr(cur)}
    elif k == "stockpile":
        cur.i = 1
        who = parse_names(cur)
        p = {"k": "stockpile", "who": who, "items": parse_items(cur), "e": parse_expr(cur)}
    elif k == "disrupt":
        cur.i = 1
        who = cur.take().text
        items = parse_items(cur)
        cur.expect("by")
        p = {"k": "disrupt", "who": who, "items": items, "e": parse_expr(cur)}
    elif len(w) > 1 and w[1] in ("restricts", "bans"):
        cur.i = 2
        items = parse_items(cur)
        cur.expect("to")
        if cur.accept("all"):
            target = ("all", parse_names(cur) if cur.accept("except") else [])
        else:
            target = ("names", parse_names(cur))
        e = None
        if cur.accept("by"):
            if w[1] == "bans":
                raise SyntaxError(f"line {st.line}: `bans` takes no `by`")
            e = parse_expr(cur)
        p = {"k": "restrict", "who": w[0], "items": items, "target": target, "e": e}
    elif len(w) > 1 and w[1] == "adds":
        cur.i = 2
        e = parse_expr(cur)
        p = {"k": "adds", "who": w[0], "e": e, "items": parse_items(cur)}
    elif len(w) > 1 and w[1] == "sources":
        cur.i = 2
        (item,) = parse_items(cur)
        cur.expect(":")
        p = {"k": "sources", "who": w[0], "item": item, "shares": parse_share_list(cur)}
    elif ":" in w:
        # a restated share line: `ore.refining: CN 80%`, `ore.demand: …`,
        # `refining: …`, `refining only: …`
        (item,) = parse_items(cur)
        only = cur.accept("only")
        cur.expect(":")
        p = {"k": "shares", "item": item, "only": only, "shares": parse_share_list(cur)}
    else:
        raise SyntaxError(f"line {st.line}: xcheck cannot read: {st}")
    cur.end()
    p["line"] = st.line
    return p


# ---------------------------------------------------------------------------
# Scenario assembly (SPEC §2.5)
# ---------------------------------------------------------------------------


class Program:
    def __init__(self, path):
        self.world = World()
        self.base_stmts = []
        self.sampled = False
        self.blocks = {}  # name -> (parent, stmts)
        self.order = []
        self.covers = []  # (coalition, X, minerals or None)
        src = open(path, encoding="utf-8").read()
        stmts, _ = split_statements(lex(src))
        has_decl = any(s.words() and s.words()[0] in ("use", "actor", "mineral") for s in stmts)
        uses_world = (not has_decl) or any(s.words()[:2] == ["use", "world2024"] for s in stmts)
        if uses_world:
            load_world_file(WORLD, self.world)
        # the main file: declarations, then scenario statements
        for st in stmts:
            w = st.words()
            if not w:
                continue
            if w[0] == "use":
                if w[1] != "world2024":
                    raise Refused("use \"file\" is not supported by xcheck")
            elif w[0] == "actor":
                parse_actor(st, self.world)
            elif w[0] == "group":
                cur = Cur(st.toks[3:])
                self.world.groups[w[1]] = self.world.union(parse_names(cur))
                cur.end()
                self.world.file_groups.append(w[1])
            elif w[0] == "mineral":
                parse_mineral(st, self.world)
            elif w[0] == "coalition":
                self.parse_coalition(st)
            elif w[0] == "scenario":
                name = w[1]
                parent = w[3] if len(w) > 3 and w[2] == "extends" else None
                self.blocks[name] = (parent, [parse_policy(s) for s in st.block if s.toks])
                self.order.append(name)
            elif w[0] == "source":
                pass
            elif w[0] in ("samples", "seed"):
                # SPEC §9.2: sampling only; the plain evaluation (what xcheck
                # computes) uses each range's midpoint or mode.
                self.sampled = True
            else:
                p = parse_policy(st)
                if p["k"] == "let":
                    self.world.env[p["name"]] = eval_ast(p["e"], self.world.env)
                self.base_stmts.append(p)

    def parse_coalition(self, st):
        cur = Cur(st.toks[1:])
        if cur.text(1) == "=":
            name = cur.take().text
            cur.take()
            names = parse_names(cur)
        else:
            names = parse_names(cur)
            name = "+".join(names)
        self.world.coalitions[name] = self.world.union(names)
        if cur.accept("covers"):
            X = eval_ast(parse_expr(cur), self.world.env)[0]
            cur.expect("demand")
            mins = None
            if cur.accept("of"):
                mins = [cur.take().text]
                while cur.accept(","):
                    mins.append(cur.take().text)
            self.covers.append((name, X, mins))
        cur.end()

    def scenario_names(self):
        return ["base"] + self.order

    def chain(self, name):
        """(statement, own) in the order a scenario runs them."""
        if name == "base":
            return [(p, True) for p in self.base_stmts]
        parent, stmts = self.blocks[name]
        out = self.chain(parent) if parent else [(p, False) for p in self.base_stmts]
        return [(p, False) for p, _ in out] + [(p, True) for p in stmts]


class Scenario:
    def __init__(self, prog, name):
        self.prog, self.name = prog, name
        w = prog.world
        self.minerals = {k: m.copy() for k, m in w.minerals.items()}
        self.adds = defaultdict(float)  # (mineral, stage, actor) -> add
        # restrictions: dicts with the exporter, mineral, stages, targets and
        # either `keep` (1 - f) or a `quota` in tonnes per year
        self.restrictions = []
        self.disrupts = []  # (actor, mineral, stage, keep)
        self.stockpiles = {}  # (actor, mineral) -> (value, "days"|"mass")
        self.allocation = "market"
        self.allocation_explicit = False
        self.alloc_coalition = None
        self.rerouting = None
        self.report = None  # (names, minerals)
        env = dict(w.env)
        for p, own in prog.chain(name):
            self.apply(p, env, own)
        self.apply_covers()
        if self.allocation == "sticky":
            self.r = 0.0
        elif self.rerouting is not None:
            self.r = self.rerouting
        elif self.allocation_explicit:
            self.r = 1.0
        else:
            self.r = 0.0

    def items(self, items):
        """[(name, stage or None)] -> [(mineral, [stages])], one entry per item
        as written: a mineral is all its stages, a bare name that is no
        mineral is a stage of exactly one mineral."""
        out = []
        for name, stage in items:
            if stage is not None:
                if stage not in self.minerals[name].stages:
                    raise NameError(f"unknown stage {name}.{stage}")
                out.append((name, [stage]))
            elif name in self.minerals:
                out.append((name, list(self.minerals[name].stages)))
            else:
                owners = [m for m in self.minerals.values() if name in m.stages]
                if len(owners) != 1:
                    raise NameError(f"stage {name} is ambiguous or unknown")
                out.append((owners[0].name, [name]))
        return out

    def stage_items(self, items):
        """[(name, stage or None)] -> [(mineral, stage)]"""
        return [(m, s) for m, ss in self.items(items) for s in ss]

    def targets(self, target, exporter):
        """SPEC §2.4: `to all` is every actor but the restricting one; `except`
        removes actors and groups; restricting oneself has no effect (a
        group's member is never a target of its own restriction)."""
        w = self.prog.world
        kind, names = target
        if kind == "all":
            ex = set(w.union(names))
            return [a for a in w.actors if a != exporter and a not in ex]
        return [a for a in w.union(names) if a != exporter]

    def apply(self, p, env, own):
        w = self.prog.world
        k = p["k"]
        val = lambda: eval_ast(p["e"], env)  # noqa: E731
        if k == "let":
            env[p["name"]] = val()
        elif k in ("expect", "compare"):
            pass
        elif k == "report":
            # SPEC §2.5 [v0.3]: report is inherited; the scenario's own, else
            # the nearest ancestor's, else base's: the last one in run order.
            self.report = (p["rows"], p["mins"])
        elif k == "allocation":
            self.allocation = p["rule"]
            self.allocation_explicit = True
            self.alloc_coalition = p["coalition"]
        elif k == "rerouting":
            self.rerouting = val()[0]
        elif k == "stockpile":
            # SPEC §2.4 [v0.3]: `stockpile A + B …`, `stockpile G …`: each
            # actor or member holds that much
            holders = w.union(p["who"])
            v = val()
            if v[1] not in ("days", "mass"):
                raise ValueError(f"line {p['line']}: a stockpile is a duration or a mass")
            for name, stage in p["items"]:
                if stage is not None or name not in self.minerals:
                    raise NameError(f"line {p['line']}: stockpile takes a mineral")
                for a in holders:
                    self.stockpiles[(a, name)] = v  # a later stockpile replaces an earlier one
        elif k == "disrupt":
            keep = 1.0 - val()[0]
            for a in w.resolve(p["who"]):  # a group: each member
                for m, s in self.stage_items(p["items"]):
                    self.disrupts.append((a, m, s, keep))
        elif k == "restrict":
            quota = None
            if p["e"] is None:
                keep = 0.0
            else:
                v, unit = val()
                if unit == "mass":
                    keep, quota = None, v
                elif unit is None:
                    keep = 1.0 - v
                else:
                    raise ValueError(f"line {p['line']}: `by` takes a fraction or a mass")
            refs = self.items(p["items"])
            # one restriction per (exporter, mineral), over all the stages the
            # list names for that mineral, each once: a quota is "that amount
            # in total" (SPEC §2.4), and `ore.mine, ore` cuts the mine once
            merged = {}
            for m, ss in refs:
                merged.setdefault(m, [])
                merged[m] += [x for x in ss if x not in merged[m]]
            refs = list(merged.items())
            # a group restricts as each of its members (SPEC §2.4 [v0.3])
            for a in w.resolve(p["who"]):
                ts = self.targets(p["target"], a)
                for m, ss in refs:
                    if quota is not None and self.minerals[m].volume_t is None:
                        raise ValueError(f"line {p['line']}: a mass needs the mineral's volume")
                    self.restrictions.append({"exp": a, "mineral": m, "stages": ss, "targets": ts,
                                              "keep": keep, "quota": quota})
        elif k == "adds":
            a = w.actor(p["who"])
            v, unit = val()
            for m, s in self.stage_items(p["items"]):
                if unit == "mass":
                    # SPEC §2.4 [v0.3]: a mass per year is that share of world output
                    vol = self.minerals[m].volume_t
                    if vol is None:
                        raise ValueError(f"line {p['line']}: a mass needs the mineral's volume")
                    self.adds[(m, s, a)] += v / vol
                elif unit is None:
                    self.adds[(m, s, a)] += v
                else:
                    raise ValueError(f"line {p['line']}: `adds` takes a fraction or a mass")
        elif k == "sources":
            buyer = w.actor(p["who"])
            name, stage = p["item"]
            if stage is None and name in self.minerals:
                m, stage = name, self.minerals[name].stages[-1]
            else:
                ((m, stage),) = self.stage_items([p["item"]])
            self.minerals[m].sources[(buyer, stage)] = eval_shares(p["shares"], w, env)
        elif k == "shares":
            name, stage = p["item"]
            items = eval_shares(p["shares"], w, env)
            if stage == "demand":
                mm = self.minerals[name]
                mm.demand_items = restate(mm.demand_items, items, p["only"])
            else:
                ((m, s),) = self.stage_items([p["item"]])
                mm = self.minerals[m]
                mm.lines[s] = restate(mm.lines.get(s), items, p["only"])
        else:
            raise ValueError(f"line {p['line']}: cannot apply {k}")

    def apply_covers(self):
        """SPEC §2.2 + README: `covers X demand` supplies the demand data of a
        mineral where no member has any, X split by `gdp` when every member has
        one, otherwise equally, capped at what the data leaves to others; where
        a member has data (named in the demand line, even with 0%) it is only
        checked. A claim reduced to 0 by lack of room supplies nothing. It is
        structure (SPEC §3.1), so it reads the scenario's own demand lines.

        Sets each mineral's `demand` (ROW filled) and `basis`: actor ->
        "data" | "covers" for the actors with a demand figure (SPEC §3.6
        [v0.3]); ROW's figure is the remainder, data too."""
        w = self.prog.world
        for m in self.minerals.values():
            items = m.demand_items or []
            m.basis = {a: "data" for a, _ in items}
            d = {}
            for a, v in items:
                d[a] = d.get(a, 0.0) + v
            m.demand = d
        for name, X, mins in self.prog.covers:
            members = [c for c in w.coalitions[name] if c != "ROW"]
            for m in self.minerals.values():
                if mins is not None and m.name not in mins:
                    continue
                if not members or any(c in m.basis for c in members):
                    continue  # checked, a warning at most
                others = sum(v for a, v in m.demand.items() if a != "ROW")
                room = 1.0 - others
                x = min(X, room if room >= 1e-12 else 0.0)
                if x <= 0:
                    continue  # no room: the claim supplies nothing
                gdps = [w.actors[c].get("gdp") for c in members]
                if all(g is not None for g in gdps) and sum(gdps) > 0:
                    tot = sum(gdps)
                    split = {c: x * g / tot for c, g in zip(members, gdps)}
                else:
                    split = {c: x / len(members) for c in members}
                m.demand.pop("ROW", None)  # an explicit ROW entry: ROW takes the remainder
                for c, v in split.items():
                    m.demand[c] = v
                    m.basis[c] = "covers"
        for m in self.minerals.values():
            if "ROW" not in m.demand:
                rest = 1.0 - sum(m.demand.values())
                m.demand["ROW"] = rest if rest >= 1e-12 else 0.0
            m.basis["ROW"] = "data"


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


def progressive_fill(need, flow_fn, extra_required=0.0, slack=1e-13):
    """Lexicographically max-min fair fill ratios.

    need: {buyer: M_b > 0}; flow_fn(amounts) -> max flow of the network whose
    buyer sinks have capacities `amounts` (plus any fixed requirement worth
    `extra_required`). Returns {buyer: received}.

    Progressive filling: raise every active buyer's fill ratio together to the
    highest feasible level t (bisection, max flow as the oracle), freeze the
    buyers that cannot get more at t, repeat with the rest.

    Max-flow sums carry rounding error, so "feasible" allows the flow to fall
    `slack` (relative above 1) short of the amounts asked. The shortfall
    already present when a round starts (the frozen amounts may exceed the
    exact ones by up to the slack of earlier rounds, and a fixed requirement
    by its own rounding) is allowed on top of it: otherwise a later round
    sees only noise at its boundary and stops early.
    """
    frozen = {}
    active = [b for b in need if need[b] > 1e-15]
    t_lo = 0.0

    def short(amounts):
        req = extra_required + sum(amounts.values())
        return req - flow_fn(amounts), req

    while active:
        def amounts_at(t, raise_b=None):
            a = dict(frozen)
            for b in active:
                a[b] = need[b] * (1.0 if b == raise_b else t)
            return a

        carried = max(0.0, short(amounts_at(t_lo))[0])

        def feasible(amounts):
            gap, req = short(amounts)
            return gap <= carried + slack * max(1.0, req)

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
        cap = fill_row(m.lines.get(s, []))
        for (mm, ss, a), v in sc.adds.items():
            if mm == m.name and ss == s:
                cap[a] = cap.get(a, 0.0) + v
        tot = sum(cap.values())
        div = max(1.0, tot)
        P.append({a: v / div for a, v in cap.items() if v > 0})
    # Actors with no demand take no part in the final market (their figures,
    # if any, are 0); remainders within 1e-12 of 0 are 0 already (fill_row).
    D = {a: v for a, v in m.demand.items() if v > 0}

    def need_at(s):
        return P[s + 1] if s < k - 1 else D

    # 3.2/3.3 equilibrium
    flows, H, Ms, warnings = [], [], [], []
    for s in range(k):
        N = need_at(s)
        actors = sorted(set(P[s]) | set(N))  # sorted: results do not depend on hashing
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
            # a supplier with no output at this stage has no surplus: its
            # sourced flows were capped to 0 above
            Xr[p] = Xr.get(p, 0.0) - v
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
    res.quota_f = []
    for r in sc.restrictions:
        if r["mineral"] != m.name:
            continue
        a = r["exp"]
        keep = r["keep"]
        if r["quota"] is not None:
            # SPEC §2.4 [v0.3]: `by 10 kt` takes that mass off the restricted
            # flows in total, pro rata to their equilibrium size:
            # f = min(1, quota / volume / Σ flows), 0 when nothing flows.
            flow = sum(flows[stages.index(ss)].get(t, {}).get(a, 0.0)
                       for ss in r["stages"] for t in r["targets"] if t != a)
            q = r["quota"] / m.volume_t
            f = min(1.0, q / flow) if flow > 1e-12 else 0.0
            res.quota_f.append((a, r["stages"], f))
            keep = 1.0 - f
        for ss in r["stages"]:
            for t in r["targets"]:
                if t != a:
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
            actors = sorted(set(Q) | set(N))
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


NO_DATA = dict(import_reliance=None, top_supplier=None, top_supplier_share=None, hhi=None,
               dependency=None, at_risk=None, shortfall=None, cover_days=None)


def country_row(sc, res, c):
    """SPEC §3.6. A country without a demand figure (not named in the demand
    line, no `covers` claim filled it) has demand 0 and no data for every
    metric measured against demand [v0.3]; one named with 0% has data: the
    SPEC's zeros (import reliance 0 when D = 0, nothing supplied)."""
    m = res.mineral
    k = len(m.stages)
    d = res.D.get(c, 0.0)
    basis = m.basis.get(c, "none")
    row = {"demand": d, "demand_basis": basis, "data_members": None,
           "output": {s: res.P[i].get(c, 0.0) for i, s in enumerate(m.stages)}}
    if basis == "none":
        row.update(NO_DATA)
        row["_days"] = None
        return row
    if d > 0:
        sup = res.flows[k - 1].get(c, {})
        tot = sum(sup.values())
        row["import_reliance"] = res.M[k - 1].get(c, 0.0) / d
        best = top_supplier(sup)
        row["top_supplier"] = best[0] if best else None
        row["top_supplier_share"] = best[1] / tot if best else 0.0
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


def top_supplier(supply):
    """SPEC §3.6: the largest supplier, a tie to the code first in alphabetical
    order. Flows that differ by rounding only (1e-12) tie: 0.35 - 0.15 and
    0.65 - 0.45 are the same surplus."""
    if not supply:
        return None
    big = max(supply.values())
    return min((p, v) for p, v in supply.items() if v >= big - 1e-12)


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
    """SPEC §3.6: a group's metrics over its members with a demand figure
    [v0.3] (`data_members` = [k, n]); `output` sums every member; with no
    member with data, every metric measured against demand has no data."""
    m = res.mineral
    k = len(m.stages)
    crs = {c: country_row(sc, res, c) for c in members}
    data = {c: r for c, r in crs.items() if r["demand_basis"] != "none"}
    D = sum(r["demand"] for r in data.values())
    if not data:
        basis = "none"
    elif any(r["demand_basis"] == "covers" for r in data.values()):
        basis = "covers"
    else:
        basis = "data"
    row = {"demand": D, "demand_basis": basis, "data_members": [len(data), len(crs)],
           "output": {s: sum(res.P[i].get(c, 0.0) for c in members) for i, s in enumerate(m.stages)}}
    if not data:
        row.update(NO_DATA)
        return row
    if D > 0:
        pf = sum(res.P[k - 1].get(c, 0.0) for c in data)
        row["import_reliance"] = max(0.0, D - pf) / D
        sup = defaultdict(float)
        for c in data:
            for p, v in res.flows[k - 1].get(c, {}).items():
                sup[p] += v
        tot = sum(sup.values())
        best = top_supplier(sup)
        row["top_supplier"] = best[0] if best else None
        row["top_supplier_share"] = best[1] / tot if best else 0.0
        row["hhi"] = sum((100 * v / tot) ** 2 for v in sup.values()) if tot > 0 else 0.0
        dep = defaultdict(float)
        for c, r in data.items():
            for p, v in r["dependency"].items():
                dep[p] += r["demand"] * v / D
        row["dependency"] = dict(dep)
        row["at_risk"] = sum(r["demand"] * r["at_risk"] for r in data.values()) / D
        row["shortfall"] = sum(r["demand"] * r["shortfall"] for r in data.values()) / D
    else:
        row.update(import_reliance=0.0, top_supplier=None, top_supplier_share=0.0, hhi=0.0,
                   dependency={}, at_risk=0.0, shortfall=0.0)
    # README decision: Σ days·demand ÷ Σ shortfall·demand, over the members
    # with data; a stockpile held by a member with no demand covers nothing
    stocked = [r for r in data.values() if r["_days"] is not None and r["demand"] > 0]
    den = sum(r["shortfall"] * r["demand"] for r in data.values())
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

    def has_data(self, scenario, actor, mineral):
        return self.row(scenario, actor, mineral)["demand_basis"] != "none"

    def metric(self, scenario, actor, mineral, metric):
        """A metric's value; None when it has none (no data, no stockpile)."""
        r = self.row(scenario, actor, mineral)
        if "." in metric:
            head, key = metric.split(".", 1)
            if r[head] is None:
                return None
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
                # SPEC §2.6: every coalition, every group declared in the
                # file, every actor with demand data except ROW
                sel = list(w.coalitions) + list(w.file_groups)
                sel += [c for c in m.basis if c != "ROW"]
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


SAMPLED_EXPECT_RE = re.compile(r"^\s*expect\b.*\b(p5|p50|p95|mean|chance)\s*\(")


def run_lode(lode, path):
    """lode's JSON for the file's plain evaluation. A file with `samples` or
    `seed` lines is run as a copy without them and without the expectations
    over samples (SPEC §9.4), beside the original so that `use "path"`
    resolves the same."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    plain = [l for l in lines
             if not re.match(r"^\s*(samples|seed)\b", l) and not SAMPLED_EXPECT_RE.match(l)]
    if len(plain) == len(lines):
        return run_lode_on(lode, path)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".lode", prefix=".xcheck_plain_", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(plain))
        return run_lode_on(lode, tmp)
    finally:
        os.unlink(tmp)


def run_lode_on(lode, path):
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
            stats[name] = (1, 1)
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
            for field in ("kind", "demand_basis", "data_members"):
                n += 1
                if r[field] != row.get(field):
                    diff(row["actor"], row["mineral"], field, r[field], row.get(field))
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
            mydep, dep = r["dependency"], row["dependency"]
            if mydep is None or dep is None:
                n += 1
                if mydep is not None or dep is not None:
                    diff(row["actor"], row["mineral"], "dependency", mydep, dep)
                continue
            for p in sorted(set(mydep) | set(dep)):
                a = mydep.get(p, 0.0)
                b = dep.get(p)
                if b is None:
                    if a < 0.001 + tol:
                        continue  # lode lists shares >= 0.001 only
                    b = 0.0
                n += 1
                if not close("dependency", a, b, tol):
                    diff(row["actor"], row["mineral"], f"dependency.{p}", a, dep.get(p))
        for key in my:
            if key not in seen:
                n += 1
                diff(key[0], key[1], "(row)", "present", "absent")
        stats[name] = (n, bad)
    for name in mine:
        if name not in stats:
            out.append(f"{name}: scenario missing in lode's output")
            stats[name] = (1, 1)
    return stats


NAME = r"[A-Za-z_][A-Za-z0-9_]*"
PATH = rf"{NAME}(?:\+{NAME})*(?:\.[A-Za-z0-9_]+){{2,3}}"
EXPECT_RE = re.compile(rf"^\s*(?:(\w+)\s*:\s*)?({PATH})\s*(<=|>=|==|!=|<|>)\s*(.*?)\s*$")
OTHER_RE = re.compile(rf"^(?:(\w+)\s*:\s*)?({PATH})$")
TOL_RE = re.compile(r"^(.*?)\s*(?:\+-|±)\s*(.*)$")


def split_path(path):
    parts = path.split(".")
    return parts[0], parts[1], ".".join(parts[2:])


def judge(lhs, op, rhs, tol):
    """README: `==` allows `+- tol`, else 1e-9 (relative above 1), as `<=` and
    `>=` do; `<` and `>` are strict. -> (passed, distance from the boundary).
    Values are compared as lode writes them (within 1e-12 of 0 or 1 snapped;
    HHI and days within 1e-9 of a whole number)."""
    slack = 1e-9 * max(1.0, abs(rhs))
    if op == "<":
        return lhs < rhs, abs(lhs - rhs)
    if op == ">":
        return lhs > rhs, abs(lhs - rhs)
    if op == "<=":
        return lhs <= rhs + slack, abs(lhs - rhs - slack)
    if op == ">=":
        return lhs >= rhs - slack, abs(lhs - rhs + slack)
    t = tol if tol is not None else slack
    off = abs(lhs - rhs)
    if op == "==":
        return off <= t, abs(off - t)
    return off > t, abs(off - t)


def check_expectations(ctx, lode_json, tol, out):
    """Each expect line: lode's `actual` against xcheck's value of the same
    metric (None where it has no data or no value), and `passed` against
    xcheck's own verdict, where the two sides are not within rounding of the
    boundary. SPEC §2.6 [v0.3]: the other side may be a metric (of the same
    scenario unless named); a side without a value fails the expectation."""
    n = bad = 0
    w = ctx.prog.world
    for e in lode_json.get("expectations", []):
        m = EXPECT_RE.match(e["text"])
        if not m:
            bad += 1
            out.append(f"expect: cannot read {e['text']!r}")
            continue
        actor, mineral, metric = split_path(m.group(2))
        op, rest = m.group(3), m.group(4)
        try:
            mine = ctx.metric(e["scenario"], actor, mineral, metric)
            tol_v = None
            tm = TOL_RE.match(rest)
            if tm and not OTHER_RE.match(rest):
                rest = tm.group(1)
                tol_v = eval_expr(lex(tm.group(2)), w.env)[0]
            om = OTHER_RE.match(rest)
            if om:
                a2, m2, met2 = split_path(om.group(2))
                other = ctx.metric(om.group(1) or e["scenario"], a2, m2, met2)
            elif metric == "top_supplier":
                other = w.actor(rest)
            else:
                other = eval_expr(lex(rest), w.env)[0]
        except Exception as ex:  # reported and counted, not fatal
            bad += 1
            out.append(f"expect {e['scenario']}: {e['text']}: xcheck cannot evaluate ({ex})")
            continue
        n += 1
        key = metric.split(".")[0]
        if metric != "top_supplier" and not close(key, mine, e.get("actual"), tol):
            bad += 1
            out.append(f"expect {e['scenario']:24} {e['text']:48} xcheck={fmt(mine):>22} "
                       f"lode actual={fmt(e.get('actual')):>22}")
            continue
        # xcheck's verdict
        has_lhs = mine is not None or (metric == "top_supplier" and ctx.has_data(e["scenario"], actor, mineral))
        has_rhs = other is not None or (om is not None and met2 == "top_supplier"
                                        and ctx.has_data(om.group(1) or e["scenario"], a2, m2))
        if not has_lhs or not has_rhs:
            verdict, margin = False, INF
        elif metric == "top_supplier":
            verdict, margin = (mine == other) == (op == "=="), INF
        else:
            # lode's own value of the left side (checked above to agree with
            # xcheck's), so that only a metric on the right carries rounding
            verdict, margin = judge(e["actual"], op, other, tol_v)
        near = 1e-7 if om else 1e-11
        if margin <= near * max(1.0, abs(other) if isinstance(other, float) else 0.0):
            continue  # within rounding of the boundary: either verdict stands
        n += 1
        if verdict != e["passed"]:
            bad += 1
            out.append(f"expect {e['scenario']:24} {e['text']:48} passed: xcheck={verdict} lode={e['passed']} "
                       f"(xcheck: {fmt(mine)} against {fmt(other)})")
    return n, bad


COMPARED = ["demand", "import_reliance", "top_supplier_share", "hhi", "at_risk", "shortfall", "cover_days"]


def check_comparisons(ctx, mine, lode_json, tol, out):
    """SPEC §2.6 + README: `compare a, b` gives, over the rows of `a`, a delta
    row for every scalar metric, each stage's output and each supplier's
    dependency that has a value on either side [v0.3]; a side without a value
    is null and so is the delta; a dependency under the 0.001 listing floor
    is its exact value. Checks each row's sides and delta, and the set of
    rows."""
    n = bad = 0
    for c in lode_json.get("comparisons", []):
        want = {}  # (actor, mineral, metric) -> (base, value)
        for (actor, mineral), _ in mine.get(c["base"], {}).items():
            rb = ctx.row(c["base"], actor, mineral)
            ro = ctx.row(c["against"], actor, mineral)
            keys = COMPARED + [f"output.{s}" for s in rb["output"]]
            deps = set()
            for r in (rb, ro):
                deps |= {p for p, v in (r["dependency"] or {}).items() if v >= 0.001 - 1e-9}
            keys += [f"dependency.{p}" for p in sorted(deps)]
            for k in keys:
                vals = []
                for r in (rb, ro):
                    if "." in k:
                        head, sub = k.split(".", 1)
                        vals.append(None if r[head] is None else r[head].get(sub, 0.0))
                    else:
                        vals.append(r[k])
                if vals[0] is not None or vals[1] is not None:
                    want[(actor, mineral, k)] = tuple(vals)
        got = {}
        for r in c["rows"]:
            got[(r["actor"], r["mineral"], r["metric"])] = r
        label = f"compare {c['against']:>14} vs {c['base']:<10}"
        for key in sorted(set(want) | set(got)):
            n += 1
            if key not in got or key not in want:
                # a supplier at the listing floor may be listed on one reading only
                near = key[2].startswith("dependency.") and key in want and \
                    any(v is not None and abs(v - 0.001) < tol for v in want[key])
                near |= key[2].startswith("dependency.") and key in got and \
                    any(v is not None and abs(v - 0.001) < tol for v in (got[key]["base"], got[key]["value"]))
                if not near:
                    bad += 1
                    out.append(f"{label} {key[0]:10} {key[1]:12} {key[2]:18} row: "
                               f"xcheck={'present' if key in want else 'absent'} "
                               f"lode={'present' if key in got else 'absent'}")
                continue
            r = got[key]
            for side, v in zip(("base", "value"), want[key]):
                n += 1
                if not close(key[2].split(".")[0], v, r[side], tol):
                    bad += 1
                    out.append(f"{label} {key[0]:10} {key[1]:12} {key[2]:18} {side}: "
                               f"xcheck={fmt(v)} lode={fmt(r[side])}")
            n += 1
            if r["base"] is None or r["value"] is None:
                if r["delta"] is not None:
                    bad += 1
                    out.append(f"{label} delta without both sides: {r}")
            elif r["delta"] is None or abs((r["value"] - r["base"]) - r["delta"]) > 1e-9 * max(1.0, abs(r["delta"])):
                bad += 1
                out.append(f"{label} delta != value - base: {r}")
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
    def f(v, spec):
        return "-" if v is None else format(v, spec)

    for sc, rows in mine.items():
        print(f"== {sc}")
        for (a, m), r in rows.items():
            dep = ", ".join(f"{p} {v:.4f}" for p, v in sorted((r["dependency"] or {}).items(), key=lambda kv: -kv[1])
                            if v >= 0.001)
            print(f"{m:12} {a:16} D={r['demand']:.4f} ({r['demand_basis']}) IR={f(r['import_reliance'], '.4f')} "
                  f"top={r['top_supplier']} {f(r['top_supplier_share'], '.4f')} hhi={f(r['hhi'], '.1f')} "
                  f"risk={f(r['at_risk'], '.6f')} short={f(r['shortfall'], '.6f')} cover={r['cover_days']} dep: {dep}")


def check_file(f, args):
    """xcheck one file -> (lines to print, {section: (compared, differing)})."""
    try:
        prog = Program(f)
    except Invalid as e:
        # a program the SPEC makes an error: lode must refuse it with that code
        if args.dump:
            print(f"invalid: {e}")
            return [], {}
        p = subprocess.run([args.lode, "check", f], capture_output=True, text=True)
        if p.returncode == 1 and e.code in p.stderr:
            return [], {"(error agreed)": (1, 0)}
        return [f"(error) xcheck: {e}; lode: exit {p.returncode}, {p.stderr.strip()[:200]!r}"], {"(error agreed)": (1, 1)}
    ctx = Context(prog)
    mine = evaluate(prog, ctx)
    if args.dump:
        dump(mine)
        return [], {}
    lj = run_lode(args.lode, f)
    out = []
    stats = compare(mine, lj, args.tol, out)
    stats["(expect actual)"] = check_expectations(ctx, lj, args.tol, out)
    stats["(compare tables)"] = check_comparisons(ctx, mine, lj, args.tol, out)
    stats["(row order §4.1)"] = check_row_order(lj, out)
    return out, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--lode", default=os.path.join(REPO, "target", "release", "lode"))
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--dump", action="store_true", help="print xcheck's own results, do not run lode")
    ap.add_argument("--max-lines", type=int, default=0, help="show at most N differences per file (0 = all)")
    ap.add_argument("--quiet", action="store_true",
                    help="print only files that differ or fail, and the totals")
    args = ap.parse_args()
    total_n = total_bad = 0
    summary = []
    failed = []
    refused = []
    for f in args.files:
        try:
            out, stats = check_file(f, args)
        except Refused as e:
            refused.append(f)
            print(f"### {f}\n  REFUSED: {e}")
            continue
        except Exception:  # a crash is reported per file and fails the run
            failed.append(f)
            print(f"### {f}\n  CRASH\n" + "".join("    " + ln + "\n" for ln in traceback.format_exc().splitlines()))
            continue
        if args.dump:
            continue
        fn = sum(v[0] for v in stats.values())
        fb = sum(v[1] for v in stats.values())
        total_n += fn
        total_bad += fb
        summary.append((f, fn, fb))
        if args.quiet and not out and not fb:
            continue
        print(f"### {f}")
        shown = out if not args.max_lines else out[: args.max_lines]
        for line in shown:
            print("  " + line)
        if len(shown) < len(out):
            print(f"  ... {len(out) - len(shown)} more")
        if not args.quiet:
            for sc, (n, bad) in stats.items():
                print(f"  {sc:26} compared {n:5}  differ {bad:4}")
    if not args.dump:
        print("### summary")
        if not args.quiet:
            for f, n, b in summary:
                print(f"  {os.path.basename(f):28} compared {n:6}  differ {b:5}")
        files_bad = sum(1 for _, _, b in summary if b)
        print(f"  {'files':28} {len(args.files):6}  differ {files_bad:5}  crashed {len(failed):3}  refused {len(refused):3}")
        print(f"  {'total':28} compared {total_n:6}  differ {total_bad:5}")
    return 1 if total_bad or failed or refused else 0


if __name__ == "__main__":
    sys.exit(main())
