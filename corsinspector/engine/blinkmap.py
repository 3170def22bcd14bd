"""A replay of Blink's request-header hash map, whose iteration order is the order headers go
on the wire and the order the network service checks ``Access-Control-Allow-Headers`` in (it
names the first missing header in that order, not alphabetically).

Blink keeps request headers in a ``WTF::HashMap`` keyed by the case-folded name (rapidhash,
quadratic probing), filled with the script's headers in case-insensitive name order and then
with Chromium's ``sec-ch-ua``, ``sec-ch-ua-mobile``, ``sec-ch-ua-platform`` and ``User-Agent``.
Pure; every hash is computed once per name and cached.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CHROMIUM_MAP_NAMES", "blink_wire_order", "map_order"]

#: What Chromium adds to Blink's header map after the script's headers, in this order.
CHROMIUM_MAP_NAMES = ("sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "user-agent")

_M64 = (1 << 64) - 1
_SECRET0 = 0x2D358DCCAA6C78A5
_SECRET1 = 0x8BB84B93962EACC9
_SECRET2 = 0x4B33A62ED433D4A3
_SEED = 0xBDD89AA982704029


def _mix(a: int, b: int) -> int:
    product = a * b
    return (product & _M64) ^ (product >> 64)


@lru_cache(maxsize=4096)
def _name_hash(lower: str) -> int:
    """``WTF::CaseFoldingHash`` of a header name: rapidhash over the case-folded UTF-16LE
    code units, masked to 24 bits (``StringHasher::ComputeHashAndMaskTop8Bits``)."""
    data = lower.encode("utf-16-le", "surrogatepass")
    size = len(data)
    seed = _SEED ^ _mix(_SEED ^ _SECRET0, _SECRET1) ^ size

    def r32(at: int) -> int:
        return int.from_bytes(data[at : at + 4], "little")

    def r64(at: int) -> int:
        return int.from_bytes(data[at : at + 8], "little")

    if size <= 16:
        if size >= 4:
            last = size - 4
            delta = (size & 24) >> (size >> 3)
            a = (r32(0) << 32) | r32(last)
            b = (r32(delta) << 32) | r32(last - delta)
        elif size > 0:  # one character: CaseFoldingHashReader::ReadSmall
            a, b = ord(lower[0]), 0
        else:
            a = b = 0
    else:
        pos, left = 0, size
        if left > 48:
            see1 = see2 = seed
            while True:
                seed = _mix(r64(pos) ^ _SECRET0, r64(pos + 8) ^ seed)
                see1 = _mix(r64(pos + 16) ^ _SECRET1, r64(pos + 24) ^ see1)
                see2 = _mix(r64(pos + 32) ^ _SECRET2, r64(pos + 40) ^ see2)
                pos += 48
                left -= 48
                if left < 48:
                    break
            seed ^= see1 ^ see2
        if left > 16:
            seed = _mix(r64(pos) ^ _SECRET2, r64(pos + 8) ^ seed ^ _SECRET1)
            if left > 32:
                seed = _mix(r64(pos + 16) ^ _SECRET2, r64(pos + 24) ^ seed)
        a = r64(pos + left - 16)
        b = r64(pos + left - 8)
    product = (a ^ _SECRET1) * (b ^ seed)
    a, b = product & _M64, product >> 64
    masked = _mix(a ^ _SECRET0 ^ size, b ^ _SECRET1) & 0xFFFFFF
    return masked or 0x800000


def _place(slots: list[int], hashes: list[int], index: int) -> None:
    mask = len(slots) - 1
    slot = hashes[index] & mask
    probe = 0
    while slots[slot] >= 0:
        probe += 1
        slot = (slot + probe) & mask
    slots[slot] = index


def _rebuild(slots: list[int], hashes: list[int], size: int) -> list[int]:
    fresh = [-1] * size
    for index in slots:
        if index >= 0:
            _place(fresh, hashes, index)
    return fresh


def map_order(lower_names: tuple[str, ...]) -> list[int]:
    """Indices of ``lower_names`` (inserted in that order, then Chromium's own entries) in
    the iteration order of the WTF::HashMap after it has been copied once."""
    count = len(lower_names)
    return [index for index in _full_map_order(lower_names) if index < count]


@lru_cache(maxsize=4096)
def blink_wire_order(lower_names: tuple[str, ...]) -> tuple[str, ...]:
    """The names of the request's header map in wire order: the script's ``lower_names``
    (sorted, as Blink inserts them) among Chromium's own ``sec-ch-ua*`` and ``user-agent``."""
    names = (*lower_names, *CHROMIUM_MAP_NAMES)
    return tuple(names[index] for index in _full_map_order(lower_names))


def _full_map_order(lower_names: tuple[str, ...]) -> list[int]:
    """Every entry's index (the script's, then Chromium's) in the copied map's order."""
    hashes = [_name_hash(n) for n in lower_names] + _CHROMIUM_HASHES
    slots = [-1] * 8  # kMinimumTableSize
    for index in range(len(hashes)):
        _place(slots, hashes, index)
        if (index + 1) * 2 >= len(slots):  # kMaxLoad
            slots = _rebuild(slots, hashes, len(slots) * 2)
    # The Resource keeps a copy of the request: the copy re-inserts every entry, in the
    # original's iteration order, into a table of CalculateCapacity(size) buckets.
    slots = _rebuild(slots, hashes, _capacity(len(hashes)))
    return [index for index in slots if index >= 0]


def _capacity(size: int) -> int:
    mask = size
    shift = size
    while shift:
        mask |= shift
        shift >>= 1
    return max((mask + 1) * 2, 8)


_CHROMIUM_HASHES = [_name_hash(n) for n in CHROMIUM_MAP_NAMES]
