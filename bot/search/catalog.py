"""The items an engine answers from, by position: a list in memory, or (from the knowledge
layer) a view of the store that reads an item only when it is a candidate, so that a large
knowledge base is not held in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import overload

from .items import Item
from .prepared import Prepared, prepare


class Catalog(Sequence[Item]):
    """Items by position (``doc``), each with its :class:`Prepared` form."""

    keys: Sequence[str]
    """Item keys by position, cheap to hold for every item."""

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, doc: int) -> Item: ...

    @overload
    def __getitem__(self, doc: slice) -> list[Item]: ...

    def __getitem__(self, doc: int | slice) -> Item | list[Item]:
        if isinstance(doc, slice):
            return [self.item(d) for d in range(len(self))[doc]]
        return self.item(doc + len(self) if doc < 0 else doc)

    def item(self, doc: int) -> Item:
        raise NotImplementedError

    def prepared(self, doc: int) -> Prepared:
        raise NotImplementedError

    def doc(self, key: str) -> int | None:
        """The position of an item, if it exists."""
        raise NotImplementedError

    def fetch(self, docs: Iterable[int]) -> None:
        """A hint that these items are about to be read: a stored catalog reads them at once."""


class ItemList(Catalog):
    """Items held in memory, prepared when the list is made."""

    def __init__(self, items: Sequence[Item]) -> None:
        self._items = list(items)
        self._prepared = [prepare(item) for item in self._items]
        self.keys = [item.key for item in self._items]
        self._docs = {key: doc for doc, key in enumerate(self.keys)}

    def item(self, doc: int) -> Item:
        return self._items[doc]

    def prepared(self, doc: int) -> Prepared:
        return self._prepared[doc]

    def doc(self, key: str) -> int | None:
        return self._docs.get(key)
