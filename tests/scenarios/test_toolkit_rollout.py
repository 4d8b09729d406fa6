"""The roll-out of the Instrumentenkoffer Veilig Bestuur to every burgemeester: the municipalities from the
shipped CBS list, one confirmation task per municipality, each for its own gemeente, one reminder after two
weeks without confirmation, and a roll-out that ends: two weeks after the reminder a municipality that did not
confirm counts as not confirmed (the periods: decision table `rollout_deadlines`)."""

from engine.identity.municipalities import municipalities
from tests.scenarios.flow import Team, after, fire_due_timers

THREE = {
    "rollout_title": "Instrumentenkoffer Veilig Bestuur",
    "letter_sent_on": "2026-11-28",
    "municipality_scope": "selectie",
    "municipality_codes": ["GM0668", "GM0363", "GM0344"],
}

CONFIRM = {
    "informed_wethouders": True,
    "informed_raadsleden": True,
    "measures_implemented": "ja",
    "confirmed_on": "2026-12-01",
}


def test_rollout_over_three_municipalities_with_one_reminder(app, deploy_real, as_user, make_user):
    team = Team(as_user)
    utrecht = as_user(make_user("gemeente.utrecht", "gemeente", "GM0344"))
    refused = team.bzk.start("toolkit_rollout", dict(THREE, municipality_codes=["GM0668", "GM9999"]), expect=422)
    assert "municipality_codes" in refused["errors"]  # a code the CBS list does not know
    case = team.bzk.start("toolkit_rollout", THREE)
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
    team.do(utrecht, case["id"], "confirm_after_reminder", dict(CONFIRM, confirmed_on="2026-12-15"))
    assert fire_due_timers(app, case["id"], after(started, days=60)) is None  # one reminder only

    data = team.variables(case["id"])
    assert (data["municipalities_total"], data["municipalities_confirmed"], data["reminders_sent"]) == (3, 3, 1)
    by_code = {m["code"]: m for m in data["municipalities"]}
    assert by_code["GM0344"]["reminded"] is True and by_code["GM0344"]["reminder_sent_on"] == "2026-12-12"
    assert by_code["GM0363"]["measures_implemented"] == "gepland" and by_code["GM0363"]["reminded"] is False
    result = team.do(
        team.bzk,
        case["id"],
        "close_rollout",
        {"rollout_conclusion": "Alle gemeenten bereikt.", "closed_on": "2027-01-05"},
    )
    assert result["instance_status"] == "completed"


def test_a_selection_names_at_least_one_municipality(deploy_real, as_user):
    team = Team(as_user)
    for variables in ({"municipality_codes": []}, {}):
        refused = team.bzk.start(
            "toolkit_rollout",
            {"rollout_title": "Leeg", "letter_sent_on": "2026-11-28", "municipality_scope": "selectie", **variables},
            expect=422,
        )
        assert list(refused["errors"]) == ["municipality_codes"]
    assert (
        team.bzk.get("/api/v1/process-instances", query_string={"process_id": "toolkit_rollout"}).get_json()["items"]
        == []
    )


def test_a_rollout_that_closes_with_unconfirmed_municipalities(app, deploy_real, as_user, make_user):
    team = Team(as_user)
    utrecht = as_user(make_user("gemeente.utrecht", "gemeente", "GM0344"))
    amsterdam = as_user("gemeente.amsterdam")
    case = team.bzk.start("toolkit_rollout", THREE)
    data = team.variables(case["id"])
    assert (data["toolkit_reminder_after"], data["toolkit_confirmation_deadline"]) == ("P14D", "P14D")
    started = data["rollout_started_at"]
    team.do(team.gemeente, case["id"], "confirm_informed", CONFIRM)
    fire_due_timers(app, case["id"], after(started, days=14, seconds=1))
    for _ in range(2):
        team.do(team.bzk, case["id"], "send_reminder", {"reminder_sent_on": "2026-12-12", "reminder_channel": "brief"})
    team.do(amsterdam, case["id"], "confirm_after_reminder", dict(CONFIRM, confirmed_on="2026-12-16"))
    # Utrecht does not answer: two weeks after the reminder (sent now, in real time) it counts as not confirmed
    assert [(t["element_id"], t["municipality_code"]) for t in utrecht.tasks(process_instance_id=case["id"])] == [
        ("confirm_after_reminder", "GM0344")
    ]
    assert fire_due_timers(app, case["id"], after(started, days=13)) is None
    fire_due_timers(app, case["id"], after(started, days=14, minutes=10))
    assert utrecht.tasks(process_instance_id=case["id"]) == []
    assert team.open_elements(case["id"]) == ["close_rollout"]
    data = team.variables(case["id"])
    assert (
        data["municipalities_total"],
        data["municipalities_confirmed"],
        data["municipalities_not_confirmed"],
        data["municipalities_confirmed_after_reminder"],
        data["reminders_sent"],
    ) == (3, 2, 1, 1, 2)
    by_code = {m["code"]: m for m in data["municipalities"]}
    assert by_code["GM0344"]["not_confirmed_after_reminder"] is True and by_code["GM0344"]["confirmed"] is False
    assert by_code["GM0344"]["name"] == "Utrecht"  # the name from the CBS list, not typed
    task = team.bzk.task_for(case["id"], "close_rollout")
    detail = team.bzk.get(f"/api/v1/tasks/{task['id']}").get_json()
    assert "ook na de herinnering niet bevestigd" in str(detail["form"])
    result = team.bzk.complete(task["id"], {"rollout_conclusion": "Utrecht niet bereikt.", "closed_on": "2027-01-05"})
    assert result["instance_status"] == "completed"


def test_every_municipality_of_the_cbs_list(deploy_real, as_user):
    team = Team(as_user)
    case = team.bzk.start(
        "toolkit_rollout",
        {"rollout_title": "Alle gemeenten", "letter_sent_on": "2016-03-15", "municipality_scope": "alle"},
    )
    data = team.variables(case["id"])
    assert [m["code"] for m in data["municipalities"]] == sorted(municipalities())
    assert len(team.gemeente.tasks(process_instance_id=case["id"])) == 1  # West Betuwe's own task


def test_each_municipality_reads_only_its_own_row(deploy_real, as_user, client):
    team = Team(as_user)
    case = team.bzk.start("toolkit_rollout", dict(THREE, municipality_codes=["GM0668", "GM0363"]))
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
