#!/usr/bin/env python3
"""Validate the demo knowledge base and the held-out query set.

Usage: python3 examples/demo-kb/_validate.py   (needs PyYAML)

The loader ignores this file: its name starts with `_` and it is not .yaml/.md.
"""
import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

KB = Path(__file__).resolve().parent
QUERIES = KB.parent / "demo-queries.jsonl"
LOCALES = ["en", "zh-CN"]
CATEGORIES = ["shipping", "returns", "payments", "account", "orders", "products", "promotions", "support"]
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_PREFIX = "https://maple-market.example/"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def norm(text):
    """Normalise a phrasing for duplicate detection."""
    text = text.lower().strip()
    return re.sub(r"[\s\W_]+", "", text)


def check_str(value, where):
    if not isinstance(value, str) or not value.strip():
        err(f"{where}: expected a non-empty string, got {value!r}")
        return False
    return True


def load_collections():
    """Return {locale: {id: entry}} with entry['category'] and entry['_file'] filled in."""
    kb = {loc: {} for loc in LOCALES}
    for loc in LOCALES:
        for path in sorted((KB / loc).glob("*.yaml")):
            if path.name.startswith("_"):
                continue
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            where = str(path.relative_to(KB))
            if set(data) != {"locale", "category", "entries"}:
                err(f"{where}: top-level keys {sorted(data)}")
            if data.get("locale") != loc:
                err(f"{where}: locale {data.get('locale')!r} != folder {loc!r}")
            cat = data.get("category")
            if cat not in CATEGORIES or path.stem != cat:
                err(f"{where}: category {cat!r} (file {path.stem})")
            for i, e in enumerate(data.get("entries") or []):
                w = f"{where}[{i}] {e.get('id')}"
                extra = set(e) - {"id", "question", "alternates", "answer", "tags", "links", "category", "locale"}
                if extra:
                    err(f"{w}: unknown keys {extra}")
                eid = e.get("id")
                if not isinstance(eid, str) or not ID_RE.match(eid):
                    err(f"{w}: bad id")
                    continue
                if eid in kb[loc]:
                    err(f"{w}: duplicate id in {loc}")
                check_str(e.get("question"), f"{w} question")
                check_str(e.get("answer"), f"{w} answer")
                alts = e.get("alternates") or []
                if not 5 <= len(alts) <= 8:
                    err(f"{w}: {len(alts)} alternates (want 5-8)")
                for a in alts:
                    check_str(a, f"{w} alternate")
                tags = e.get("tags") or []
                if not 1 <= len(tags) <= 4 or not all(isinstance(t, str) and TAG_RE.match(t) for t in tags):
                    err(f"{w}: bad tags {tags!r}")
                for link in e.get("links") or []:
                    if set(link) != {"title", "url"} or not str(link.get("url", "")).startswith(URL_PREFIX):
                        err(f"{w}: bad link {link!r}")
                    check_str(link.get("title"), f"{w} link title")
                e["category"] = e.get("category", cat)
                if e["category"] not in CATEGORIES:
                    err(f"{w}: category {e['category']!r}")
                e["_file"] = where
                kb[loc][eid] = e
    return kb


def check_phrasings(kb):
    """No alternate repeated anywhere; warn on near-identical phrasings of different entries."""
    for loc in LOCALES:
        seen = {}
        items = []
        for eid, e in kb[loc].items():
            for text in [e["question"]] + list(e.get("alternates") or []):
                if not isinstance(text, str):
                    continue
                key = norm(text)
                if key in seen:
                    err(f"{loc}: phrasing {text!r} in {eid} repeats one in {seen[key]}")
                seen[key] = eid
                items.append((key, eid, text))
        for i, (k1, id1, t1) in enumerate(items):
            for k2, id2, t2 in items[i + 1:]:
                if id1 != id2 and difflib.SequenceMatcher(None, k1, k2).ratio() > 0.85:
                    warnings.append(f"{loc}: near-identical {t1!r} ({id1}) ~ {t2!r} ({id2})")
    return {loc: {norm(t) for e in kb[loc].values() for t in [e["question"]] + e["alternates"]} for loc in LOCALES}


