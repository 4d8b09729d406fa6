"""Helpers shared by the page modules: templates' context, asset URLs, form pages."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app, url_for
from flask_babel import format_date, format_datetime, format_decimal

from ...forms.content import safe_schema
from ...forms.formjs import FormDefinition
from ...identity.municipalities import municipality_label
from ...identity.roles import ROLES
from ...core.timeutil import utcnow
from ..blueprint import bp
from ..i18n import LANGUAGES, _, language, localise_schema, message_table, number_texts, pick
from ...identity.oidc import client as oidc_client
from ...identity.auth import current_user

STATIC = Path(__file__).resolve().parent.parent / "static"


def asset_url(name: str) -> str:
    """A static file's URL with its modification time, so browsers fetch a rebuilt bundle at once."""
    path = STATIC / name
    version = int(path.stat().st_mtime) if path.exists() else 0
    return url_for("web.static", filename=name, v=version)


def assets_built() -> bool:
    return (STATIC / "dist" / "task-form.js").exists()


def role_label(role: str) -> str:
    text = ROLES.get(role, role)
    return pick(text) if " / " in text else text


@bp.app_template_filter("dt")
def _format_dt(value, fmt: str = "medium"):
    return format_datetime(value, fmt) if value else ""


@bp.app_template_filter("d")
def _format_d(value, fmt: str = "medium"):
    return format_date(value, fmt) if value else ""


@bp.app_template_filter("number")
def _format_number(value):
    return format_decimal(value)


@bp.app_template_filter("municipality")
def _municipality(code):
    return municipality_label(code)


def _document_categories() -> dict:
    """The document categories (engine/documents/categories.py) as a reader names them."""
    return {
        "algemeen": _("General"),
        "politieadvies": _("Police advice"),
        "aangifte": _("Criminal complaint"),
        "driehoek": _("Local triangle (mayor, police, prosecutor)"),
        "kosten": _("Costs (quotes, invoices)"),
        "ondersteuning": _("Support (IVP)"),
    }


@bp.app_template_filter("document_category")
def _document_category(value):
    return _document_categories().get(value, value)


@bp.app_template_filter("pick")
def _pick(value):
    return pick(value)


@bp.app_template_filter("role")
def _role(value):
    return role_label(value)


@bp.app_context_processor
def _context():
    return {
        "current_user": current_user(),
        "languages": LANGUAGES,
        "lang": language(),
        "asset_url": asset_url,
        "assets_built": assets_built(),
        "oidc_enabled": oidc_client() is not None,
        "oidc_label": current_app.config.get("VB_OIDC_LABEL") or "",
        "now": utcnow(),
        "theme_class": current_app.config.get("VB_THEME_CLASS") or "",
        "theme_css": bool(current_app.config.get("VB_THEME_CSS")),
    }


def form_config(schema: dict, data: dict, errors: dict | None, read_only: bool = False) -> dict:
    """What the form island needs: the schema in the current language, the values, the server's errors.
    Its text and html components arrive as sanitised HTML with the case values in them as text
    (engine/forms/content.py): case data never becomes markup, whatever form-js does with a text."""
    own_keys = FormDefinition.from_schema(schema).top_level_keys
    return {
        "schema": _server_checked(safe_schema(localise_schema(schema), data, own_keys)),
        "data": data,
        "errors": errors or {},
        "messages": message_table(),
        "numbers": number_texts(),
        "ui": {
            "Select": _("Choose…"),
            "Search": _("Search"),
            "Increment": _("Increase"),
            "Decrement": _("Decrease"),
            "Add new": _("Add a row"),
            "Remove list item {n}": _("Remove row {n}"),
            # the year in a date field's format placeholder (dd-mm-yyyy)
            "yyyy": _("yyyy"),
        },
        "read_only": read_only,
    }


def _server_checked(schema: dict) -> dict:
    """The schema without form-js's phone check, which knows only the international notation and refuses the
    "06 12345678" that every Dutch handler types; the server reads the usual notations (engine/forms/phone.py)
    and answers with an example when it cannot."""

    def convert(components):
        result = []
        for component in components or []:
            if isinstance(component, dict):
                validate = component.get("validate")
                if isinstance(validate, dict) and validate.get("validationType") == "phone":
                    component = {**component, "validate": {k: v for k, v in validate.items() if k != "validationType"}}
                if isinstance(component.get("components"), list):
                    component = {**component, "components": convert(component["components"])}
            result.append(component)
        return result

    return {**schema, "components": convert(schema.get("components"))}


def error_summary(schema: dict, errors: dict) -> list:
    """[(label, message)] for the summary above a refused form, labelled as the form labels its fields."""
    labels = {}

    def walk(components, prefix=""):
        for component in components or []:
            if component.get("type") in ("group", "dynamiclist"):
                path = component.get("path") or ""
                walk(component.get("components"), f"{prefix}{path}." if path else prefix)
            elif component.get("key"):
                labels[prefix + component["key"]] = pick(
                    component.get("label")
                    or component.get("dateLabel")
                    or component.get("timeLabel")
                    or component["key"]
                )

    walk(schema.get("components"))
    summary = []
    for key, messages in errors.items():
        plain = re.sub(r"\[\d+\]", "", key)
        for message in messages:
            summary.append((labels.get(plain, key), message))
    return summary
