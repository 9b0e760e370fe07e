"""A marketplace's category tree stored as `Category` rows: one per node, keyed by the marketplace's own id, so the
categories products name when they are ingested are the same rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction

from catalog.models import Category
from suppliers.models import Supplier


class TreeNode(Protocol):
    """A node of a plugin's category tree (the Uzum plugin's `CategoryNode`, say)."""

    category_id: str
    title: str

    @property
    def children(self) -> Sequence[TreeNode]: ...


@dataclass
class TreeStored:
    nodes: int = 0
    created: int = 0
    updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"nodes": self.nodes, "created": self.created, "updated": self.updated}


def category_tree_store(*, supplier: Supplier, roots: Sequence[TreeNode]) -> TreeStored:
    """Create the nodes not stored yet and update those whose name or place changed, a level at a time (parents'
    rows exist before their children's). Nodes the marketplace dropped stay: products may still name them. A node
    id met twice keeps its first place."""
    stored = TreeStored()
    rows = {row.external_id: row for row in Category.objects.filter(supplier=supplier)}
    level: list[tuple[TreeNode, Category | None]] = [(node, None) for node in roots]
    seen: set[str] = set()
    depth = 0
    with transaction.atomic():
        while level:
            new, changed, below = [], [], []
            for node, parent in level:
                if node.category_id in seen:
                    continue
                seen.add(node.category_id)
                row = rows.get(node.category_id)
                fields = _fields(node, parent, depth)
                if row is None:
                    row = rows[node.category_id] = Category(supplier=supplier, external_id=node.category_id, **fields)
                    new.append(row)
                elif _differs(row, fields):
                    for name, value in fields.items():
                        setattr(row, name, value)
                    changed.append(row)
                below += [(child, row) for child in node.children]
            Category.objects.bulk_create(new)
            Category.objects.bulk_update(changed, ["name", "parent", "path", "level"])
            stored.created += len(new)
            stored.updated += len(changed)
            level, depth = below, depth + 1
    stored.nodes = len(seen)
    return stored


def _fields(node: TreeNode, parent: Category | None, depth: int) -> dict[str, Any]:
    name = node.title.strip()[:255]
    path = f"{parent.path} > {name}" if parent is not None else name
    return {"name": name, "parent": parent, "path": path[:1000], "level": depth}


def _differs(row: Category, fields: dict[str, Any]) -> bool:
    parent = fields["parent"]
    return (
        row.name != fields["name"]
        or row.path != fields["path"]
        or row.level != fields["level"]
        or row.parent_id != (parent.pk if parent is not None else None)
    )