def check_articles():
    articles = {}
    for loc in LOCALES:
        for path in sorted((KB / loc / "articles").glob("*.md")):
            where = str(path.relative_to(KB))
            text = path.read_text(encoding="utf-8")
            m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
            if not m:
                err(f"{where}: no front matter")
                continue
            fm = yaml.safe_load(m.group(1))
            body = m.group(2)
            for key in ["id", "kind", "locale", "category", "question", "tags"]:
                if key not in fm:
                    err(f"{where}: front matter lacks {key}")
            if fm.get("kind") != "article" or fm.get("locale") != loc or fm.get("category") not in CATEGORIES:
                err(f"{where}: bad kind/locale/category")
            if fm.get("id") != path.stem:
                err(f"{where}: id {fm.get('id')!r} != file name")
            sections = re.split(r"^## ", body, flags=re.M)
            intro, sections = sections[0], sections[1:]
            if not intro.strip():
                err(f"{where}: no intro paragraph")
            if not 4 <= len(sections) <= 6:
                err(f"{where}: {len(sections)} sections (want 4-6)")
            for s in sections:
                title, _, content = s.partition("\n")
                paras = [p for p in re.split(r"\n\s*\n", content.strip()) if p.strip()]
                if not 2 <= len(paras) <= 4:
                    err(f"{where}: section {title!r} has {len(paras)} paragraphs (want 2-4)")
            articles.setdefault(loc, []).append((fm.get("id"), len(sections)))
    return articles


def check_queries(kb, phrasings):
    if not QUERIES.exists():
        err(f"{QUERIES.name} missing")
        return None
    counts = Counter()
    hits = defaultdict(Counter)
    seen = set()
    for n, line in enumerate(QUERIES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if set(obj) != {"query", "expected"}:
            err(f"queries:{n}: keys {sorted(obj)}")
        q, exp = obj["query"], obj["expected"]
        loc = "zh-CN" if CJK_RE.search(q) else "en"
        if norm(q) in seen:
            err(f"queries:{n}: duplicate query {q!r}")
        seen.add(norm(q))
        if exp is None:
            counts[(loc, "out-of-scope")] += 1
            continue
        counts[(loc, "in-scope")] += 1
        if exp not in kb[loc]:
            err(f"queries:{n}: expected {exp!r} is not an entry id in {loc}")
        if norm(q) in phrasings[loc]:
            err(f"queries:{n}: {q!r} copies a question or alternate")
        hits[loc][exp] += 1
    return counts, hits


def main():
    kb = load_collections()
    ids = {loc: set(kb[loc]) for loc in LOCALES}
    for eid in sorted(ids["en"] ^ ids["zh-CN"]):
        err(f"id {eid!r} exists in only one locale")
    for eid in sorted(ids["en"] & ids["zh-CN"]):
        if kb["en"][eid]["category"] != kb["zh-CN"][eid]["category"]:
            err(f"id {eid!r}: category differs between locales")
    phrasings = check_phrasings(kb)
    articles = check_articles()
    q = check_queries(kb, phrasings) if "--no-queries" not in sys.argv else None

    print("Entries per category:")
    for cat in CATEGORIES:
        row = "  ".join(f"{loc}={sum(1 for e in kb[loc].values() if e['category'] == cat)}" for loc in LOCALES)
        print(f"  {cat:<11} {row}")
    print("  total       " + "  ".join(f"{loc}={len(kb[loc])}" for loc in LOCALES))
    alts = {loc: sum(len(e['alternates']) for e in kb[loc].values()) for loc in LOCALES}
    print(f"Alternates: {alts}")
    print(f"Articles: {articles}")
    if q:
        counts, hits = q
        print("Queries: " + ", ".join(f"{loc} {kind}={n}" for (loc, kind), n in sorted(counts.items())))
        for loc in LOCALES:
            missing = sorted(ids[loc] - set(hits[loc]))
            print(f"  {loc}: {len(hits[loc])} entries targeted, untargeted: {len(missing)}")
        union = set(hits["en"]) | set(hits["zh-CN"])
        print(f"  entries targeted in at least one locale: {len(union)} / {len(ids['en'] | ids['zh-CN'])}")
    for w in warnings:
        print("WARNING", w)
    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
