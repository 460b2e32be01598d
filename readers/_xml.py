"""The few XML helpers of the container checks. Parsing is defusedxml's, and only ever of
bytes that ``_inflate`` has already bounded and scanned for a DTD."""

from __future__ import annotations

from typing import TYPE_CHECKING

import defusedxml.ElementTree as SafeET

from readers._inflate import corrupt
from readers.errors import Detail

if TYPE_CHECKING:  # defusedxml parses into the standard library's elements
    from xml.etree.ElementTree import Element


def local(tag: str) -> str:
    """A tag or attribute name without its namespace: writers differ in prefixes."""
    return tag.rsplit("}", 1)[-1]


def attribute(element: Element, local_name: str) -> str | None:
    for key, value in element.attrib.items():
        if local(key) == local_name:
            return value
    return None


def parse(raw: bytes, part: str) -> Element:
    try:
        return SafeET.fromstring(raw)
    except Exception:  # defusedxml's DTD errors are caught by the scan first; this is syntax
        raise corrupt(Detail.MALFORMED_PART, part=part) from None
