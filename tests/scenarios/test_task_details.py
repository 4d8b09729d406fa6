"""A task's detail (its form and the data it shows) is for those who work it: the IVP does not read the
police's threat assessment, nor the police the IVP's referral with the contact phone number. Since the IVP
works in its own case, neither sees the other's case at all."""

from tests.scenarios.flow import Team, to_threat_assessment_with_support


def test_task_details_are_404_across_roles_that_share_a_case(deploy_real, as_user, client):
    team = Team(as_user)
    case = team.start_threat()
    support = to_threat_assessment_with_support(team, case["id"])
    police_task = team.politie.task_for(case["id"], "threat_assessment")
    ivp_task = next(t for t in team.ivp.tasks() if t["process_instance_id"] == support["id"])
    team.ivp.case(case["id"], expect=404)  # neither sees the other's case ...
    team.politie.case(support["id"], expect=404)
    for user, task in ((team.ivp, police_task), (team.politie, ivp_task)):  # ... nor the other's task
        for path in ("", "/claim", "/complete"):
            response = (user.get if not path else user.post)(
                f"/api/v1/tasks/{task['id']}{path}", **({"json": {"variables": {}}} if path else {})
            )
            assert response.status_code == 404, (path, response.get_json())
            assert "06 12345678" not in response.get_data(as_text=True)
    assert team.ivp.get(f"/api/v1/tasks/{ivp_task['id']}").status_code == 200
    assert team.politie.get(f"/api/v1/tasks/{police_task['id']}").status_code == 200
    # The overseers still read both.
    for task in (police_task, ivp_task):
        assert team.admin.get(f"/api/v1/tasks/{task['id']}").status_code == 200
