"""A small client for the REST API, over the Flask test client or real HTTP."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT = Path(__file__).resolve().parent.parent.parent


class Api:
    """Wraps the Flask test client: `api.as_user("politie").get("/api/v1/tasks")`."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self, headers=None):
        result = dict(headers or {})
        if self.token:
            result["Authorization"] = f"Bearer {self.token}"
        return result

    def login(self, username: str, password: str = "demo", totp_code: str | None = None) -> Api:
        body = {"username": username, "password": password}
        if totp_code is not None:
            body["totp_code"] = totp_code
        response = self.client.post("/api/v1/auth/token", json=body)
        assert response.status_code == 200, response.get_json()
        return Api(self.client, response.get_json()["access_token"])

    @property
    def headers(self) -> dict:
        return self._headers()

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, url, **kwargs):
        return self.client.delete(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    # conveniences -------------------------------------------------------------------------------

    def start(self, process_id, variables=None, business_key=None, expect=201):
        body = {"process_id": process_id, "variables": variables or {}}
        if business_key:
            body["business_key"] = business_key
        response = self.post("/api/v1/process-instances", json=body)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def tasks(self, **params):
        response = self.get("/api/v1/tasks", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    def task_for(self, instance_id, element_id=None):
        items = [t for t in self.tasks(process_instance_id=instance_id) if element_id in (None, t["element_id"])]
        assert items, f"no open task {element_id} in {instance_id} for this user"
        return items[0]

    def complete(self, task_id, variables=None, expect=200):
        response = self.post(f"/api/v1/tasks/{task_id}/complete", json={"variables": variables or {}})
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def case(self, instance_id, expect=200):
        response = self.get(f"/api/v1/process-instances/{instance_id}")
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def history(self, instance_id):
        response = self.get(f"/api/v1/process-instances/{instance_id}/history")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def upload(api: Api, paths, expect=201):
    files = [(open(p, "rb"), Path(p).name) for p in paths]
    try:
        response = api.post("/api/v1/deployments", data={"files": files}, content_type="multipart/form-data")
    finally:
        for handle, _ in files:
            handle.close()
    assert response.status_code == expect, response.get_json()
    return response.get_json()
