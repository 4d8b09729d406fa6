"""Numbers a client sends are bounded: a value beyond what the database holds is a 400 or a 404, never a 500."""

import pytest

HUGE = "28793802758920303804416"


@pytest.mark.parametrize(
    "user,url,params",
    [
        ("politie", "/api/v1/tasks", {"offset": HUGE}),
        ("politie", "/api/v1/tasks", {"limit": HUGE}),
        ("beheerder", "/api/v1/process-instances", {"offset": "1.6e20"}),
        ("beheerder", "/api/v1/process-instances", {"offset": str(10**12)}),
        ("beheerder", "/api/v1/operations/cases", {"min_age_days": HUGE}),
        ("beheerder", "/api/v1/operations/cases", {"max_age_days": "99999999999"}),
        ("beheerder", "/api/v1/operations/cases", {"version": HUGE}),
        ("beheerder", "/api/v1/timers/overdue-tasks", {"offset": HUGE}),
        ("beheerder", "/api/v1/webhooks/deliveries", {"offset": HUGE}),
    ],
)
def test_a_number_out_of_range_is_a_400_naming_it(as_user, user, url, params):
    response = as_user(user).get(url, query_string=params)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["code"] == "bad_request"
    assert list(body["errors"]["query"]) == list(params)


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/webhooks/deliveries/" + "9" * 32),
        ("post", "/api/v1/webhooks/deliveries/" + "9" * 32 + "/replay"),
        ("get", "/api/v1/webhooks/subscriptions/" + "9" * 20),
        ("get", "/api/v1/webhooks/deliveries/0"),
        ("get", "/api/v1/webhooks/subscriptions/" + str(2**31)),  # beyond PostgreSQL's INTEGER, within SQLite's
        ("post", "/api/v1/notifications/failed-mails/" + str(2**31) + "/retry"),
        ("post", "/api/v1/deployments/approvals/" + "9" * 20 + "/approve"),
        ("post", "/api/v1/deployments/approvals/" + "9" * 20 + "/refuse"),
        ("delete", "/api/v1/saved-searches/" + "9" * 20),
    ],
)
def test_a_row_id_beyond_any_row_is_a_404(as_user, method, url):
    user = "privacy" if "/approvals/" in url else "beheerder"  # the privacy officer decides approvals too
    kwargs = {"json": {"reason": "Te ruim"}} if url.endswith("/refuse") else {}
    response = getattr(as_user(user), method)(url, **kwargs)
    assert response.status_code == 404, response.get_json()


@pytest.mark.parametrize("version", ["²", "\u0661", "99999999999", "0x1"])
def test_a_version_in_a_path_that_is_no_version_number_is_a_404(as_user, version):
    response = as_user("procesbeheerder").get(f"/api/v1/studio/processes/threat_response/versions/{version}/xml")
    assert response.status_code == 404, response.get_json()
