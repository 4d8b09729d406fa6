"""What process owners write in a form's `text` and `html` components, and what a page shows of it.

form-js's text component fills its `{{...}}` templates with case data and then reads the result as
Markdown, so a value such as `<a href="https://evil.example">klik</a>` became a live link in a task form.
Here case data never becomes markup:

- the page never receives a `text` component: the server renders its Markdown (a small subset, no HTML)
  itself and sends the result as an `html` component, sanitised with nh3 (Ammonia);
- a template that is a plain path to case data (`{{decision_motivation}}`, `{{municipality.name}}`) is
  filled in by the server, HTML-escaped, after the sanitiser has run, and only where text may stand: a value
  is never put inside a tag (a link's address, an attribute);
- any other template (a field of the same form, which changes as the person types; a FEEL expression; an
  `{{#if}}` or `{{#loop}}` block) is left to form-js's html component, which escapes every value it
  substitutes before its own sanitiser (DOMPurify) runs;
- at deploy, authored HTML that carries behaviour (a script, an event handler, a form of its own, a frame)
  or a template inside a tag is refused with the component and what to change.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt

# The Markdown a text component takes: headings, paragraphs and line breaks, bold and italics, lists,
# quotes, rules, inline code and links. Raw HTML and images are not part of it (refused at deploy).
MARKDOWN_RULES = [
    "heading",
    "emphasis",
    "list",
    "blockquote",
    "hr",
    "backticks",
    "link",
    "autolink",
    "escape",
    "entity",
    "newline",
]
_MARKDOWN = MarkdownIt("zero", {"breaks": True, "html": False}).enable(MARKDOWN_RULES)

TEXT_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "hr", "code", "a"}
)
HTML_TAGS = TEXT_TAGS | frozenset(
    {
        "b",
        "i",
        "u",
        "s",
        "small",
        "sub",
        "sup",
        "span",
        "div",
        "pre",
        "abbr",
        "dl",
        "dt",
        "dd",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"https", "mailto", "tel"})

# Elements that carry behaviour or load something, never formatting: refused at deploy in an html component.
REFUSED_TAGS = {
    "script": "scripts do not run in forms; use form fields and their conditions for behaviour",
    "noscript": "scripts do not run in forms",
    "style": "the app's own styles apply; remove the style element",
    "form": "a task form cannot hold a form of its own (what a person fills in is sent by the task form)",
    "input": "use a form field (textfield, checkbox, ...) instead",
    "button": "use a form field instead; the task form has its own button",
    "select": "use a select field instead",
    "textarea": "use a textarea field instead",
    "option": "use a select or radio field instead",
    "iframe": "frames are not shown in forms",
    "frame": "frames are not shown in forms",
    "frameset": "frames are not shown in forms",
    "object": "embedded objects are not shown in forms",
    "embed": "embedded objects are not shown in forms",
    "applet": "embedded objects are not shown in forms",
    "base": "it would change where the page's links go",
    "meta": "it would change the page itself",
    "link": "it would load something into the page",
    "svg": "use an image component for pictures",
    "math": "it is not shown in forms",
    "template": "it is not shown in forms",
}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "background", "data"}
_SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.I)

_TEMPLATE = re.compile(r"\{\{(.*?)\}\}", re.S)
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
_FEEL_WORDS = frozenset({"true", "false", "null", "this", "parent", "_this_", "_parent_"})
_TOKEN = re.compile("\ue000(\\d+)\ue001")
# A tag as nh3 writes it: every attribute value double-quoted, so a '>' inside a value is inside quotes.
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')
_HTML_IN_TEXT = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>|<!--")
_IMAGE_IN_TEXT = re.compile(r"!\[[^\]]*\]\(")
_LINK_TARGET_TEMPLATE = re.compile(r"\]\([^)]*\{\{|<[a-z][a-z0-9+.-]*:[^>\s]*\{\{", re.I)
# The one place a case value may stand in an address: the query of a link to a page of this app
# (`[Rapportage](/reports/vangnet?year={{evaluation_year}})`), filled in percent-encoded.
_APP_LINK_QUERY_TEMPLATE = re.compile(r"\]\(/(?!/)[^)?{]*\?[^)]*\)")
# A token in a link's address, as Markdown percent-encodes it
_URL_TOKEN = re.compile("%EE%80%80(\\d+)%EE%80%81")
_APP_HREF = re.compile(r'^(<a href=")(/(?!/)[^"?]*\?)([^"]*)(")')


# --- what the page receives -------------------------------------------------------------------------


def safe_schema(schema: dict, data: dict, own_keys=frozenset()) -> dict:
    """A copy of a (localised) form-js schema whose text and html components hold sanitised HTML, with the
    templates that name case data filled in from `data` as text. `own_keys`: the top-level keys of the
    form's own fields, whose templates form-js fills in as the person types."""

    def convert(components):
        result = []
        for component in components or []:
            if not isinstance(component, dict):
                continue
            component = dict(component)
            kind = component.get("type")
            if kind == "text":
                text = component.pop("text", "") or ""
                component.pop("strict", None)
                component["type"] = "html"
                component["content"] = render_text(text, data, own_keys)
            elif kind == "html":
                component["content"] = render_html(component.get("content") or "", data, own_keys)
            if isinstance(component.get("components"), list):
                component["components"] = convert(component["components"])
            result.append(component)
        return result

    copy = dict(schema)
    copy["components"] = convert(schema.get("components"))
    return copy


