"""Maximum-weight matching in a general graph (Edmonds' blossom algorithm), pure Python.

Swiss pairing falls back to this when the quick greedy pairing gets stuck: it always finds a
pairing when one exists, and among the largest pairings picks the one of greatest total weight.
It follows Galil's 1986 presentation of the primal-dual method, as in Joris van Rantwijk's
public-domain ``mwmatching.py``; it runs in O(n^3). Weights must be integers so that every dual
update stays exact.
"""

from collections.abc import Iterator, Sequence

Edge = tuple[int, int, int]
"""(vertex, vertex, weight); vertices are numbered from 0."""


def max_weight_matching(edges: Sequence[Edge], *, max_cardinality: bool = False) -> list[int]:
    """Return ``mate`` where ``mate[v]`` is the vertex matched to ``v``, or -1.

    With ``max_cardinality`` the matching has as many edges as possible, and the greatest weight
    among those; otherwise it simply has the greatest weight.
    """
    if not edges:
        return []
    return _Matcher(edges, max_cardinality).solve()


class _Matcher:
    """State of one run. Blossoms are numbered ``n..2n-1`` after the ``n`` vertices.

    ``label`` is 0 (free), 1 (S, outer) or 2 (T, inner); an "endpoint" ``p`` names the vertex
    ``endpoint[p]`` of edge ``p // 2``, and ``p ^ 1`` is the other end of the same edge.
    """

    def __init__(self, edges: Sequence[Edge], max_cardinality: bool) -> None:
        for i, j, w in edges:
            if i < 0 or j < 0 or i == j:
                raise ValueError(f"bad edge ({i}, {j})")
            if not isinstance(w, int):
                raise ValueError("edge weights must be integers")
        self.edges = list(edges)
        self.max_cardinality = max_cardinality
        n = self.n = 1 + max(max(i, j) for i, j, _ in edges)
        self.endpoint = [self.edges[p // 2][p % 2] for p in range(2 * len(edges))]
        self.neighbend: list[list[int]] = [[] for _ in range(n)]
        for k, (i, j, _) in enumerate(self.edges):
            self.neighbend[i].append(2 * k + 1)
            self.neighbend[j].append(2 * k)
        self.mate = [-1] * n
        self.label = [0] * (2 * n)
        self.labelend = [-1] * (2 * n)
        self.inblossom = list(range(n))
        self.blossomparent = [-1] * (2 * n)
        self.blossomchilds: list[list[int] | None] = [None] * (2 * n)
        self.blossombase = list(range(n)) + [-1] * n
        self.blossomendps: list[list[int] | None] = [None] * (2 * n)
        self.bestedge = [-1] * (2 * n)
        self.blossombestedges: list[list[int] | None] = [None] * (2 * n)
        self.unusedblossoms = list(range(n, 2 * n))
        max_weight = max(0, max(w for _, _, w in edges))
        self.dualvar = [max_weight] * n + [0] * n
        self.allowedge = [False] * len(edges)
        self.queue: list[int] = []

    def slack(self, k: int) -> int:
        i, j, w = self.edges[k]
        return self.dualvar[i] + self.dualvar[j] - 2 * w

    def leaves(self, b: int) -> Iterator[int]:
        if b < self.n:
            yield b
            return
        for child in self.blossomchilds[b]:
            if child < self.n:
                yield child
            else:
                yield from self.leaves(child)

    def assign_label(self, w: int, t: int, p: int) -> None:
        """Label ``w`` and its top blossom S (t=1) or T (t=2), reached through endpoint ``p``."""
        b = self.inblossom[w]
        self.label[w] = self.label[b] = t
        self.labelend[w] = self.labelend[b] = p
        self.bestedge[w] = self.bestedge[b] = -1
        if t == 1:
            self.queue.extend(self.leaves(b))
        else:
            base = self.blossombase[b]
            self.assign_label(self.endpoint[self.mate[base]], 1, self.mate[base] ^ 1)

    def scan_blossom(self, v: int, w: int) -> int:
        """Trace back from ``v`` and ``w``: the base of a new blossom, or -1 for an augmenting path."""
        path = []
        base = -1
        while v != -1 or w != -1:
            b = self.inblossom[v]
            if self.label[b] & 4:
                base = self.blossombase[b]
                break
            path.append(b)
            self.label[b] = 5
            if self.labelend[b] == -1:
                v = -1
            else:
                v = self.endpoint[self.labelend[b]]
                b = self.inblossom[v]
                v = self.endpoint[self.labelend[b]]
            if w != -1:
                v, w = w, v
        for b in path:
            self.label[b] = 1
        return base

    def add_blossom(self, base: int, k: int) -> None:
        """Shrink the odd cycle closed by edge ``k`` into a new S-blossom with base ``base``."""
        v, w, _ = self.edges[k]
        bb = self.inblossom[base]
        bv = self.inblossom[v]
        bw = self.inblossom[w]
        b = self.unusedblossoms.pop()
        self.blossombase[b] = base
        self.blossomparent[b] = -1
        self.blossomparent[bb] = b
        path: list[int] = []
        endps: list[int] = []
        self.blossomchilds[b] = path
        self.blossomendps[b] = endps
        while bv != bb:
            self.blossomparent[bv] = b
            path.append(bv)
            endps.append(self.labelend[bv])
            v = self.endpoint[self.labelend[bv]]
            bv = self.inblossom[v]
        path.append(bb)
        path.reverse()
        endps.reverse()
        endps.append(2 * k)
        while bw != bb:
            self.blossomparent[bw] = b
            path.append(bw)
            endps.append(self.labelend[bw] ^ 1)
            w = self.endpoint[self.labelend[bw]]
            bw = self.inblossom[w]
        self.label[b] = 1
        self.labelend[b] = self.labelend[bb]
        self.dualvar[b] = 0
        for leaf in self.leaves(b):
            if self.label[self.inblossom[leaf]] == 2:
                self.queue.append(leaf)
            self.inblossom[leaf] = b
        best_to = [-1] * (2 * self.n)
        for child in path:
            if self.blossombestedges[child] is None:
                lists = [[p // 2 for p in self.neighbend[leaf]] for leaf in self.leaves(child)]
            else:
                lists = [self.blossombestedges[child]]
            for edge_list in lists:
                for e in edge_list:
                    i, j, _ = self.edges[e]
                    if self.inblossom[j] == b:
                        i, j = j, i
                    bj = self.inblossom[j]
                    if (bj != b and self.label[bj] == 1
                            and (best_to[bj] == -1 or self.slack(e) < self.slack(best_to[bj]))):
                        best_to[bj] = e
            self.blossombestedges[child] = None
            self.bestedge[child] = -1
        self.blossombestedges[b] = [e for e in best_to if e != -1]
        self.bestedge[b] = -1
        for e in self.blossombestedges[b]:
            if self.bestedge[b] == -1 or self.slack(e) < self.slack(self.bestedge[b]):
                self.bestedge[b] = e

    def expand_blossom(self, b: int, endstage: bool) -> None:
        """Undo blossom ``b``, relabelling its children if it was a T-blossom mid-stage."""
        for s in self.blossomchilds[b]:
            self.blossomparent[s] = -1
            if s < self.n:
                self.inblossom[s] = s
            elif endstage and self.dualvar[s] == 0:
                self.expand_blossom(s, endstage)
            else:
                for leaf in self.leaves(s):
                    self.inblossom[leaf] = s
        if not endstage and self.label[b] == 2:
            childs = self.blossomchilds[b]
            endps = self.blossomendps[b]
            entrychild = self.inblossom[self.endpoint[self.labelend[b] ^ 1]]
            j = childs.index(entrychild)
            if j & 1:
                j -= len(childs)
                jstep, endptrick = 1, 0
            else:
                jstep, endptrick = -1, 1
            p = self.labelend[b]
            while j != 0:
                self.label[self.endpoint[p ^ 1]] = 0
                self.label[self.endpoint[endps[j - endptrick] ^ endptrick ^ 1]] = 0
                self.assign_label(self.endpoint[p ^ 1], 2, p)
                self.allowedge[endps[j - endptrick] // 2] = True
                j += jstep
                p = endps[j - endptrick] ^ endptrick
                self.allowedge[p // 2] = True
                j += jstep
            bv = childs[j]
            self.label[self.endpoint[p ^ 1]] = self.label[bv] = 2
            self.labelend[self.endpoint[p ^ 1]] = self.labelend[bv] = p
            self.bestedge[bv] = -1
            j += jstep
            while childs[j] != entrychild:
                bv = childs[j]
                if self.label[bv] == 1:
                    j += jstep
                    continue
                reached = next((leaf for leaf in self.leaves(bv) if self.label[leaf] != 0), None)
                if reached is not None:
                    self.label[reached] = 0
                    self.label[self.endpoint[self.mate[self.blossombase[bv]]]] = 0
                    self.assign_label(reached, 2, self.labelend[reached])
                j += jstep
        self.label[b] = self.labelend[b] = -1
        self.blossomchilds[b] = self.blossomendps[b] = None
        self.blossombase[b] = -1
        self.blossombestedges[b] = None
        self.bestedge[b] = -1
        self.unusedblossoms.append(b)

    def augment_blossom(self, b: int, v: int) -> None:
        """Swap matched and unmatched edges inside ``b`` so that ``v`` becomes its base."""
        t = v
        while self.blossomparent[t] != b:
            t = self.blossomparent[t]
        if t >= self.n:
            self.augment_blossom(t, v)
        childs = self.blossomchilds[b]
        endps = self.blossomendps[b]
        i = j = childs.index(t)
        if i & 1:
            j -= len(childs)
            jstep, endptrick = 1, 0
        else:
            jstep, endptrick = -1, 1
        while j != 0:
            j += jstep
            t = childs[j]
            p = endps[j - endptrick] ^ endptrick
            if t >= self.n:
                self.augment_blossom(t, self.endpoint[p])
            j += jstep
            t = childs[j]
            if t >= self.n:
                self.augment_blossom(t, self.endpoint[p ^ 1])
            self.mate[self.endpoint[p]] = p ^ 1
            self.mate[self.endpoint[p ^ 1]] = p
        self.blossomchilds[b] = childs[i:] + childs[:i]
        self.blossomendps[b] = endps[i:] + endps[:i]
        self.blossombase[b] = self.blossombase[self.blossomchilds[b][0]]

    def augment_matching(self, k: int) -> None:
        """Flip the augmenting path through edge ``k`` between two single S-vertices."""
        v, w, _ = self.edges[k]
        for s, p in ((v, 2 * k + 1), (w, 2 * k)):
            while True:
                bs = self.inblossom[s]
                if bs >= self.n:
                    self.augment_blossom(bs, s)
                self.mate[s] = p
                if self.labelend[bs] == -1:
                    break
                t = self.endpoint[self.labelend[bs]]
                bt = self.inblossom[t]
                s = self.endpoint[self.labelend[bt]]
                j = self.endpoint[self.labelend[bt] ^ 1]
                if bt >= self.n:
                    self.augment_blossom(bt, j)
                self.mate[j] = self.labelend[bt]
                p = self.labelend[bt] ^ 1

    def solve(self) -> list[int]:
        n = self.n
        for _ in range(n):
            self.label[:] = [0] * (2 * n)
            self.bestedge[:] = [-1] * (2 * n)
            self.blossombestedges[n:] = [None] * n
            self.allowedge[:] = [False] * len(self.edges)
            self.queue[:] = []
            for v in range(n):
                if self.mate[v] == -1 and self.label[self.inblossom[v]] == 0:
                    self.assign_label(v, 1, -1)
            augmented = False
            while True:
                augmented = self._grow()
                if augmented or not self._update_duals():
                    break
            if not augmented:
                break
            for b in range(n, 2 * n):
                if (self.blossomparent[b] == -1 and self.blossombase[b] >= 0
                        and self.label[b] == 1 and self.dualvar[b] == 0):
                    self.expand_blossom(b, True)
        return [self.endpoint[p] if p >= 0 else -1 for p in self.mate]

    def _grow(self) -> bool:
        """Grow the alternating forest along tight edges; True once the matching was augmented."""
        while self.queue:
            v = self.queue.pop()
            for p in self.neighbend[v]:
                k = p // 2
                w = self.endpoint[p]
                if self.inblossom[v] == self.inblossom[w]:
                    continue
                kslack = 0
                if not self.allowedge[k]:
                    kslack = self.slack(k)
                    if kslack <= 0:
                        self.allowedge[k] = True
                if self.allowedge[k]:
                    if self.label[self.inblossom[w]] == 0:
                        self.assign_label(w, 2, p ^ 1)
                    elif self.label[self.inblossom[w]] == 1:
                        base = self.scan_blossom(v, w)
                        if base >= 0:
                            self.add_blossom(base, k)
                        else:
                            self.augment_matching(k)
                            return True
                    elif self.label[w] == 0:
                        self.label[w] = 2
                        self.labelend[w] = p ^ 1
                elif self.label[self.inblossom[w]] == 1:
                    b = self.inblossom[v]
                    if self.bestedge[b] == -1 or kslack < self.slack(self.bestedge[b]):
                        self.bestedge[b] = k
                elif self.label[w] == 0:
                    if self.bestedge[w] == -1 or kslack < self.slack(self.bestedge[w]):
                        self.bestedge[w] = k
        return False

    def _update_duals(self) -> bool:
        """Make progress by changing the duals; False when the stage is over (no augmenting path)."""
        n = self.n
        deltatype = -1
        delta = deltaedge = deltablossom = 0
        if not self.max_cardinality:
            deltatype = 1
            delta = min(self.dualvar[:n])
        for v in range(n):
            if self.label[self.inblossom[v]] == 0 and self.bestedge[v] != -1:
                d = self.slack(self.bestedge[v])
                if deltatype == -1 or d < delta:
                    delta, deltatype, deltaedge = d, 2, self.bestedge[v]
        for b in range(2 * n):
            if self.blossomparent[b] == -1 and self.label[b] == 1 and self.bestedge[b] != -1:
                d = self.slack(self.bestedge[b]) // 2
                if deltatype == -1 or d < delta:
                    delta, deltatype, deltaedge = d, 3, self.bestedge[b]
        for b in range(n, 2 * n):
            if (self.blossombase[b] >= 0 and self.blossomparent[b] == -1 and self.label[b] == 2
                    and (deltatype == -1 or self.dualvar[b] < delta)):
                delta, deltatype, deltablossom = self.dualvar[b], 4, b
        if deltatype == -1:
            # Only with max_cardinality: no further progress possible; finish with a last update.
            deltatype = 1
            delta = max(0, min(self.dualvar[:n]))
        for v in range(n):
            label = self.label[self.inblossom[v]]
            if label == 1:
                self.dualvar[v] -= delta
            elif label == 2:
                self.dualvar[v] += delta
        for b in range(n, 2 * n):
            if self.blossombase[b] >= 0 and self.blossomparent[b] == -1:
                if self.label[b] == 1:
                    self.dualvar[b] += delta
                elif self.label[b] == 2:
                    self.dualvar[b] -= delta
        if deltatype == 1:
            return False
        if deltatype == 2:
            self.allowedge[deltaedge] = True
            i, j, _ = self.edges[deltaedge]
            if self.label[self.inblossom[i]] == 0:
                i = j
            self.queue.append(i)
        elif deltatype == 3:
            self.allowedge[deltaedge] = True
            i, _, _ = self.edges[deltaedge]
            self.queue.append(i)
        else:
            self.expand_blossom(deltablossom, False)
        return True
