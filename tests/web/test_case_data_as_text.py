"""Case data never becomes markup: the server renders a form's text and html components itself, with the
case values in them escaped, so the page is safe whatever form-js does with a text (engine/forms/content.py).
The same payloads in Chromium: tests/web/test_case_data_as_text_browser.py."""

from __future__ import annotations

import io
import json
import re

import sqlalchemy as sa

from engine.app.cli import deploy_folders
from engine.db.extensions import db
from engine.forms.content import content_problems, render_html, render_text, safe_schema
from engine.identity.actor import Actor
from engine.identity.service import get_user
from engine.cases.service import start_case
from engine.instances.task_rows import HumanTask
from tests.support.api import FIXTURES

PAYLOAD = '<a href="https://evil.example/login">klik</a><img src=x onerror=alert(1)>'


def _config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="form-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def _markup_of(config) -> str:
    return "\n".join(c.get("content", "") for c in config["schema"]["components"])


def test_a_case_value_in_a_text_template_arrives_escaped():
    html = render_text(
        "### Besluit\n{{decision_motivation}}", {"decision_motivation": PAYLOAD + "\n**vet** [x](https://evil.example)"}
    )
    assert "<a " not in html and "<img" not in html and "<strong>" not in html
    assert (
        "&lt;a href=&quot;https://evil.example/login&quot;&gt;klik&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )
    assert "**vet** [x](https://evil.example)" in html  # its Markdown is text too
    assert html.startswith("<h3>Besluit</h3>")


def test_a_case_value_cannot_become_a_template_or_an_attribute():
    html = render_text("{{a}} [link](https://example.org/{{a}})", {"a": "{{secret}}"})
    assert "{{" not in html and "&#123;&#123;secret&#125;&#125;" in html
    assert 'href="https://example.org/"' in html or "secret" not in html.split("href")[1]
    assert render_html('<abbr title="{{a}}">x</abbr>', {"a": "waarde"}) == '<abbr title="">x</abbr>'


def test_authored_markup_is_sanitised_and_only_a_small_markdown_is_read():
    html = render_html(
        '<p onclick="steal()">Hallo</p><form action="https://evil.example"><input name="a"></form>'
        '<script>alert(1)</script><a href="javascript:alert(1)">x</a><a href="https://bzk.nl">y</a>',
        {},
    )
    assert html == (
        '<p>Hallo</p><a rel="noopener noreferrer">x</a><a href="https://bzk.nl" rel="noopener noreferrer">y</a>'
    )
    text = render_text("**vet** *schuin*\n- een\n\n<b>rauw</b> ![beeld](https://evil.example/x.png)", {})
    assert "<strong>vet</strong> <em>schuin</em>" in text and "<li>een</li>" in text
    assert "&lt;b&gt;rauw&lt;/b&gt;" in text and "<img" not in text


def test_templates_of_the_form_itself_and_blocks_are_left_to_form_js():
    schema = {
        "components": [
            {"type": "text", "id": "t1", "text": "{{note}} {{case_value}}"},
            {"type": "text", "id": "t2", "text": "{{#if x}}{{case_value}}{{/if}}"},
            {"type": "group", "components": [{"type": "html", "id": "h", "content": "<p>{{case_value}}</p>"}]},
        ]
    }
    safe = safe_schema(schema, {"case_value": "<b>x</b>", "note": "oud"}, own_keys={"note"})
    first, second, group = safe["components"]
    assert first == {"type": "html", "id": "t1", "content": "<p>{{note}} &lt;b&gt;x&lt;/b&gt;</p>"}
    assert second["content"] == "<p>{{#if x}}{{case_value}}{{/if}}</p>"  # form-js's html escapes these
    assert group["components"][0]["content"] == "<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert schema["components"][0]["type"] == "text"  # the deployed schema is untouched


def test_the_task_page_carries_the_payload_as_text_only(app, browser_for):
    with app.app_context():
        deploy_folders([FIXTURES / "case_text"], actor="test")
        case = start_case(
            "case_text",
            {"summary": PAYLOAD, "municipality_code": "GM0668", "motivation": PAYLOAD},
            Actor.for_user(get_user("gemeente.westbetuwe")),
        )
        task_id = db.session.scalar(sa.select(HumanTask.id).where(HumanTask.instance_id == case.id))
    client = browser_for("gemeente.westbetuwe")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    config = _config(page)
    assert {c["type"] for c in config["schema"]["components"]} == {"html", "textfield"}
    markup = _markup_of(config)
    assert "evil.example" in markup and "<a " not in markup and "<img" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert config["data"]["motivation"] == PAYLOAD  # the value itself is unchanged, for the fields

    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'href="https://evil.example' not in case_page and "<img src=x" not in case_page
    assert "&lt;a href=&#34;https://evil.example/login&#34;&gt;klik&lt;/a&gt;" in case_page
    inbox = client.get("/").get_data(as_text=True)
    assert 'href="https://evil.example' not in inbox


def _deploy(owner, name, content):
    return owner.post(
        "/api/v1/deployments", data={"files": (io.BytesIO(content.encode()), name)}, content_type="multipart/form-data"
    )


def _form(*components):
    return json.dumps(
        {
            "id": "probe_form",
            "type": "default",
            "components": [{"type": "textfield", "key": "a", "label": "A"}, *components],
        },
        indent=2,
    )


def test_an_authored_form_with_an_external_form_action_or_a_script_is_refused_at_deploy(as_user):
    owner = as_user("procesbeheerder")
    cases = {
        '<p>Log in</p><form action="https://evil.example/login"><input name="pw"></form>': (
            "a <form> that sends to https://evil.example/login",
            "Remove the <form> element",
        ),
        "<p>Hallo</p><script>fetch('/api/v1/process-instances')</script>": ("<script> is not allowed", "scripts"),
        '<img src="x" onerror="alert(1)">': ('event handler onerror="..." on <img>', "Remove the attribute"),
        '<a href="javascript:alert(1)">klik</a>': ('href="javascript:alert(1)"', "https: page"),
        '<a href="https://example.org/?q={{home_address}}">klik</a>': (
            "a value from the case inside <a>",
            "only as text",
        ),
    }
    for content, expected in cases.items():
        form = _form({"type": "html", "id": "Html_probe", "content": content})
        refused = _deploy(owner, "probe.form", form)
        assert refused.status_code == 422, content
        problem = refused.get_json()["errors"][0]
        line = next(n for n, text in enumerate(form.splitlines(), 1) if '"id": "Html_probe"' in text)
        assert problem["element_id"] == "Html_probe" and problem["line"] == line, problem
        assert problem["message"].startswith("HTML component 'Html_probe': ")
        assert all(part in problem["message"] for part in expected), problem["message"]

    text = _deploy(owner, "probe.form", _form({"type": "text", "id": "Text_probe", "text": "Zie <b>hier</b>"}))
    assert text.status_code == 422
    assert "Write Markdown" in text.get_json()["errors"][0]["message"]
    assert (
        _deploy(
            owner,
            "probe.form",
            _form(
                {"type": "text", "id": "Text_probe", "text": "**Zie** {{a}}"},
                {"type": "html", "id": "Html_ok", "content": "<p>{{a}}</p>"},
            ),
        ).status_code
        == 201
    )


def test_the_project_forms_pass_the_content_checks():
    from tests.support.api import PROJECT

    for path in sorted((PROJECT / "forms").glob("*.form")):
        assert content_problems(json.loads(path.read_text())) == [], path.name


def test_a_case_value_in_the_query_of_a_link_to_this_app_is_percent_encoded():
    from engine.forms.content import render_text, text_problem

    link = "[Rapportage](/reports/vangnet?year={{evaluation_year}})"
    assert text_problem(link) is None
    shown = render_text(link, {"evaluation_year": '2025"><img src=x onerror=alert(1)>'})
    assert 'href="/reports/vangnet?year=2025%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"' in shown
    assert "<img" not in shown
    for refused in (
        "[R](https://evil.example/?q={{y}})",
        "[R](//evil.example/?q={{y}})",
        "[R](/x/{{y}}?a=1)",
        "[R]({{y}})",
    ):
        assert text_problem(refused), refused
