"""A national case (started by BZK, no municipality of its own) that asks each municipality to act:
each municipal task belongs to the municipality of its multi-instance element, and only that
municipality's gemeente users see and complete it."""


def test_each_municipality_sees_only_its_own_task(deploy_scenario_fixture, as_user):
    deploy_scenario_fixture("national_case")
    bzk = as_user("bzk")
    case = bzk.start("national_rollout", {"municipalities": [{"code": "GM0668"}, {"code": "GM0363"}]})
    assert case["municipality_code"] is None
    westbetuwe, amsterdam = as_user("gemeente.westbetuwe"), as_user("gemeente.amsterdam")

    own = westbetuwe.tasks(process_instance_id=case["id"])
    assert [(t["element_id"], t["municipality_code"]) for t in own] == [("confirm", "GM0668")]
    theirs = amsterdam.tasks(process_instance_id=case["id"])
    assert [(t["element_id"], t["municipality_code"]) for t in theirs] == [("confirm", "GM0363")]
    assert amsterdam.post(f"/api/v1/tasks/{own[0]['id']}/complete", json={"variables": {}}).status_code == 404

    westbetuwe.complete(own[0]["id"], {"note": "geïnformeerd"})
    result = amsterdam.complete(theirs[0]["id"], {"note": "geïnformeerd"})
    assert result["instance_status"] == "completed"
