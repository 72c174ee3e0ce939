"""Categories: a tree by ``parent_id``, shown with its path ('Apparel > Tees').

Products name a category by id or by name/path; ``resolve_category`` finds it or creates the
missing levels. Names are unique (case-insensitively) among live siblings, so a path names one
category. The tree is small (hundreds of rows): it is read whole when paths are needed.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category, Product
from tillpoint.catalog.presenters import category_out
from tillpoint.catalog.schemas import CategoryIn, CategoryOut, CategoryUpdate
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.pagination import PageParams, paginate

PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Node:
    name: str
    parent_id: str | None
    archived: bool


class CategoryTree:
    """Every category of the tenant as (name, parent, archived), for paths and cycle checks."""

    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes

    @classmethod
    async def load(cls, session: AsyncSession) -> "CategoryTree":
        rows = await session.execute(
            select(Category.id, Category.name, Category.parent_id, Category.archived_at)
        )
        return cls({i: Node(n, p, a is not None) for i, n, p, a in rows})

    def add(self, category: Category) -> None:
        self.nodes[category.id] = Node(
            category.name, category.parent_id, category.archived_at is not None
        )

    def ancestors(self, category_id: str | None) -> list[str]:
        """The category and its ancestors, from it up to the root."""
        chain: list[str] = []
        while category_id is not None and category_id in self.nodes and category_id not in chain:
            chain.append(category_id)
            category_id = self.nodes[category_id].parent_id
        return chain

    def path(self, category_id: str) -> str:
        names = [self.nodes[c].name for c in reversed(self.ancestors(category_id))]
        return PATH_SEPARATOR.join(names)

    def child_named(self, parent_id: str | None, name: str) -> str | None:
        wanted = name.casefold()
        for category_id, node in self.nodes.items():
            if node.parent_id == parent_id and not node.archived and node.name.casefold() == wanted:
                return category_id
        return None


def view(tree: CategoryTree, category: Category) -> CategoryOut:
    tree.add(category)
    return category_out(category, tree.path(category.id))


def _check_name(name: str, field: str = "name") -> None:
    if ">" in name:
        raise field_error(field, "a category name cannot contain '>' (it separates path levels)")


def split_path(ref: str, field: str = "category") -> list[str]:
    parts = [part.strip() for part in ref.split(">")]
    if not all(parts):
        raise field_error(field, "a category path is names separated by ' > '")
    if any(len(part) > 200 for part in parts):
        raise field_error(field, "a category name has at most 200 characters")
    return parts


async def get_category(session: AsyncSession, category_id: str) -> Category:
    category = await get_by_id(session, Category, "category", category_id)
    if category is None:
        raise not_found("Category")
    return category


async def find_category(session: AsyncSession, ref: str) -> str | None:
    """The live category an id, name or path names (case-insensitive), or None."""
    if has_prefix(ref, "category"):
        found = await get_by_id(session, Category, "category", ref)
        return found.id if found is not None else None
    tree = await CategoryTree.load(session)
    parent: str | None = None
    for name in split_path(ref):
        parent = tree.child_named(parent, name)
        if parent is None:
            return None
    return parent


async def resolve_category(
    session: AsyncSession,
    principal: Principal,
    ref: str,
    *,
    field: str = "category",
    tree: CategoryTree | None = None,
) -> str:
    """The id of the category ``ref`` ('Apparel' or 'Apparel > Tees') names, creating the
    missing levels (each with a ``category.created`` event). Pass a loaded ``tree`` to resolve
    many refs with one read (it is kept up to date with what is created)."""
    if tree is None:
        tree = await CategoryTree.load(session)
    parent: str | None = None
    for name in split_path(ref, field):
        found = tree.child_named(parent, name)
        if found is None:
            category = Category(
                tenant_id=principal.tenant_id, id=new_id("category"), name=name, parent_id=parent
            )
            session.add(category)
            await session.flush()
            _record(session, "category.created", view(tree, category))
            found = category.id
        parent = found
    assert parent is not None
    return parent


async def live_category_id(session: AsyncSession, category_id: str, field: str) -> str:
    """A ``categoryId`` from a request: it must name a live category (400 otherwise)."""
    category = await get_by_id(session, Category, "category", category_id)
    if category is None or category.archived_at is not None:
        raise field_error(field, f"no category {category_id}")
    return category.id


async def list_categories(
    session: AsyncSession,
    params: PageParams,
    *,
    parent_id: str | None,
    include_archived: bool,
) -> tuple[list[CategoryOut], int]:
    stmt = params.filter_updated(select(Category), Category.updated_at)
    if parent_id is not None:
        stmt = stmt.where(Category.parent_id == parent_id)
    if not include_archived:
        stmt = stmt.where(Category.archived_at.is_(None))
    rows, total = await paginate(
        session,
        stmt,
        Category.position,
        Category.name,
        Category.id,
        offset=params.offset,
        limit=params.page_size,
    )
    tree = await CategoryTree.load(session) if rows else CategoryTree({})
    return [view(tree, row) for row in rows], total


async def category_view(session: AsyncSession, category: Category) -> CategoryOut:
    return view(await CategoryTree.load(session), category)


async def create_category(
    session: AsyncSession, principal: Principal, data: CategoryIn
) -> CategoryOut:
    _check_name(data.name)
    tree = await CategoryTree.load(session)
    if data.parent_id is not None:
        node = tree.nodes.get(data.parent_id)
        if node is None or node.archived or not has_prefix(data.parent_id, "category"):
            raise field_error("parentId", f"no category {data.parent_id}")
    if tree.child_named(data.parent_id, data.name) is not None:
        raise AppError(
            "ALREADY_EXISTS",
            details=[{"field": "name", "message": "a category here has this name"}],
        )
    category = Category(
        tenant_id=principal.tenant_id,
        id=new_id("category"),
        name=data.name,
        parent_id=data.parent_id,
        position=data.position,
    )
    session.add(category)
    await session.flush()
    out = view(tree, category)
    _record(session, "category.created", out)
    return out


async def update_category(
    session: AsyncSession, category_id: str, data: CategoryUpdate
) -> CategoryOut:
    category = await get_category(session, category_id)
    check_version(category, data.version)
    if data.parent_id is not None and data.to_root:
        raise field_error("parentId", "give parentId or toRoot, not both")
    tree = await CategoryTree.load(session)
    if data.archived and category.archived_at is None:
        # Before any assignment: its query must not autoflush half an update.
        await _check_can_archive(session, category)
    parent_id = None if data.to_root else (data.parent_id or category.parent_id)
    if parent_id != category.parent_id:
        node = tree.nodes.get(parent_id or "")
        if parent_id is not None and (node is None or node.archived):
            raise field_error("parentId", f"no category {parent_id}")
        if category.id in tree.ancestors(parent_id):
            raise field_error("parentId", "a category cannot move under itself or its subcategory")
        category.parent_id = parent_id
    if data.name is not None:
        _check_name(data.name)
        category.name = data.name
    if data.position is not None:
        category.position = data.position
    event = "category.updated"
    if data.archived is False and category.archived_at is not None:
        if parent_id is not None and tree.nodes[parent_id].archived:
            raise field_error("archived", "restore its parent category first")
        category.archived_at = None
    elif data.archived and category.archived_at is None:
        category.archived_at = utcnow()
        event = "category.archived"
    clash = tree.child_named(category.parent_id, category.name)
    if category.archived_at is None and clash not in (None, category.id):
        raise AppError(
            "ALREADY_EXISTS",
            details=[{"field": "name", "message": "a category here has this name"}],
        )
    if unchanged(session, category):
        return view(tree, category)
    await session.flush()
    out = view(tree, category)
    _record(session, event, out)
    return out


async def archive_category(session: AsyncSession, category_id: str) -> CategoryOut:
    """Archive a category that has no live subcategory and no live product (409 otherwise)."""
    category = await get_category(session, category_id)
    if category.archived_at is None:
        await _check_can_archive(session, category)
        category.archived_at = utcnow()
        await session.flush()
        out = await category_view(session, category)
        _record(session, "category.archived", out)
        return out
    return await category_view(session, category)


async def _check_can_archive(session: AsyncSession, category: Category) -> None:
    child = select(Category.id).where(
        Category.parent_id == category.id, Category.archived_at.is_(None)
    )
    product = select(Product.id).where(
        Product.category_id == category.id, Product.archived_at.is_(None)
    )
    if (await session.execute(child.limit(1))).first() is not None:
        raise AppError("CONFLICT", "Archive or move its subcategories first.")
    if (await session.execute(product.limit(1))).first() is not None:
        raise AppError("CONFLICT", "Archive or move its products first.")


def _record(session: AsyncSession, event_type: str, out: CategoryOut) -> None:
    data = out.model_dump(mode="json", by_alias=True)
    record_event(session, event_type, data, subject_id=out.category_id)
