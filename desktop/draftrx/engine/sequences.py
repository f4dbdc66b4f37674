"""The KV cache as DraftRx uses it: several sequences over one shared prefix.

llama-cpp-python's `Llama.eval` knows one sequence only. Variants of one draft share a
long prefix (system text and draft) and differ in a short tail, so the context is made
with a unified cache of several sequences: the prefix is computed once in sequence 0,
and copying it to the others shares its cells instead of duplicating them.

`Sequences` keeps, for every sequence, the tokens its cells hold. A decode appends to
that record only when llama.cpp accepted the batch, so the record and the cache never
disagree, even after an aborted or failed batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import llama_cpp
from llama_cpp import _internals

MAX_SEQUENCES = 8
Entry = tuple[int, int, bool]  # token, sequence, whether its logits are wanted


class DecodeError(RuntimeError):
    """llama_decode refused or aborted a batch; nothing of it is in the cache."""

    def __init__(self, code: int) -> None:
        super().__init__(f"llama_decode returned {code}")
        self.code = code


def unified_context(llm: llama_cpp.Llama) -> _internals.LlamaContext:
    """Replace the Llama's one-sequence context with a unified multi-sequence one.

    `Llama()` has no argument for the number of sequences, so the context it made is
    closed and another, identical but for that, takes its place.
    """
    params = llm.context_params
    params.n_seq_max = MAX_SEQUENCES
    params.kv_unified = True
    llm._ctx.close()  # first: both at once would raise the peak memory by a whole context
    llm._ctx = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
    return llm._ctx


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


class Sequences:
    def __init__(self, ctx: _internals.LlamaContext, n_batch: int) -> None:
        self._ctx = ctx
        self.n_batch = n_batch
        self.tokens: list[list[int]] = [[] for _ in range(MAX_SEQUENCES)]
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, MAX_SEQUENCES)

    @property
    def memory(self) -> llama_cpp.llama_memory_t:
        return self._ctx.memory

    def cells(self) -> int:
        """Cache cells in use, counting a shared prefix once (an upper bound after edits)."""
        lengths = [len(t) for t in self.tokens if t]
        if not lengths:
            return 0
        shared = min(common_length(self.tokens[0], t) for t in self.tokens if t)
        return shared + sum(n - shared for n in lengths)

    def decode(self, entries: Sequence[Entry]) -> None:
        """Append each entry's token to its sequence, at that sequence's next position."""
        if not 0 < len(entries) <= self.n_batch:
            raise ValueError(f"a batch holds 1 to {self.n_batch} tokens, not {len(entries)}")
        batch = self._batch
        batch.n_tokens = len(entries)
        next_pos = {}
        for i, (token, seq, logits) in enumerate(entries):
            pos = next_pos.get(seq, len(self.tokens[seq]))
            next_pos[seq] = pos + 1
            batch.token[i] = token
            batch.pos[i] = pos
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = seq
            batch.logits[i] = logits
        code = llama_cpp.llama_decode(self._ctx.ctx, batch)
        if code != 0:
            for seq in next_pos:  # an aborted batch may have left cells behind
                llama_cpp.llama_memory_seq_rm(self.memory, seq, len(self.tokens[seq]), -1)
            raise DecodeError(code)
        for token, seq, _ in entries:
            self.tokens[seq].append(token)

    def truncate(self, seq: int, keep: int) -> None:
        """Keep the first `keep` tokens; a recurrent model, which cannot drop a suffix of
        its state, keeps none."""
        if keep < len(self.tokens[seq]):
            if not llama_cpp.llama_memory_seq_rm(self.memory, seq, keep, -1):
                llama_cpp.llama_memory_seq_rm(self.memory, seq, 0, -1)
                keep = 0
            del self.tokens[seq][keep:]

    def share(self, src: int, dst: int, length: int) -> None:
        """Make `dst` hold the first `length` tokens of `src`, sharing their cells."""
        llama_cpp.llama_memory_seq_rm(self.memory, dst, 0, -1)
        llama_cpp.llama_memory_seq_cp(self.memory, src, dst, 0, length)
        self.tokens[dst] = self.tokens[src][:length]

    def clear(self) -> None:
        llama_cpp.llama_memory_clear(self.memory, True)
        for tokens in self.tokens:
            tokens.clear()

    def close(self) -> None:
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None
