"""`flask --app engine scenarios FOLDER`: the same scenario tests from a checkout, for a repository's CI."""

import shutil

from engine.studio.cli import scenarios_command

from tests.studio.target import FIXTURE


def test_scenarios_command_passes_and_fails_with_reasons(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(scenarios_command, [str(FIXTURE.folder)])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output

    folder = tmp_path / "processes"
    shutil.copytree(FIXTURE.folder, folder)
    dmn = folder / FIXTURE.dmn_file
    dmn.write_text(dmn.read_text().replace("&gt;= 1000", "&gt;= 9000").replace("&lt; 1000", "&lt; 9000"))
    result = runner.invoke(scenarios_command, [str(folder)])
    assert result.exit_code != 0
    assert "FAILED" in result.output and "Expected variable 'compensation' = 'ja'" in result.output

    bpmn = folder / FIXTURE.bpmn_file
    bpmn.write_text(bpmn.read_text().replace('${compensation == "ja"}', "${compensation ==}"))
    result = runner.invoke(scenarios_command, [str(folder)])
    assert result.exit_code != 0 and "not run" in result.output and FIXTURE.conditional_flow in result.output


def test_deploy_runs_the_scenario_tests_first_and_deploys_nothing_when_one_fails(app, tmp_path):
    from engine.definitions.service import get_latest_version
    from engine.core.errors import NotFound

    folder = tmp_path / "processes"
    shutil.copytree(FIXTURE.folder, folder)
    dmn = folder / FIXTURE.dmn_file
    dmn.write_text(dmn.read_text().replace("&gt;= 1000", "&gt;= 9000").replace("&lt; 1000", "&lt; 9000"))
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["deploy", str(folder)])
    assert refused.exit_code != 0
    assert "FAILED" in refused.output and "Expected variable 'compensation' = 'ja'" in refused.output
    assert "nothing was deployed" in refused.output
    with app.app_context():
        try:
            get_latest_version(FIXTURE.process_id)
            deployed = True
        except NotFound:
            deployed = False
    assert not deployed

    forced = runner.invoke(args=["deploy", "--skip-tests", str(folder)])
    assert forced.exit_code == 0, forced.output
    passing = runner.invoke(args=["deploy", str(FIXTURE.folder)])
    assert passing.exit_code == 0, passing.output
    assert "Scenario tests: 2 passed, 0 failed." in passing.output
