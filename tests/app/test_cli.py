"""The command line: deploy a folder, create users, reset passwords, check cases."""

from tests.support.api import FIXTURES


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_deploy_reports_versions_and_refuses_broken_folders(app, tmp_path):
    result = run(app, "deploy", str(FIXTURES / "basic"))
    assert result.exit_code == 0, result.output
    assert "simple_case v1 (new)" in result.output
    again = run(app, "deploy", str(FIXTURES / "basic"))
    assert "simple_case v1 (unchanged)" in again.output

    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions")
    broken = run(app, "deploy", str(tmp_path))
    assert broken.exit_code != 0
    assert "broken.bpmn:1" in broken.output and "Not well-formed XML" in broken.output


def test_users_create_and_reset_password(app, api):
    result = run(
        app,
        "users",
        "create",
        "oov.utrecht",
        "--role",
        "gemeente",
        "--municipality",
        "GM0344",
        input="lange-zin-voor-utrecht\nlange-zin-voor-utrecht\n",
    )
    assert result.exit_code == 0, result.output
    user = api.login("oov.utrecht", "lange-zin-voor-utrecht")
    assert user.get("/api/v1/auth/me").get_json()["municipality_code"] == "GM0344"

    missing_municipality = run(
        app, "users", "create", "oov.x", "--role", "gemeente", input="lange-zin-voor-x-1\nlange-zin-voor-x-1\n"
    )
    assert missing_municipality.exit_code != 0 and "municipality" in missing_municipality.output

    reset = run(app, "users", "reset-password", "oov.utrecht", input="nieuwe-lange-zin-456\nnieuwe-lange-zin-456\n")
    assert reset.exit_code == 0, reset.output
    assert user.get("/api/v1/auth/me").status_code == 401  # tokens revoked
    assert api.login("oov.utrecht", "nieuwe-lange-zin-456")


def test_seed_demo_refused_without_demo_mode(app):
    app.config["VB_DEMO"] = False
    result = run(app, "seed-demo")
    assert result.exit_code != 0 and "VB_DEMO" in result.output


def test_check_cases_passes_on_consistent_data(app, deploy_fixture, as_user):
    deploy_fixture("basic")
    as_user("gemeente.westbetuwe").start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    result = run(app, "check-cases")
    assert result.exit_code == 0 and "All cases consistent" in result.output


def test_check_cases_finds_a_tampered_case(app, deploy_fixture, as_user):
    from engine.db.extensions import db
    from engine.instances.task_rows import HumanTask

    deploy_fixture("basic")
    case = as_user("gemeente.westbetuwe").start("simple_case", {"summary": "x", "municipality_code": "GM0668"})
    with app.app_context():
        db.session.query(HumanTask).filter_by(instance_id=case["id"]).update({"status": "completed"})
        db.session.commit()
    result = run(app, "check-cases")
    assert result.exit_code != 0
    assert case["id"] in result.output and "open task rows" in result.output
