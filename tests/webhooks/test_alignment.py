"""`flask --app engine webhooks-check` against the real processes/ and forms/: every route starts or reaches
a deployed process and gives it what it reads; every outbound domain event fires on a real element and
carries variables that exist. And what the check says when a route file does not fit."""

import shutil
import textwrap

from engine import create_app
from engine.app.cli import deploy_folders
from engine.db.extensions import db
from tests.support.api import PROJECT


def check(app, *args):
    result = app.test_cli_runner().invoke(args=["webhooks-check", *args])
    lines = [line.strip() for line in result.output.splitlines() if line.strip().startswith("[")]
    return result, lines


def test_the_route_files_and_domain_events_fit_the_real_processes(app, deploy_real):
    result, lines = check(app, "--strict")
    assert result.exit_code == 0, result.output
    assert "No warnings." in result.output
    assert all(line.startswith("[ok]") for line in lines), result.output
    expected = [
        "[ok] politie melding.geregistreerd: starts threat_response v1",
        "[ok] politie aangifte.geregistreerd: message aangifte_geregistreerd caught by aangifte_support v1 "
        "(aangifte_registered_message), threat_response v1 (aangifte_registered_message)",
        "[ok] politie dreigingsinschatting.gereed: message dreigingsinschatting_gereed caught by threat_response v1 "
        "(threat_assessment_received)",
        "[ok] om beslissing.genomen: message om_beslissing_genomen caught by democratic_disruption_registration v1 "
        "(om_decision_message)",
        "[ok] ivp aanmelding.ontvangen: starts ivp_support v1",
        "[ok] ivp contact.bevestigd: message ivp_eerste_contact caught by ivp_support v1 (ivp_contact_message)",
        "[ok] bzk tegemoetkoming.besloten: message bzk_besluit_tegemoetkoming caught by bzk_compensation v1 "
        "(bzk_decision_message), threat_response v1 (bzk_decision_message)",
        "[ok] outbound compensation.decided: on element 'decision_reached' of threat_response v1, facts "
        "compensation_decided_at, compensation_decision, compensation_granted, decision_date, decision_reference, "
        "granted_amount",
    ]
    for line in expected:
        assert line in lines, result.output
    assert len([line for line in lines if line.startswith("[ok] outbound")]) == 5


MISFITS = """
source: politie
secret_env: VB_WEBHOOK_SECRET_POLITIE
events:
  melding.geregistreerd:
    start:
      process: threat_response
      variables: {municipality_code: /data/gemeentecode, office_holder_role: /data/ambt, acute_danger: /data/acuut}
    schema:
      type: object
      required: [gemeentecode, ambt, acuut]
      properties: {gemeentecode: {type: string}, ambt: {type: string}, acuut: {type: boolean}}
  aangifte.geregistreerd:
    message:
      name: aangifte_geregistreerd
      correlation_key: /data/zaakreferentie
      variables: {police_registration_number: /data/nummer, aangifte_form: /data/vorm}
    schema:
      type: object
      required: [zaakreferentie]
      properties: {zaakreferentie: {type: string}, nummer: {type: string}, vorm: {type: string}}
  besluit.bzk:
    message:
      name: bzk_besluit_tegemoetkoming
      correlation_key: /data/zaakreferentie
      variables: {compensation_decision: /data/besluit}
    schema: {type: object, required: [zaakreferentie], properties: {zaakreferentie: {type: string}, besluit: {type: string}}}
  contact.bevestigd:
    message:
      name: ivp_contact_bevestigd
      correlation_key: /data/zaakreferentie
    schema: {type: object, required: [zaakreferentie], properties: {zaakreferentie: {type: string}}}
"""

MISFIT_EVENTS = """
events:
  compensation.decided:
    process: threat_response
    when: {element: decision_reached}
    facts: [compensation_decision, compensation_amount, advised_measures]
  support.contact_confirmed:
    when: {message: ivp_contact_bevestigd}
"""


def test_what_does_not_fit_is_named(tmp_path, database_url, monkeypatch):
    (tmp_path / "outbound").mkdir()
    (tmp_path / "politie.yaml").write_text(textwrap.dedent(MISFITS))
    (tmp_path / "outbound" / "events.yaml").write_text(textwrap.dedent(MISFIT_EVENTS))
    shutil.copy(PROJECT / "webhooks" / "om.yaml", tmp_path / "om.yaml")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "VB_AUTO_MIGRATE": False,
            "TESTING": True,
            "VB_WEBHOOKS_DIR": str(tmp_path),
        }
    )
    try:
        with app.app_context():
            deploy_folders([PROJECT / "processes", PROJECT / "forms"], actor="test")
        result, lines = check(app, "--strict")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert result.exit_code == 1, result.output
    warnings = [line for line in lines if line.startswith("[warning]")]
    assert warnings == [
        "[warning] politie melding.geregistreerd: threat_response needs reporter_is_office_holder from its start "
        "(its start form asks for it), which the route does not set: map it from the payload or set it as a constant",
        "[warning] politie aangifte.geregistreerd: aangifte_support v1 declares no variable aangifte_form for "
        "'aangifte_geregistreerd': deliveries are refused",
        "[warning] politie aangifte.geregistreerd: threat_response v1 declares no variable aangifte_form for "
        "'aangifte_geregistreerd': deliveries are refused",
        "[warning] politie aangifte.geregistreerd: aangifte_support v1 (aangifte_registered_message), threat_response "
        "v1 (aangifte_registered_message) keep(s) the message under 'aangifte_message' and copy only the fields the "
        "diagram knows; never read: aangifte_form",
        "[warning] politie besluit.bzk: bzk_compensation v1 declares 'bzk_besluit_tegemoetkoming' sent only by bzk: "
        "deliveries from politie are refused",
        "[warning] politie besluit.bzk: threat_response v1 declares 'bzk_besluit_tegemoetkoming' sent only by bzk: "
        "deliveries from politie are refused",
        "[warning] politie contact.bevestigd: no deployed process catches message 'ivp_contact_bevestigd'",
        "[warning] outbound compensation.decided: threat_response v1 never sets compensation_amount",
        "[warning] outbound compensation.decided: advised_measures marked sensitive in a form of threat_response: "
        "never sent, remove it from the facts",
        "[warning] outbound support.contact_confirmed: no deployed process has message 'ivp_contact_bevestigd': "
        "the event never fires",
    ], result.output
    assert "[ok] om beslissing.genomen" in result.output
    assert "10 warning(s)." in result.output
