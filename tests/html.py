"""A small HTML reader for page tests: errors shown next to a form control, labels, values.

Built on the standard library's parser so that tests need no extra package; the check the
permission walks make on every page they are shown reads the page with lxml (a dependency of the
portal's), about ten times faster on the largest forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import lxml.html

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self) -> list[Node]:
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found.extend(child.iter())
        return found


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    return builder.root


def by_id(root: Node, element_id: str) -> Node | None:
    return next((n for n in root.iter() if n.attrs.get("id") == element_id), None)


def errors_next_to(html: str | bytes, control_id: str) -> list[str]:
    """The error messages shown in the form field that holds the control `control_id`.

    For a list of checkboxes give the field's id (`id_themes`): its first box is used.
    """
    root = parse(html)
    control = by_id(root, control_id) or by_id(root, f"{control_id}_0")
    if control is None:
        raise AssertionError(f"No form control with id {control_id!r} on the page.")
    container: Node | None = control
    while container is not None and "field" not in container.classes:
        container = container.parent
    if container is None:
        raise AssertionError(f"The control {control_id!r} is not inside a .field element.")
    return [
        li.text()
        for errorlist in container.iter()
        if "errorlist" in errorlist.classes
        for li in errorlist.iter()
        if li.tag == "li"
    ]


def all_errors(html: str | bytes) -> list[str]:
    """Every message in an error list on the page."""
    return [
        li.text()
        for node in parse(html).iter()
        if "errorlist" in node.classes
        for li in node.iter()
        if li.tag == "li"
    ]


def input_value(html: str | bytes, name: str) -> str | None:
    node = next((n for n in parse(html).iter() if n.attrs.get("name") == name), None)
    if node is None:
        return None
    if node.tag == "textarea":
        return node.text()
    return node.attrs.get("value")


def post_forms_without_csrf_token(html: str | bytes) -> list[str]:
    """The action of every POST form on the page that carries no csrfmiddlewaretoken."""
    missing = []
    for form in lxml.html.document_fromstring(html).iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        names = {node.get("name") for node in form.iter("input")}
        if "csrfmiddlewaretoken" not in names:
            missing.append(form.get("action", "(this page)"))
    return missing
