"""docker-compose.yml: every app service runs the one image with the one environment; only the command differs."""

import yaml

from tests.support.api import PROJECT


def test_compose_services_share_image_and_environment():
    compose = yaml.safe_load((PROJECT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "web", "scheduler", "webhook-dispatcher"} <= set(services)
    app_services = [services[name] for name in ("web", "scheduler", "webhook-dispatcher")]
    assert len({s["image"] for s in app_services}) == 1
    assert all(s["environment"] == app_services[0]["environment"] for s in app_services)
    assert "DATABASE_URL" in app_services[0]["environment"] and "SECRET_KEY" in app_services[0]["environment"]
    assert services["scheduler"]["command"][-1] == "scheduler"
    assert services["webhook-dispatcher"]["command"][-1] == "webhooks-dispatch"
    assert all(s["depends_on"]["db"]["condition"] == "service_healthy" for s in app_services)
    dockerfile = (PROJECT / "Dockerfile").read_text()
    assert "engine.app.wsgi:app" in dockerfile and "USER veilig" in dockerfile
