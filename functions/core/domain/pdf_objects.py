"""Every object of one PDF, read with pypdf's object parser, and `pdf`'s rules applied to each. Pure.

Only `pdf.check_pdf` uses this module; the bounds and the refused names live there.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from pypdf import apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import IndirectObject, NameObject, StreamObject, StreamParsingBudget, read_object

from functions.core.domain import pdf as rules

_WS = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*[\r\n])"
HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})" + _WS + rb"+([0-9]{1,5})" + _WS + rb"+obj(?![A-Za-z0-9])")
# Headers are found from their keyword, read backwards: a regex tried at every digit of a 10 MB file costs
# seconds. Backwards, a comment runs from its line end back to its `%`.
KEYWORD = re.compile(rb"(?<!end)obj(?![A-Za-z0-9])")
_WS_BACK = rb"(?:[\x00\t\n\x0c\r ]|[\r\n][^\r\n]*%)"
HEADER_BACK = re.compile(rb"jbo" + _WS_BACK + rb"+[0-9]{1,5}" + _WS_BACK + rb"+[0-9]{1,10}(?![0-9])")
HEADER_REACH = 256  # bytes before `obj` in which its two numbers (with whitespace and comments) must start
TRAILER = re.compile(rb"trailer" + _WS + rb"*(?=<<)")
SPACE = re.compile(_WS + rb"*")
# A hostile file can make pypdf warn once per object: the gate's answer says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class TooComplex(LimitReachedError):
    """The file needs more work than the gate gives one upload (a pypdf limit, so pypdf lets it through)."""


class _Metered(io.BytesIO):
    """Bytes for pypdf's parser that count its reads: its slow paths (literal strings) read a byte at a time."""

    def __init__(self, data: bytes, document: _Document) -> None:
        super().__init__(data)
        self.document = document

    def read(self, size: int | None = -1) -> bytes:
        """Read as BytesIO does, within the document's budget of reads."""
        self.document.reads += 1
        if self.document.reads > rules.MAX_READS:
            raise TooComplex()
        return super().read(size)


def inspect(data: bytes) -> str | None:
    """The first refused name in `data` (`rules.ENCRYPTED` if encrypted), or None; parser errors propagate."""
    limit = rules.MAX_DECODED
    try:
        with apply_configuration(jbig2dec_binary=None, zlib_maximum_output_length=limit,
                                 lzw_maximum_output_length=limit, run_length_maximum_output_length=limit):
            return _Document(data).inspect()
    except TooComplex:
        raise
    except LimitReachedError as exc:
        raise TooComplex() from exc


