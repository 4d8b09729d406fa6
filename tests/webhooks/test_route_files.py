"""Route files: the repository's own, and every mistake a process owner can make, caught at start-up."""

import textwrap

import pytest

from engine import create_app
from engine.webhooks import WebhookConfigError
from engine.webhooks.events import load_domain_events
from engine.webhooks.route_files import RouteFileError, load_routes
from tests.support.api import PROJECT

GOOD = """
source: politie
secret_env: VB_WEBHOOK_SECRET_POLITIE
events:
  aangifte.geregistreerd:
    message:
      name: aangifte_geregistreerd
      correlation_key: /data/zaakreferentie
      variables: {police_registration_number: data.registratienummer, sent_at: /timestamp}
    schema:
      type: object
      required: [zaakreferentie]
      properties:
        zaakreferentie: {type: string}
        registratienummer: {type: string}
        details: {type: object, properties: {eenheid: {type: string}}}
"""


def problems_of(tmp_path, text, name="politie.yaml"):
    (tmp_path / name).write_text(textwrap.dedent(text))
    with pytest.raises(RouteFileError) as info:
        load_routes(tmp_path)
    return info.value.problems


def test_the_repository_route_files_load_with_the_agreed_names():
    table = load_routes(PROJECT / "webhooks")
    routes = {(s, e): r for s, source in table.sources.items() for e, r in source.events.items()}
    assert {key: (r.action, r.target) for key, r in routes.items()} == {
        ("politie", "melding.geregistreerd"): ("start", "threat_response"),
        ("politie", "aangifte.geregistreerd"): ("message", "aangifte_geregistreerd"),
        ("politie", "dreigingsinschatting.gereed"): ("message", "dreigingsinschatting_gereed"),
        ("om", "beslissing.genomen"): ("message", "om_beslissing_genomen"),
        ("ivp", "aanmelding.ontvangen"): ("start", "ivp_support"),
        ("ivp", "contact.bevestigd"): ("message", "ivp_eerste_contact"),
        ("bzk", "tegemoetkoming.besloten"): ("message", "bzk_besluit_tegemoetkoming"),
    }
    for route in routes.values():
        if route.action == "message":
            assert str(route.correlation_key) == "/data/zaakreferentie"
    assert {s.secret_env for s in table.sources.values()} == {
        "VB_WEBHOOK_SECRET_POLITIE",
        "VB_WEBHOOK_SECRET_OM",
        "VB_WEBHOOK_SECRET_IVP",
        "VB_WEBHOOK_SECRET_BZK",
    }
    assert "compensation.decided" in load_domain_events(PROJECT / "webhooks")


def test_a_good_file_loads(tmp_path):
    (tmp_path / "politie.yaml").write_text(GOOD)
    route = load_routes(tmp_path).get("politie").events["aangifte.geregistreerd"]
    payload = {
        "type": "aangifte.geregistreerd",
        "timestamp": "2026-01-01T00:00:00Z",
        "data": {"zaakreferentie": "VB-1", "registratienummer": "R1"},
    }
    assert route.correlation_key.resolve(payload) == "VB-1"
    assert {k: p.resolve(payload) for k, p in route.variables.items()} == {
        "police_registration_number": "R1",
        "sent_at": "2026-01-01T00:00:00Z",
    }


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            (
                "{police_registration_number: data.registratienummer, sent_at: /timestamp}",
                "{police_registration_number: data.registratienummer, sent_at: /timestamp",
            ),
            "not valid YAML",
        ),
        (
            ("secret_env: VB_WEBHOOK_SECRET_POLITIE", "secret_env: DATABASE_URL"),
            "secret_env: must be VB_WEBHOOK_SECRET_POLITIE",
        ),
        (("source: politie", "source: om"), "source: 'om' must equal the file name (politie)"),
        (("    message:", "    start: {process: threat_response}\n    message:"), "give either 'start' or 'message'"),
        (("      variables: {", "      varables: {"), "unknown key(s)"),
        (
            ("data.registratienummer", "data.registratienr"),
            "'data.registratienr' is not declared in the event's schema",
        ),
        (("required: [zaakreferentie]", "required: []"), "'/data/zaakreferentie' must be listed as required"),
        (("zaakreferentie: {type: string}", "zaakreferentie: {type: text}"), "not a valid JSON Schema"),
        (("      type: object\n      required", "      type: array\n      required"), "write 'type: object'"),
        (("/data/zaakreferentie", "/data//zaakreferentie"), "has an empty segment"),
        (("police_registration_number:", "business_key:"), "'business_key' is set by the engine"),
        (("name: aangifte_geregistreerd", "name: aangifte geregistreerd"), "is not a message name"),
        (("aangifte.geregistreerd:", "Aangifte:"), "an event type is lower-case words joined by dots"),
        (("sent_at: /timestamp", "sent_at: /meta/x"), "must point into the payload's data"),
    ],
)
def test_each_mistake_is_reported_with_its_place(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    problems = problems_of(tmp_path, GOOD.replace(old, new, 1))
    assert any(expected in p and p.startswith("politie.yaml:") for p in problems), problems


def test_a_key_written_twice_is_an_error(tmp_path):
    twice = GOOD + GOOD[GOOD.index("  aangifte.geregistreerd:") :]
    problems = problems_of(tmp_path, twice)
    assert "'aangifte.geregistreerd' is written twice" in problems[0] and "line 17" in problems[0]


def test_every_problem_of_every_file_is_reported_at_once(tmp_path):
    (tmp_path / "om.yaml").write_text("source: om\nevents: {}\n")
    problems = problems_of(tmp_path, GOOD.replace("data.registratienummer", "data.nope"))
    assert any(p.startswith("om.yaml:") for p in problems) and any(p.startswith("politie.yaml:") for p in problems)


def test_the_app_does_not_start_with_a_broken_route_file(tmp_path, database_url):
    (tmp_path / "politie.yaml").write_text(GOOD.replace("/data/zaakreferentie", "/data/zaak"))
    with pytest.raises(RouteFileError, match="politie.yaml: events.aangifte.geregistreerd.message.correlation_key"):
        create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_WEBHOOKS_DIR": str(tmp_path)}
        )


