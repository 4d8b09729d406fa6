"""A client generated from the published document understands the answers, the errors most of all.

The document is read from a real server (gunicorn on the test database), a Python client is generated from it
with openapi-python-client (pinned in the test extras) into a temporary folder and imported, and that client
talks to the server: a case started, its task found with the `process_instance_id` filter, and a 400, 401,
403, 404, 409 and 422, each parsed by the generated code into its `ApiError` model, with the fields that model
declares (`code` a string, `message`, per-field `errors`, the conflict's `status`).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.server import LiveServer

MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def live(app, database_url, deploy_fixture):
    deploy_fixture("basic")
    server = LiveServer(database_url, workers=1, threads=2).start()
    yield server
    server.stop()


@pytest.fixture
def generated(live, tmp_path):
    """The client package, generated from the live server's document and imported."""
    document = tmp_path / "openapi.json"
    document.write_bytes(requests.get(live.url + "/api/v1/openapi.json", timeout=30).content)
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(tmp_path / "vb_client"),
            "--meta",
            "none",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("vb_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "vb_client" or n.startswith("vb_client.")]:
            del sys.modules[name]


def _module(package, path: str):
    return importlib.import_module(f"{package.__name__}.api.{path}")


def test_a_generated_client_parses_every_error(live, generated):
    from_api = lambda path: _module(generated, path)  # noqa: E731
    models = importlib.import_module(f"{generated.__name__}.models")
    ApiError = models.ApiError

    token = from_api("auth.post_api_v1_auth_token").sync(
        client=generated.Client(base_url=live.url),
        body=models.TokenRequest(username="gemeente.westbetuwe", password="demo"),
    )
    assert isinstance(token, models.Token) and token.token_type == "Bearer"
    gemeente = generated.AuthenticatedClient(base_url=live.url, token=token.access_token)

    # a success, parsed into its models
    case = from_api("instances.post_api_v1_process_instances").sync(
        client=gemeente,
        body=models.StartCase(
            process_id="simple_case",
            variables=models.StartCaseVariables.from_dict({"summary": "Dreigbrief", "municipality_code": "GM0668"}),
        ),
    )
    assert isinstance(case, models.CaseDetail) and case.status.value == "running"
    page = from_api("tasks.get_api_v1_tasks").sync(client=gemeente, process_instance_id=case.id)
    assert isinstance(page, models.TaskPage) and [t.process_instance_id for t in page.items] == [case.id]
    task_id = page.items[0].id

    def error(response, status: int, code: str):
        assert response.status_code == status, (response.status_code, response.content)
        assert isinstance(response.parsed, ApiError), response.parsed
        assert response.parsed.code == code and isinstance(response.parsed.message, str) and response.parsed.message
        return response.parsed

    # 400: a query parameter out of range
    bad = error(from_api("tasks.get_api_v1_tasks").sync_detailed(client=gemeente, limit=100_000), 400, "bad_request")
    assert "limit" in bad.errors.to_dict()["query"]
    # 401: a token that is not one
    error(
        from_api("auth.get_api_v1_auth_me").sync_detailed(
            client=generated.AuthenticatedClient(base_url=live.url, token="not-a-token")
        ),
        401,
        "unauthorized",
    )
    # 403: a role the caller does not have
    error(from_api("definitions.get_api_v1_deployments").sync_detailed(client=gemeente), 403, "forbidden")
    # 404: a case that is not there
    error(
        from_api("instances.get_api_v1_process_instances_process_instance_id").sync_detailed(MISSING, client=gemeente),
        404,
        "not_found",
    )
    complete = from_api("tasks.post_api_v1_tasks_task_id_complete")
    # 422: the form's required field left out, named in `errors`
    invalid = error(
        complete.sync_detailed(
            task_id,
            client=gemeente,
            body=models.CompleteTask(variables=models.CompleteTaskVariables.from_dict({"acute_danger": False})),
        ),
        422,
        "validation_failed",
    )
    assert list(invalid.errors.to_dict()) == ["category"]
    # 409: the task is closed once it is completed
    done = complete.sync(
        task_id,
        client=gemeente,
        body=models.CompleteTask(
            variables=models.CompleteTaskVariables.from_dict({"acute_danger": False, "category": "bedreiging"})
        ),
    )
    assert isinstance(done, models.Completion) and done.instance_status.value == "completed"
    conflict = error(
        complete.sync_detailed(
            task_id,
            client=gemeente,
            body=models.CompleteTask(variables=models.CompleteTaskVariables.from_dict({"category": "bedreiging"})),
        ),
        409,
        "conflict",
    )
    assert conflict.status == "completed"