class _Document:
    """Every object definition of one PDF, and the check over them. pypdf's parser calls back `get_object`."""

    strict = True  # pypdf's parser raises where it would otherwise guess

    def __init__(self, data: bytes) -> None:
        self.data, self.stream, self.reads = data, _Metered(data, self), 0
        self.budget = StreamParsingBudget(rules.MAX_TOKENS)
        self.headers: dict[int, list[int]] = {}  # object number -> offsets of its headers
        self.at: dict[int, tuple[int, Any]] = {}  # header offset -> (object number, object)
        self.ends: dict[int, int] = {}  # header offset -> where its object ends
        self.members: list[tuple[int, Any]] = []  # (object number, object) from object streams
        self.trailers: list[Any] = []
        self.parsed_until = self.work = self.decoded = self.nodes = 0
        self.resolving: set[int] = set()
        self.definitions: dict[int, list[Any]] = {}
        self.names_of: dict[int, frozenset[str]] = {}

    def inspect(self) -> str | None:
        """The first refused name found (rules.ENCRYPTED for an encrypted file), or None for a passive PDF."""
        self._scan()
        self.trailers += [obj for obj in self._top_level() if isinstance(obj, StreamObject)
                          and dict.get(obj, "/Type") == "/XRef"]  # a cross-reference stream carries its trailer
        if any(isinstance(d, dict) and "/Encrypt" in d for d in [*self.trailers, *self._top_level()]):
            return rules.ENCRYPTED
        self._unpack_object_streams()
        for number, obj in [*self.at.values(), *self.members]:
            self.definitions.setdefault(number, []).append(obj)
        catalogs = [c for t in self.trailers if isinstance(t, dict) for c in self._resolved(dict.get(t, "/Root"), 0)]
        if not any(isinstance(catalog, dict) for catalog in catalogs):
            raise ValueError("no catalog: nothing a viewer could show")
        return self._check([*self.trailers, *self._top_level(), *(obj for _, obj in self.members)])

    # Reading ------------------------------------------------------------------------------------------

    def _scan(self) -> None:
        """Every object header and trailer in the bytes, parsed in file order."""
        keywords = [m.start() for m in KEYWORD.finditer(self.data)]
        if len(keywords) > rules.MAX_OBJECTS:
            raise TooComplex()
        starts = [self._header_before(end) for end in keywords]
        headers = [(start, int(HEADER.match(self.data, start)[1])) for start in starts if start is not None]
        for offset, number in headers:
            self.headers.setdefault(number, []).append(offset)
        for offset, _ in headers:
            self._parse_at(offset, listed=False)
        for match in TRAILER.finditer(self.data):
            trailer = self._read(match.end(), listed=False)
            if trailer is not None:
                self.trailers.append(trailer)

    def _header_before(self, keyword: int) -> int | None:
        """Where the header ending with the `obj` at `keyword` starts, if those bytes are a header."""
        end = keyword + 3
        match = HEADER_BACK.match(self.data[max(0, end - HEADER_REACH):end][::-1])
        return end - match.end() if match else None

    def _parse_at(self, offset: int, *, listed: bool) -> None:
        """The object whose header starts at `offset`; a failure counts only outside an object already read."""
        if offset not in self.at:
            body = SPACE.match(self.data, HEADER.match(self.data, offset).end()).end()
            obj = self._read(body, listed=listed or offset >= self.parsed_until)
            if obj is None:
                return
            self.at[offset], self.ends[offset] = (int(HEADER.match(self.data, offset)[1]), obj), self.stream.tell()
        if not listed:
            self.parsed_until = max(self.parsed_until, self.ends[offset])

    def _read(self, offset: int, *, listed: bool) -> Any:
        """One object at `offset`, or None where bytes inside another object merely look like one."""
        self.stream.seek(offset)
        try:
            obj = read_object(self.stream, self, parsing_budget=self.budget)
        except LimitReachedError:  # TooComplex too
            raise
        except Exception:  # noqa: BLE001 (see check_pdf: any parser error means the bytes are no object)
            if listed:
                raise
            obj = None
        self._spend(self.stream.tell() - offset)
        return obj

    def _spend(self, parsed: int) -> None:
        """Count bytes parsed: overlapping objects (one inside another's stream) must not cost without end."""
        self.work += max(parsed, 0)
        if self.work > rules.WORK_FACTOR * (len(self.data) + self.decoded) + (1 << 20):
            raise TooComplex()

    def get_object(self, ref: IndirectObject) -> Any:
        """What pypdf's parser asks for (an indirect /Length, /Filter...): the last definition in the file."""
        offsets = self.headers.get(ref.idnum)
        if not offsets or ref.idnum in self.resolving:
            return None
        self.resolving.add(ref.idnum)
        position = self.stream.tell()
        try:
            self._parse_at(offsets[-1], listed=True)
        finally:
            self.resolving.discard(ref.idnum)
            self.stream.seek(position)
        return self.at[offsets[-1]][1]

    def _top_level(self) -> list[Any]:
        return [self.at[offset][1] for offset in sorted(self.at)]

    def _unpack_object_streams(self) -> None:
        """Each stream shaped like an object stream (a viewer does not ask for its /Type), decompressed."""
        for obj in self._top_level():
            if isinstance(obj, StreamObject) and "/N" in obj and "/First" in obj:
                self._unpack(obj)

    def _unpack(self, stream: StreamObject) -> None:
        data = stream.get_data()
        self.decoded += len(data)
        if self.decoded > rules.MAX_DECODED:
            raise TooComplex()
        first = int(stream["/First"])
        numbers = [int(n) for n in re.findall(rb"[0-9]+", data[:first])]
        if len(self.at) + len(self.members) + len(numbers) // 2 > rules.MAX_OBJECTS:
            raise TooComplex()
        members = _Metered(data, self)
        for number, offset in zip(numbers[::2], numbers[1::2], strict=False):
            members.seek(first + offset)
            self.members.append((number, read_object(members, self, parsing_budget=self.budget)))
            self._spend(members.tell() - first - offset)

    # Checking -----------------------------------------------------------------------------------------

    def _check(self, roots: list[Any]) -> str | None:
        """Visit every value under `roots`, in file order, without following references; rule on each dict."""
        stack = [(root, 0) for root in reversed(roots)]
        while stack:
            value, depth = stack.pop()
            self._count()
            if isinstance(value, dict):
                found = self._refused(value)
                if found:
                    return found
                children = dict.values(value)
            elif isinstance(value, list):
                children = value
            else:
                continue
            if depth >= rules.MAX_DEPTH:
                raise TooComplex()
            stack.extend((child, depth + 1) for child in reversed(list(children)))
        return None

    def _refused(self, d: dict) -> str | None:
        """The refused name this dictionary carries, if any."""
        for key, bad in (("/S", rules.BAD_ACTIONS), ("/Type", rules.BAD_TYPES), ("/Subtype", rules.BAD_SUBTYPES)):
            hit = self._names(dict.get(d, key)) & bad
            if hit:
                return min(hit)[1:]
        for key in d:
            if key in rules.BAD_KEYS:
                return key[1:]
        if "/OpenAction" in d and not self._harmless_opening(dict.get(d, "/OpenAction")):
            return "OpenAction"
        return None

    def _harmless_opening(self, value: Any) -> bool:
        """An OpenAction that only shows a page: a destination, or one GoTo action with nothing after it."""
        for target in self._resolved(value, 0):
            if isinstance(target, dict) and ("/Next" in target or self._names(dict.get(target, "/S")) != {"/GoTo"}):
                return False
        return True

    def _resolved(self, value: Any, hops: int) -> list[Any]:
        """Every definition a value may stand for, through at most MAX_HOPS references."""
        if not isinstance(value, IndirectObject):
            return [value]
        if hops >= rules.MAX_HOPS:
            return []  # a longer chain (or a cycle) of references stands for nothing a viewer would follow
        found = []
        for definition in self.definitions.get(value.idnum, []):
            self._count()
            found.extend(self._resolved(definition, hops + 1))
        return found

    def _names(self, value: Any) -> frozenset[str]:
        """The names (or strings, which some viewers take for names) a value may stand for."""
        if not isinstance(value, IndirectObject):
            return _name(value)
        number = value.idnum
        if number not in self.names_of:
            self.names_of[number] = frozenset().union(*(_name(v) for v in self._resolved(value, 0)))
        return self.names_of[number]

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > rules.MAX_NODES:
            raise TooComplex()


def _name(value: Any) -> frozenset[str]:
    if isinstance(value, NameObject):
        return frozenset({str(value)})
    if isinstance(value, str):
        return frozenset({"/" + value})
    return frozenset()

