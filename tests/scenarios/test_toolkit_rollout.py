"""The roll-out of the Instrumentenkoffer Veilig Bestuur to every burgemeester: one confirmation task per
municipality, each for its own gemeente, and one reminder after two weeks without confirmation."""

from tests.scenarios.flow import Team, after, fire_due_timers

CONFIRM = {"informed_wethouders": True, "informed_raadsleden": True, "measures_implemented": "ja",
           "confirmed_on": "2026-12-01"}


def test_rollout_over_three_municipalities_with_one_reminder(app, deploy_real, as_user, make_user):
    team = Team(as_user)
    utrecht = as_user(make_user("gemeente.utrecht", "gemeente", "GM0344"))
    case = team.bzk.start("toolkit_rollout", {
        "rollout_title": "Instrumentenkoffer Veilig Bestuur", "letter_sent_on": "2026-11-28",
        "municipalities": [{"code": "GM0668", "name": "West Betuwe"}, {"code": "gm0363", "name": "Amsterdam"},
                           {"code": "GM0344", "name": "Utrecht"}]}, expect=422)
    assert "municipalities[1].code" in case["errors"]  # CBS codes are upper case
    case = team.bzk.start("toolkit_rollout", {
        "rollout_title": "Instrumentenkoffer Veilig Bestuur", "letter_sent_on": "2026-11-28",
        "municipalities": [{"code": "GM0668", "name": "West Betuwe"}, {"code": "GM0363", "name": "Amsterdam"},
                           {"code": "GM0344", "name": "Utrecht"}]})
    amsterdam = as_user("gemeente.amsterdam")
    for user, code in ((team.gemeente, "GM0668"), (amsterdam, "GM0363"), (utrecht, "GM0344")):
        mine = user.tasks(process_instance_id=case["id"])
        assert [(t["element_id"], t["municipality_code"]) for t in mine] == [("confirm_informed", code)]
    started = team.variables(case["id"])["rollout_started_at"]

    team.do(team.gemeente, case["id"], "confirm_informed", CONFIRM)
    team.do(amsterdam, case["id"], "confirm_informed", dict(CONFIRM, measures_implemented="gepland"))
    assert fire_due_timers(app, case["id"], after(started, days=13)) is None
    fire_due_timers(app, case["id"], after(started, days=14, seconds=1))
    assert utrecht.tasks(process_instance_id=case["id"]) == []  # its task made way for the reminder
    team.do(team.bzk, case["id"], "send_reminder", {"reminder_sent_on": "2026-12-12", "reminder_channel": "email"})
    assert [t["element_id"] for t in utrecht.tasks(process_instance_id=case["id"])] == ["confirm_after_reminder"]
    assert fire_due_timers(app, case["id"], after(started, days=60)) is None  # one reminder only
    team.do(utrecht, case["id"], "confirm_after_reminder", dict(CONFIRM, confirmed_on="2026-12-15"))

    data = team.variables(case["id"])
    assert (data["municipalities_total"], data["municipalities_confirmed"], data["reminders_sent"]) == (3, 3, 1)
    by_code = {m["code"]: m for m in data["municipalities"]}
    assert by_code["GM0344"]["reminded"] is True and by_code["GM0344"]["reminder_sent_on"] == "2026-12-12"
    assert by_code["GM0363"]["measures_implemented"] == "gepland" and by_code["GM0363"]["reminded"] is False
    result = team.do(team.bzk, case["id"], "close_rollout", {"rollout_conclusion": "Alle gemeenten bereikt.",
                                                             "closed_on": "2027-01-05"})
    assert result["instance_status"] == "completed"


def test_a_rollout_without_municipalities_closes_at_once(deploy_real, as_user):
    """form-js submits a dynamic list whose rows were all removed as []; a client may leave it out."""
    team = Team(as_user)
    for variables in ({"municipalities": []}, {}):
        case = team.bzk.start("toolkit_rollout", {"rollout_title": "Leeg", "letter_sent_on": "2026-11-28", **variables})
        assert case["status"] == "running", case["incident"]
        assert team.open_elements(case["id"]) == ["close_rollout"]
        assert team.variables(case["id"])["municipalities_total"] == 0


def test_each_municipality_reads_only_its_own_row(deploy_real, as_user, client):
    team = Team(as_user)
    case = team.bzk.start("toolkit_rollout", {
        "rollout_title": "Instrumentenkoffer Veilig Bestuur", "letter_sent_on": "2026-11-28",
        "municipalities": [{"code": "GM0668", "name": "West Betuwe"}, {"code": "GM0363", "name": "Amsterdam"}]})
    amsterdam = as_user("gemeente.amsterdam")
    team.do(amsterdam, case["id"], "confirm_informed", dict(CONFIRM, measures_implemented="gepland"))
    mine = team.gemeente.task_for(case["id"], "confirm_informed")
    detail = team.gemeente.get(f"/api/v1/tasks/{mine['id']}").get_json()
    team.gemeente.case(case["id"], expect=404)  # BZK's case: West Betuwe sees its own task in it only
    assert "Amsterdam" not in str(detail) and "GM0363" not in str(detail)
    from tests.web.conftest import WebClient

    page = WebClient(client.application).sign_in("gemeente.westbetuwe").get(f"/tasks/{mine['id']}")
    assert page.status_code == 200
    assert "Amsterdam" not in page.get_data(as_text=True) and "GM0363" not in page.get_data(as_text=True)
    # BZK, whose case it is, reads every municipality.
    assert {m["code"] for m in team.bzk.case(case["id"])["variables"]["municipalities"]} == {"GM0668", "GM0363"}
