"""Streaming the DfE's XML returns (the CIN census, the workforce census) one record at a time.

Both returns are a ``<Message>`` holding many records (``<Child>``, ``<CSWWWorker>``). They
are read with ``iterparse`` through defusedxml and each record is cleared once handed on, so
a whole council's return, or a hostile file with entity expansions, costs no more than one
record's element at a time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

ROOT = "Message"


class ReturnFileError(ValueError):
    """Not the return expected at all: not XML, the wrong root, or no records in it."""


def local(tag: str) -> str:
    """A tag without its namespace: councils' software writes returns with and without."""
    return tag.rsplit("}", 1)[-1]


_ROOT_TAG = re.compile(rb"^\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<([^\s>/!?]+)", re.DOTALL)
#: Enough of a file to find its root element past a declaration and comments.
_HEAD = 8192


def records(stream: BinaryIO, record: str, what: str) -> Iterator[Element]:
    """Each ``record`` element of a ``<Message>`` in file order, cleared after use.

    ``what`` names the return in errors ("a CIN census"). Raises ``ReturnFileError`` when the
    file is not XML, declares entities, has another root, or holds no ``record``. The root is
    checked from the file's first bytes, so the parse itself reports only elements' ends.
    """
    stream = _checked_root(stream, record, what)
    count = 0
    suffix = "}" + record
    try:
        for _event, element in SafeElementTree.iterparse(stream, events=("end",)):
            tag = element.tag
            if tag != record and not tag.endswith(suffix):
                continue
            count += 1
            yield element
            element.clear()
    except SafeElementTree.ParseError as exc:
        raise ReturnFileError(f"this is not readable XML: {exc}") from None
    except DefusedXmlException as exc:
        raise ReturnFileError(f"this XML declares entities or a DTD, which a return never "
                              f"needs, so it is not read ({type(exc).__name__})") from None
    if count == 0:
        raise ReturnFileError(f"this is not {what}: it holds no <{record}> elements")


def _checked_root(stream: BinaryIO, record: str, what: str) -> BinaryIO:
    """``stream`` from its start, once its root element is known to be ``<Message>``."""
    head = stream.read(_HEAD)
    if stream.seekable():
        stream.seek(-len(head), io.SEEK_CUR)
    else:
        stream = io.BufferedReader(_Prefixed(head, stream))
    found = _ROOT_TAG.match(head)
    if found:
        tag = local(found.group(1).decode("utf-8", "replace"))
        if ":" in tag:
            tag = tag.rsplit(":", 1)[-1]
        if tag != ROOT:
            raise ReturnFileError(f"this is not {what}: it starts with <{tag}>, not <{ROOT}> "
                                  f"holding <{record}> elements")
    return stream


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream that cannot seek, then the rest of it."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def texts(element: Element) -> dict[str, str]:
    """The element's direct children as tag to stripped text (the last of a repeated tag)."""
    return {child.tag.rpartition("}")[2]: (child.text or "").strip() for child in element}


def children(element: Element, tag: str) -> list[Element]:
    """The element's direct children named ``tag``, namespace or not."""
    return [child for child in element if child.tag.rpartition("}")[2] == tag]
