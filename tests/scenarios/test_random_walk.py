"""A random walk over the real processes: batches of 200 cases of every startable process (more batches, up to
three, until the walk reached every element it must), every open task completed with random valid form data
by a demo user of the task's role, until no user has work left. Then every case
has ended or waits only for a timer (or a message); none is in error, and no request failed with a 5xx."""

import os
import random
from collections import Counter

import pytest

from tests.scenarios.form_data import MUNICIPALITIES, FormFiller, check_pattern_examples

SEED = int(os.environ.get("VB_RANDOM_WALK_SEED", "20160420"))
CASES = {
    "threat_response": 130,
    "democratic_disruption_registration": 30,
    "toolkit_rollout": 20,
    "vangnet_evaluation": 20,
    "ivp_support": 20,
}
STARTERS = {
    "threat_response": ["gemeente.westbetuwe", "gemeente.amsterdam", "ambtsdrager.westbetuwe", "politie"],
    "democratic_disruption_registration": ["gemeente.westbetuwe", "gemeente.amsterdam", "politie", "om"],
    "toolkit_rollout": ["bzk"],
    "vangnet_evaluation": ["bzk"],
    "ivp_support": ["ambtsdrager.westbetuwe", "ivp"],
}
WORKERS = [
    "ambtsdrager.westbetuwe",
    "gemeente.westbetuwe",
    "gemeente.amsterdam",
    "politie",
    "om",
    "bzk",
    "ivp",
    "hoofdofficier",
]
OWN_MUNICIPALITY = {"gemeente.westbetuwe": "GM0668", "gemeente.amsterdam": "GM0363", "ambtsdrager.westbetuwe": "GM0668"}


class Recorder:
    """Wraps the test client and remembers every status code."""

    def __init__(self, client):
        self.client = client
        self.statuses = Counter()

    def __getattr__(self, name):
        call = getattr(self.client, name)
        if name not in ("get", "post"):
            return call

        def recorded(*args, **kwargs):
            response = call(*args, **kwargs)
            self.statuses[response.status_code] += 1
            return response

        return recorded


def test_pattern_examples_are_valid():
    check_pattern_examples()


@pytest.mark.slow
def test_random_walk_over_all_processes(app, client, deploy_real):
    from tests.support.api import Api

    rng = random.Random(SEED)
    recorder = Recorder(client)
    users = {name: Api(recorder).login(name) for name in WORKERS + ["om", "beheerder"]}

    # The walk went through the processes, not around them: these elements must each have been worked. Few
    # random cases reach the end of the vangnet (two of 130 in a typical batch), so a batch that missed one
    # is followed by another, up to three. The IVP's check-ins are not among them: a first contact cannot lie
    # before the referral, so its check-ins fall due after the walk (tests/scenarios/test_ivp_support.py
    # travels in time to them).
    expected = (
        "triage",
        "threat_assessment",
        "choose_filing_method",
        "ask_support_consent",
        "om_decision",
        "confirm_informed",
        "assess_vangnet",
        "submit_application",
        "confirm_first_contact",
        "register_aangifte",
        "cost_decision",
        "decide_compensation",
    )
    case_ids = []
    completed = Counter()
    for _batch in range(3):
        _walk_batch(rng, users, case_ids, completed)
        if all(completed[element] > 0 for element in expected):
            break

    admin = users["beheerder"]
    waiting = Counter()
    for case_id in case_ids:
        case = admin.case(case_id)
        assert case["status"] in ("completed", "running"), (case_id, case["status"], case["incident"])
        if case["status"] == "running":
            assert case["open_tasks"] == [], case["open_tasks"]
            assert case["next_timer_due_at"] is not None, (case["process_id"], case["active_elements"])
            waiting[case["process_id"]] += 1
    assert not [code for code in recorder.statuses if code >= 500], recorder.statuses
    for element in expected:
        assert completed[element] > 0, element
    print(
        f"\nrandom walk (seed {SEED}): {sum(completed.values())} tasks completed; still waiting on a timer: "
        f"{dict(waiting)}; status codes: {dict(recorder.statuses)}"
    )


def _walk_batch(rng, users, case_ids, completed) -> None:
    """Start a batch of cases of every process, then work every open task until no user has work left."""
    plan = [pid for pid, count in CASES.items() for _ in range(count)]
    rng.shuffle(plan)
    for process_id in plan:
        starter = rng.choice(STARTERS[process_id])
        api = users[starter]
        own = OWN_MUNICIPALITY.get(starter)
        filler = FormFiller(
            rng,
            {
                "municipality_code": (lambda r, own=own: own or r.choice(MUNICIPALITIES)),
                # a roll-out to all 342 municipalities is its own test (test_toolkit_rollout)
                "municipality_scope": (lambda r: "selectie"),
                "municipality_codes": (lambda r: sorted(r.sample(MUNICIPALITIES, r.randint(1, len(MUNICIPALITIES))))),
            },
        )
        form = next(d for d in api.get("/api/v1/process-definitions").get_json() if d["process_id"] == process_id)
        variables = filler.fill(form["start_form"])
        if starter == "ambtsdrager.westbetuwe" and process_id == "threat_response":
            variables["reporter_is_office_holder"] = rng.random() < 0.7
        case = api.start(process_id, variables)
        assert case["status"] != "error", case["incident"]
        case_ids.append(case["id"])

    for _round in range(60):
        work = {}
        for name in rng.sample(WORKERS, len(WORKERS)):  # a task for several roles goes to one of them
            work.update({task["id"]: (name, task) for task in users[name].tasks(limit=500)})
        work = list(work.values())
        if not work:
            break
        rng.shuffle(work)
        for name, task in work:
            api = users[name]
            detail = api.get(f"/api/v1/tasks/{task['id']}")
            assert detail.status_code == 200, detail.get_json()
            variables = FormFiller(rng, context=detail.get_json().get("data")).fill(detail.get_json()["form"])
            result = api.complete(task["id"], variables)
            assert result["incident"] is None, (task["element_id"], result["incident"])
            completed[task["element_id"]] += 1
    else:
        pytest.fail("users still had work after 60 rounds")
