"""The mails themselves: plain text and HTML (multipart/alternative), in the recipient's language.

A mail shows the task's name, the case's business key, the municipality and the due date, and links to the
task. That is all: e-mail leaves our systems unencrypted, so nothing of what was reported (names, addresses,
descriptions, any case variable) is ever put in one (docs/notifications.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from ..identity.municipalities import municipality_name
from .models import ASSIGNED, CASE_NEWS, DUE_TOMORROW, NEW_TASK, OVERDUE

BILINGUAL_SEPARATOR = " / "


@dataclass(frozen=True)
class Line:
    """The safe facts of one notification."""

    kind: str
    task_id: str | None
    task_name: str
    business_key: str
    municipality_code: str | None
    due_at: datetime | None


def _in_language(text: str, language: str) -> str:
    """'Triage / Triage': a model's bilingual name, the part of the language (as the web app shows it)."""
    if text.count(BILINGUAL_SEPARATOR) != 1:
        return text
    dutch, english = (part.strip() for part in text.split(BILINGUAL_SEPARATOR))
    if not dutch or not english:
        return text
    return english if language == "en" else dutch


def _headline(kind: str) -> str:
    return {
        NEW_TASK: _("A new task for your role"),
        ASSIGNED: _("A task was assigned to you"),
        DUE_TOMORROW: _("A task is due tomorrow"),
        OVERDUE: _("A task is overdue"),
        CASE_NEWS: _("News on a case you worked on"),
    }[kind]


def _facts(line: Line, language: str, base_url: str) -> list[tuple[str, str]]:
    facts = [(_("Task"), _in_language(line.task_name, language)), (_("Case"), line.business_key)]
    if line.municipality_code:
        facts.append((_("Municipality"), municipality_name(line.municipality_code) or line.municipality_code))
    if line.due_at is not None:
        facts.append((_("Due"), format_datetime(line.due_at, "d MMMM y, HH:mm")))
    if line.task_id:
        facts.append((_("Open the task"), task_link(base_url, line.task_id)))
    return facts


def task_link(base_url: str, task_id: str) -> str:
    return f"{base_url.rstrip('/')}/tasks/{task_id}"


def _text_block(facts) -> str:
    return "\n".join(f"{label}: {value}" for label, value in facts)


def _html_block(facts) -> str:
    rows = []
    for label, value in facts:
        shown = escape(value)
        if value.startswith(("http://", "https://")):
            shown = f'<a href="{escape(value)}">{escape(value)}</a>'
        rows.append(
            f'<tr><th scope="row" style="text-align:left;padding-right:1em">{escape(label)}</th><td>{shown}</td></tr>'
        )
    return "<table>" + "".join(rows) + "</table>"


def build(
    lines: list[Line], language: str, *, to: str, sender: str, base_url: str, digest: bool = False
) -> EmailMessage:
    """One mail: a single notification, or the daily digest of several."""
    with force_locale(language if language in ("nl", "en") else "nl"):
        if digest:
            subject = _("Vangnet: %(num)d notifications of today", num=len(lines))
            heading = _("Your daily overview")
        else:
            subject = _(
                "Vangnet: %(headline)s (%(case)s)", headline=_headline(lines[0].kind), case=lines[0].business_key
            )
            heading = _headline(lines[0].kind)
        blocks = [(_headline(line.kind) if digest else None, _facts(line, language, base_url)) for line in lines]
        footer = _(
            "This mail holds no case data: open the link and sign in to read the case. You can change "
            "which mails you get under Account, Notifications."
        )
    text = [heading, ""]
    html = [f'<h1 style="font-size:1.2em">{escape(heading)}</h1>']
    for title, facts in blocks:
        if title:
            text.append(title)
            html.append(f'<h2 style="font-size:1em">{escape(title)}</h2>')
        text.extend([_text_block(facts), ""])
        html.append(_html_block(facts))
    text.append(footer)
    html.append(f"<p>{escape(footer)}</p>")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message.set_content("\n".join(text))
    message.add_alternative(
        f'<!doctype html><html lang="{language}"><body>{"".join(html)}</body></html>', subtype="html"
    )
    return message
