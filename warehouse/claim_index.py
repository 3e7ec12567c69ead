"""The claim index beside the warehouse: every stored claim vector under its `claim_key`,
in inverted lists around k-means centroids, searched exactly inside the probed lists.

Why not an HNSW library: usearch took 196 s to index 131,072 vectors on this 2-core machine
(a million would take half an hour) and must be loaded whole to be appended to; faiss's
IVF-PQ spent 100 s training its codebooks, and its flat lists live in memory (1.5 GB for a
million claims). Here lists are files read one at a time (the page cache keeps them; the
process does not), appends touch only the lists that grow, and similarities are the same
float32 dot products matching computed before, so a candidate that is found has exactly
the cosine it had. What the index can miss is a near claim in a list that was not probed:
`PROBES` of `LISTS` lists nearest the query (recall measured in tests and bench/RESULTS.md).

Layout of `<warehouse>.claim-index/`: `manifest.json` (`count`: keys 1..count are held;
`pending`: an append was under way), and `g<generation>/` with `centroids.npy` and per list
`<n>.keys` (int64) and `<n>.vecs` (float32 rows). Keys are appended in increasing order, so a
list's tail is its newest part: a crash mid-append is undone by cutting tails past `count`.
Anything unreadable is rebuilt from the warehouse (`sync`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

DIM = 384
TRAIN_AT = 20_000   # below this many vectors: one list, searched whole (exact)
LISTS = 1024        # lists once clustered: about 1,000 claims each at a million
PROBES = 32         # lists searched per query
KMEANS_SAMPLE = 50_000
KMEANS_ROUNDS = 8

Vectors = Callable[[int], Iterable[tuple[np.ndarray, np.ndarray]]]
"""`vectors_after(n)`: (keys, float32 vectors) chunks of every stored vector with key > n,
in key order."""


class IndexDamaged(Exception):
    """The index folder cannot be read as written; it is rebuilt from the warehouse."""


@dataclass(frozen=True)
class Hits:
    """Per query: keys (int64) and cosines (float64 dot products of the float32 vectors),
    best first; at most k of each."""

    keys: list[np.ndarray]
    sims: list[np.ndarray]


def folder_for(warehouse_path: str | Path) -> Path:
    """The index folder beside a warehouse file."""
    return Path(f"{warehouse_path}.claim-index")


class ClaimIndex:
    """An index folder opened for one pass (one writer: the warehouse's writer lock)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count, self.generation, self.centroids = 0, 0, np.zeros((1, DIM), np.float32)
        self.lists = 1
        self._pending = False
        try:
            self._read_manifest()
        except (OSError, ValueError, KeyError, IndexDamaged):
            self.count, self.generation = 0, -1      # nothing usable: rebuild on sync

    # -- reading ---------------------------------------------------------------------------
    def _read_manifest(self) -> None:
        path = self.folder / "manifest.json"
        if not path.exists():
            self.generation = -1 if self.folder.exists() and any(self.folder.iterdir()) else 0
            return
        m = json.loads(path.read_text(encoding="utf-8"))
        self.count, self.generation, self.lists = int(m["count"]), int(m["generation"]), \
            int(m["lists"])
        self._pending = bool(m.get("pending"))
        if self.lists > 1:
            self.centroids = np.load(self._gen / "centroids.npy")
            if self.centroids.shape != (self.lists, DIM):
                raise IndexDamaged(f"centroids of shape {self.centroids.shape}")
        held = self._held()
        if held < self.count or (held > self.count and not self._pending):
            raise IndexDamaged(f"lists hold {held} vectors, the manifest says {self.count}")

    def _held(self) -> int:
        """Vectors the list files hold, from their sizes (a list's two files must agree)."""
        held = 0
        for n in range(self.lists):
            keys, vecs = self._gen / f"{n}.keys", self._gen / f"{n}.vecs"
            size = keys.stat().st_size if keys.exists() else 0
            vsize = vecs.stat().st_size if vecs.exists() else 0
            if vsize != size // 8 * DIM * 4 and not self._pending:
                raise IndexDamaged(f"list {n}: keys and vectors disagree")
            held += size // 8
        return held

    @property
    def _gen(self) -> Path:
        return self.folder / f"g{self.generation}"

    def _list(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        keys_path, vecs_path = self._gen / f"{n}.keys", self._gen / f"{n}.vecs"
        if not keys_path.exists():
            return np.zeros(0, np.int64), np.zeros((0, DIM), np.float32)
        keys = np.fromfile(keys_path, dtype=np.int64)
        vecs = np.fromfile(vecs_path, dtype=np.float32)
        if vecs.size != keys.size * DIM:
            raise IndexDamaged(f"list {n}: {keys.size} keys, {vecs.size / DIM:g} vectors")
        return keys, vecs.reshape(-1, DIM)

    def _probes(self, queries: np.ndarray) -> np.ndarray:
        if self.lists == 1:
            return np.zeros((len(queries), 1), np.int64)
        near = queries @ self.centroids.T
        p = min(PROBES, self.lists)
        return np.argpartition(-near, p - 1, axis=1)[:, :p]

    def search(self, queries: np.ndarray, k: int, exclude: Iterable[int] = ()) -> Hits:
        """The k held vectors nearest each query (unit float32 rows) by cosine, leaving out
        the keys in `exclude`; exact within the probed lists."""
        skip = np.fromiter(exclude, dtype=np.int64)
        found: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(len(queries))]
        if self.count and len(queries):
            probes = self._probes(queries)
            for n in np.unique(probes):
                qs = np.nonzero((probes == n).any(axis=1))[0]
                keys, vecs = self._list(int(n))
                if skip.size:
                    keep = ~np.isin(keys, skip)
                    keys, vecs = keys[keep], vecs[keep]
                if not keys.size:
                    continue
                sims = vecs @ queries[qs].T
                kk = min(k, keys.size)
                top = np.argpartition(-sims, kk - 1, axis=0)[:kk]
                # The cosines handed on are float64 dot products of the float32 vectors,
                # which do not depend on how a matrix product ordered its sums.
                exact = np.einsum("kqd,qd->kq", vecs[top].astype(np.float64),
                                  queries[qs].astype(np.float64))
                for col, q in enumerate(qs):
                    found[q].append((keys[top[:, col]], exact[:, col]))
        return _best(found, k)

    # -- writing ---------------------------------------------------------------------------
    def sync(self, total: int, vectors_after: Vectors) -> int:
        """Make the index hold exactly keys 1..`total` (the warehouse's count): cut what a
        crash left half-appended, add what the warehouse has and the index lacks, rebuild
        when the folder is unreadable or holds more than the warehouse (a restored file).
        Returns how many vectors were added."""
        if self.generation < 0 or self.count > total:
            return self.rebuild(vectors_after)
        try:
            if self._pending:
                self._cut_tails()
        except (OSError, IndexDamaged):
            return self.rebuild(vectors_after)
        if self.count == total:
            return 0
        added = 0
        for keys, vecs in vectors_after(self.count):
            self.add(keys, vecs)
            added += len(keys)
        return added

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Append vectors under keys count+1, count+2, … (the warehouse assigned them)."""
        keys = np.asarray(keys, dtype=np.int64)
        if not keys.size:
            return
        if keys[0] != self.count + 1 or np.any(np.diff(keys) != 1):
            raise ValueError(f"keys must continue from {self.count + 1}; got {keys[0]}..")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.lists == 1 and self.count + keys.size >= TRAIN_AT:
            self._cluster(keys, vectors)
            return
        self._gen.mkdir(parents=True, exist_ok=True)
        self._write_manifest(pending=True)
        lists = self._probes(vectors)[:, 0] if self.lists == 1 else \
            np.argmax(vectors @ self.centroids.T, axis=1)
        for n in np.unique(lists):
            rows = lists == n
            _append(self._gen / f"{n}.keys", keys[rows].tobytes())
            _append(self._gen / f"{n}.vecs", vectors[rows].tobytes())
        self.count = int(keys[-1])
        self._write_manifest(pending=False)

    def rebuild(self, vectors_after: Vectors) -> int:
        """Build a new generation from every stored vector; the old one is removed after
        the manifest points at the new. Returns how many vectors it holds."""
        chunks = iter(vectors_after(0))
        first = next(chunks, None)
        old = self.folder / f"g{self.generation}" if self.generation >= 0 else None
        self.generation = max(self.generation, 0) + 1 + self._stale_generations()
        self.count, self.lists, self._pending = 0, 1, False
        self._gen.mkdir(parents=True, exist_ok=True)
        self._write_manifest(pending=False)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
        if first is None:
            return 0
        self.add(*first)
        for keys, vecs in chunks:
            self.add(keys, vecs)
        return self.count

    def _stale_generations(self) -> int:
        if not self.folder.exists():
            return 0
        gens = [int(p.name[1:]) for p in self.folder.glob("g*") if p.name[1:].isdigit()]
        return max(0, max(gens, default=0) - self.generation)

    def _cluster(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Pass from one list to LISTS: centroids from the vectors held and these, then
        every vector written again into a new generation."""
        held_keys, held = self._list(0) if self.count else (np.zeros(0, np.int64),
                                                              np.zeros((0, DIM), np.float32))
        all_keys = np.concatenate([held_keys, keys])
        all_vecs = np.concatenate([held, vectors])
        old = self._gen
        self.generation += 1
        self._gen.mkdir(parents=True, exist_ok=True)
        self.centroids = kmeans(all_vecs, LISTS)
        np.save(self._gen / "centroids.npy", self.centroids)
        self.lists, self.count = LISTS, 0
        order = np.argsort(all_keys)
        self._pending = False
        self.add(all_keys[order], all_vecs[order])
        shutil.rmtree(old, ignore_errors=True)

    def _cut_tails(self) -> None:
        """Drop records past `count` that a crashed append left at the ends of lists."""
        for n in range(self.lists):
            keys_path, vecs_path = self._gen / f"{n}.keys", self._gen / f"{n}.vecs"
            if not keys_path.exists():
                continue
            keys = np.fromfile(keys_path, dtype=np.int64)
            keep = int(np.searchsorted(keys, self.count, side="right"))
            if (vecs_path.stat().st_size if vecs_path.exists() else 0) < keep * DIM * 4:
                raise IndexDamaged(f"list {n}: vectors missing below the manifest's count")
            os.truncate(keys_path, keep * 8)
            os.truncate(vecs_path, keep * DIM * 4)
        if self._held() != self.count:
            raise IndexDamaged("lists and manifest disagree after cutting tails")
        self._write_manifest(pending=False)

    def _write_manifest(self, pending: bool) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path, tmp = self.folder / "manifest.json", self.folder / "manifest.json.tmp"
        tmp.write_text(json.dumps({"count": self.count, "generation": self.generation,
                                   "lists": self.lists, "pending": pending}), encoding="utf-8")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        self._pending = pending


def _append(path: Path, data: bytes) -> None:
    # No fsync per list (thousands per pass): the sizes are checked against the manifest
    # when the index is opened, and a shortfall rebuilds it.
    with open(path, "ab") as f:
        f.write(data)


def _best(found: list[list[tuple[np.ndarray, np.ndarray]]], k: int) -> Hits:
    keys, sims = [], []
    for parts in found:
        if not parts:
            keys.append(np.zeros(0, np.int64))
            sims.append(np.zeros(0, np.float64))
            continue
        kk = np.concatenate([p[0] for p in parts])
        ss = np.concatenate([p[1] for p in parts])
        order = np.lexsort((kk, -ss))[:k]     # ties: the lower (older) key first
        keys.append(kk[order])
        sims.append(ss[order])
    return Hits(keys, sims)


def kmeans(vectors: np.ndarray, k: int, seed: int = 15) -> np.ndarray:
    """k unit centroids of (a sample of) `vectors` by spherical k-means; deterministic."""
    rng = np.random.default_rng(seed)
    sample = vectors if len(vectors) <= KMEANS_SAMPLE else \
        vectors[rng.choice(len(vectors), KMEANS_SAMPLE, replace=False)]
    centroids = sample[rng.choice(len(sample), min(k, len(sample)), replace=False)].copy()
    for _ in range(KMEANS_ROUNDS):
        nearest = np.argmax(sample @ centroids.T, axis=1)
        members = sparse.csr_matrix((np.ones(len(sample), np.float32),
                                     (nearest, np.arange(len(sample)))),
                                    shape=(len(centroids), len(sample)))
        sums = np.asarray(members @ sample, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        sums[empty] = centroids[empty]          # an empty cluster keeps its centroid
        norms[empty] = 1.0
        centroids = (sums / norms).astype(np.float32)
    if len(centroids) < k:                      # fewer vectors than lists: pad with copies
        centroids = np.concatenate([centroids, centroids[: k - len(centroids)]])
    return np.ascontiguousarray(centroids, dtype=np.float32)


def chunked(keys: np.ndarray, vectors: np.ndarray, size: int = 65_536
            ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(keys, vectors) in chunks of `size`, for `ClaimIndex.add`."""
    for lo in range(0, len(keys), size):
        yield keys[lo:lo + size], vectors[lo:lo + size]
