"""docs/privacy.md lists who reads what, generated from the forms (tools/readers_table.py): it cannot drift."""

from __future__ import annotations

from tools import readers_table


def test_the_privacy_page_lists_the_readers_the_forms_give():
    current = readers_table.DOC.read_text()
    assert readers_table.render(current) == current, (
        "docs/privacy.md's table of readers differs from forms/: run `python -m tools.readers_table`."
    )


def test_the_table_follows_the_need_to_know_defaults():
    rows = {
        tuple(cell.strip(" `") for cell in line.strip("|").split("|")[:2]): line for line in readers_table.rows()[2:]
    }
    assert (
        rows[("threat_response", "incident_description")]
        .rstrip(" |")
        .endswith(
            "ambtsdrager, gemeente, politie, procesbeheerder, beheerder, gemeente.burgemeester, gemeente.locoburgemeester"
        )
    )
    assert "bzk" in rows[("threat_response", "estimated_costs")]
    assert (
        "bzk" in rows[("threat_response", "advised_measures")]
        and "**yes**" in rows[("threat_response", "advised_measures")]
    )
    assert "bzk" not in rows[("threat_response", "home_address")]
    assert ("threat_response", "contact_phone") not in rows  # the IVP's own case holds it
    assert rows[("ivp_support", "contact_phone")].rstrip(" |").endswith("ambtsdrager, ivp")
    assert rows[("ivp_support", "referred_to_regular_care")].rstrip(" |").endswith("ambtsdrager, ivp")
    assert "om" in rows[("democratic_disruption_registration", "parket_number")]


def test_a_changed_form_makes_the_check_fail(tmp_path, monkeypatch):
    page = tmp_path / "privacy.md"
    page.write_text(f"intro\n{readers_table.BEGIN}\n| stale |\n{readers_table.END}\nrest\n")
    monkeypatch.setattr(readers_table, "DOC", page)
    assert readers_table.main(["--check"]) == 1
    assert readers_table.main([]) == 0
    assert readers_table.main(["--check"]) == 0
    assert page.read_text().startswith("intro\n") and page.read_text().endswith("\nrest\n")