def render_text(markdown: str, data: dict, own_keys=frozenset()) -> str:
    """A text component's Markdown as safe HTML, its case-data templates filled in as text."""
    protected, templates = _protect(str(markdown))
    rendered = _MARKDOWN.render(protected)
    return _restore(_clean(rendered, TEXT_TAGS), templates, data, own_keys)


def render_html(content: str, data: dict, own_keys=frozenset()) -> str:
    """An html component's content, sanitised, its case-data templates filled in as text."""
    protected, templates = _protect(str(content))
    return _restore(_clean(protected, HTML_TAGS), templates, data, own_keys)


def _clean(markup: str, tags) -> str:
    return nh3.clean(
        markup,
        tags=set(tags),
        attributes={t: set(a) for t, a in ATTRIBUTES.items() if t in tags},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    ).strip()


def _protect(text: str) -> tuple[str, list]:
    """The text with each `{{...}}` replaced by a token that neither Markdown nor the sanitiser touches."""
    templates = []

    def token(match):
        templates.append(match.group(1))
        return f"\ue000{len(templates) - 1}\ue001"

    return _TEMPLATE.sub(token, text.replace("\ue000", "").replace("\ue001", "")), templates


def _restore(markup: str, templates: list, data: dict, own_keys) -> str:
    # A block ({{#if}}, {{#loop}}) gives the templates inside it another meaning: then form-js fills in all.
    blocks = any(t.strip()[:1] in ("#", "/") for t in templates)

    def fill(match):
        expression = templates[int(match.group(1))]
        path = expression.strip()
        if blocks or not _PATH.match(path) or path in _FEEL_WORDS or path.split(".")[0] in own_keys:
            return "{{" + expression + "}}"  # form-js's html component escapes what it substitutes
        return escape_value(_lookup(data, path.split(".")))

    def fill_query(match):
        path = templates[int(match.group(1))].strip()
        if blocks or not _PATH.match(path) or path in _FEEL_WORDS or path.split(".")[0] in own_keys:
            return ""
        return quote(feel_string(_lookup(data, path.split("."))), safe="")

    def in_tag(tag: str) -> str:
        link = _APP_HREF.match(tag)
        if link:  # a link to a page of this app: values only in its query, percent-encoded
            tag = (
                link.group(1)
                + _URL_TOKEN.sub("", link.group(2))
                + _URL_TOKEN.sub(fill_query, link.group(3))
                + tag[len(link.group(1) + link.group(2) + link.group(3)) :]
            )
        return _URL_TOKEN.sub("", _TOKEN.sub("", tag))  # never a value anywhere else inside a tag

    pieces = []
    last = 0
    for tag in _TAG.finditer(markup):
        pieces.append(_TOKEN.sub(fill, markup[last : tag.start()]))
        pieces.append(in_tag(tag.group(0)))
        last = tag.end()
    pieces.append(_TOKEN.sub(fill, markup[last:]))
    return "".join(pieces)