def test_the_app_does_not_start_with_a_malformed_secret(tmp_path, database_url, monkeypatch):
    (tmp_path / "politie.yaml").write_text(GOOD)
    monkeypatch.setenv("VB_WEBHOOK_SECRET_POLITIE", "whsec_c2VjcmV0 not-base64!")
    with pytest.raises(WebhookConfigError, match="VB_WEBHOOK_SECRET_POLITIE"):
        create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url, "VB_AUTO_MIGRATE": False, "VB_WEBHOOKS_DIR": str(tmp_path)}
        )


def test_domain_event_mistakes_are_reported(tmp_path):
    (tmp_path / "outbound").mkdir()
    (tmp_path / "outbound" / "events.yaml").write_text(
        textwrap.dedent("""
        events:
          task.created: {when: {message: x}}
          compensation.decided: {when: {message: a, element: b}}
          prosecution.decided: {when: {message: om_beslissing_genomen}, facts: [om decision]}
    """)
    )
    with pytest.raises(RouteFileError) as info:
        load_domain_events(tmp_path)
    assert any("when" in p for p in info.value.problems), info.value.problems
    (tmp_path / "outbound" / "events.yaml").write_text(
        textwrap.dedent("""
        events:
          task.created: {when: {message: x}}
          prosecution.decided: {when: {message: om_beslissing_genomen}, facts: [om decision]}
    """)
    )
    with pytest.raises(RouteFileError) as info:
        load_domain_events(tmp_path)
    assert any("events.task.created: choose" in p for p in info.value.problems)
    assert any("not variable names: om decision" in p for p in info.value.problems)


def test_webhooks_check_shows_what_the_deployed_processes_catch(app, deploy_fixture):
    deploy_fixture("webhooks")  # the stand-in: it catches every message, but has none of the real elements
    result = app.test_cli_runner().invoke(args=["webhooks-check"])
    assert result.exit_code == 0, result.output
    assert "politie: 3 event types, secret set" in result.output
    assert "[ok] politie melding.geregistreerd: starts threat_response v1" in result.output
    assert (
        "[ok] bzk tegemoetkoming.besloten: message bzk_besluit_tegemoetkoming caught by threat_response v1 (wait_compensation)"
        in result.output
    )
    route_lines = [
        line for line in result.output.splitlines() if line.strip().startswith("[") and "outbound" not in line
    ]
    # the IVP's intake starts a process the stand-in does not have
    assert "[warning] ivp aanmelding.ontvangen: starts 'ivp_support', which is not deployed" in result.output
    route_lines = [line for line in route_lines if "aanmelding.ontvangen" not in line]
    assert len(route_lines) == 6 and all("[ok]" in line for line in route_lines), result.output
    assert (
        "[warning] outbound compensation.decided: no deployed process threat_response has element "
        "'decision_reached': the event never fires" in result.output
    )
    assert app.test_cli_runner().invoke(args=["webhooks-check", "--strict"]).exit_code == 1


START_WITH_CONSTANTS = """
source: politie
secret_env: VB_WEBHOOK_SECRET_POLITIE
events:
  melding.geregistreerd:
    start:
      process: threat_response
      variables: {office_holder_role: /data/ambt}
      constants: {reporter_is_office_holder: false, channel: bij_politie, tags: [politie]}
    schema:
      type: object
      required: [ambt]
      properties: {ambt: {type: string}}
"""


def test_a_route_sets_constants_besides_the_payload_values(tmp_path):
    from engine.webhooks.inbound import variables_of

    (tmp_path / "politie.yaml").write_text(START_WITH_CONSTANTS)
    route = load_routes(tmp_path).get("politie").events["melding.geregistreerd"]
    payload = {"type": "melding.geregistreerd", "data": {"ambt": "wethouder"}}
    assert variables_of(route, payload) == {
        "office_holder_role": "wethouder",
        "reporter_is_office_holder": False,
        "channel": "bij_politie",
        "tags": ["politie"],
    }
    variables_of(route, payload)["tags"].append("changed")  # each delivery gets its own copy
    assert route.constants["tags"] == ["politie"]
    assert route.describe()["constants"] == {
        "reporter_is_office_holder": False,
        "channel": "bij_politie",
        "tags": ["politie"],
    }


@pytest.mark.parametrize(
    "change, expected",
    [
        ("reporter_is_office_holder: false", "'business_key' is set by the engine"),
        ("office_holder_role: wethouder", "'office_holder_role' is also taken from the payload"),
        ("reported: 2026-01-01", "write a date in quotes"),
        ("2x: 1", "a variable name has letters"),
    ],
)
def test_constant_mistakes_are_reported(tmp_path, change, expected):
    text = START_WITH_CONSTANTS.replace(
        "reporter_is_office_holder: false", change.replace("reporter_is_office_holder: false", "business_key: VB-1")
    )
    problems = problems_of(tmp_path, text)
    assert any(expected in p and "events.melding.geregistreerd.start.constants" in p for p in problems), problems
