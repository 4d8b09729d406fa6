"""The demo data of `make run`: realistic cases so that every demo user finds work in their inbox."""


def test_seed_demo_creates_cases_once_and_every_user_has_work(app, deploy_real, as_user):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "8 demo cases created" in first.output
    again = runner.invoke(args=["seed-demo"])
    assert "0 demo cases created" in again.output

    admin = as_user("beheerder")
    cases = admin.get("/api/v1/process-instances", query_string={"limit": 50}).get_json()["items"]
    assert sorted(c["business_key"] for c in cases) == [f"VB-DEMO-000{n}" for n in range(1, 9)]
    assert {c["status"] for c in cases} == {"running"}
    inbox = {
        name: {t["element_id"] for t in as_user(name).tasks()}
        for name in (
            "ambtsdrager.westbetuwe",
            "gemeente.westbetuwe",
            "gemeente.amsterdam",
            "politie",
            "om",
            "bzk",
            "ivp",
            "burgemeester.westbetuwe",
            "locoburgemeester.westbetuwe",
            "hoofdofficier",
        )
    }
    assert inbox["politie"] >= {"register_aangifte", "threat_assessment", "acute_police_response"}
    assert inbox["ivp"] == {"confirm_first_contact"}
    assert inbox["bzk"] == {"decide_compensation"}
    assert inbox["om"] == {"om_decision"}
    assert inbox["gemeente.westbetuwe"] == {"confirm_informed", "consult_driehoek"}  # the OOV adviser
    assert inbox["gemeente.amsterdam"] == {"confirm_informed"}
    assert inbox["ambtsdrager.westbetuwe"] == set()  # her choices are made; she follows her case
    # the threatened burgemeester has her own choices, not the driehoek's task, which is the locoburgemeester's
    assert inbox["burgemeester.westbetuwe"] == {"choose_filing_method", "ask_support_consent"}
    assert inbox["locoburgemeester.westbetuwe"] == {"consult_driehoek"}
    assert inbox["hoofdofficier"] == {"decide_personal_protection", "om_decision"}  # an OM user too


def test_seed_demo_without_deployed_processes_creates_no_cases(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "0 demo cases created" in result.output