def _lookup(data, parts):
    value = data
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def escape_value(value) -> str:
    """A case value as HTML text: escaped, its braces too (so form-js reads no template in it), its line
    breaks kept."""
    text = html.escape(feel_string(value), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;").replace("\r\n", "\n").replace("\n", "<br>")


def feel_string(value) -> str:
    """A value as FEEL's string() writes it, which is what form-js showed: null is empty, true is 'true',
    48000.0 is '48000'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_feel_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_feel_literal(v)}" for k, v in value.items()) + "}"
    return str(value)


def _feel_literal(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    return feel_string(value)


# --- what a deployment may hold ---------------------------------------------------------------------


def content_problems(schema: dict) -> list[tuple[str, str | None]]:
    """(message, component id) for each text or html component whose authored content is refused."""
    problems = []

    def walk(components):
        for component in components or []:
            if not isinstance(component, dict):
                continue
            ident = component.get("id") or component.get("key")
            if component.get("type") == "text":
                message = text_problem(str(component.get("text") or ""))
                if message:
                    problems.append((f"Text component '{ident}': {message}", ident))
            elif component.get("type") == "html":
                message = html_problem(str(component.get("content") or ""))
                if message:
                    problems.append((f"HTML component '{ident}': {message}", ident))
            walk(component.get("components"))

    walk(schema.get("components"))
    return problems


def text_problem(text: str) -> str | None:
    match = _HTML_IN_TEXT.search(_TEMPLATE.sub("", text))
    if match:
        return (
            f"HTML ('{match.group(0)[:60]}') is not shown in a text component. Write Markdown (### heading, "
            "**bold**, *italic*, - list, [words](https://...)) or use an html component."
        )
    if _IMAGE_IN_TEXT.search(text):
        return "images are not shown in a text component: use an image component."
    if _LINK_TARGET_TEMPLATE.search(_APP_LINK_QUERY_TEMPLATE.sub("]()", text)):
        return (
            "a value from the case cannot be (part of) a link's address: show it as text, or write the address itself."
        )
    return None


def html_problem(content: str) -> str | None:
    scanner = _Scanner()
    try:
        scanner.feed(_TEMPLATE.sub(lambda m: "\ue000" if _inside_tag(content, m.start()) else "", content))
        scanner.close()
    except AssertionError:  # html.parser's answer to markup it cannot read at all
        return "this HTML cannot be read; check its tags."
    return scanner.problem


def _inside_tag(content: str, position: int) -> bool:
    before = content[:position]
    return before.rfind("<") > before.rfind(">")


class _Scanner(HTMLParser):
    """The first thing in authored HTML that carries behaviour, loads something or puts a value in a tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problem = None

    def handle_starttag(self, tag, attrs):
        if self.problem:
            return
        if tag in REFUSED_TAGS:
            if tag == "form":
                action = dict(attrs).get("action")
                where = f"sends to {action}" if action else "sends to this page"
                self.problem = (
                    f"a <form> that {where}: {REFUSED_TAGS[tag]}. Remove the <form> element and what is in it."
                )
            else:
                self.problem = f"<{tag}> is not allowed: {REFUSED_TAGS[tag]}."
            return
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problem = (
                    f'the event handler {name}="..." on <{tag}> is a script; scripts do not run in '
                    "forms. Remove the attribute."
                )
            elif name in _URL_ATTRIBUTES and value and _SCRIPT_URL.match(value):
                self.problem = (
                    f'{name}="{value[:40]}" on <{tag}> is a script or data address; link to an https: page instead.'
                )
            elif "\ue000" in name or (value and "\ue000" in value):
                self.problem = (
                    f"a value from the case inside <{tag}> ({name}=...): case values may appear only "
                    "as text, never in a link's address or another attribute. Move the {{...}} out "
                    "of the tag."
                )
            if self.problem:
                return

    handle_startendtag = handle_starttag
