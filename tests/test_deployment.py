"""docker-compose.yml stays in step with the settings the code reads."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_compose_passes_only_settings_that_exist() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["services"]) >= {"bot", "db"}
    bot = compose["services"]["bot"]
    known = {name.upper() for name in Settings.model_fields}
    assert set(bot["environment"]) <= known
    assert {"TELEGRAM_TOKEN", "DATABASE_URL"} <= set(bot["environment"])
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"README lacks {name.upper()}"
    assert "make demo" in readme and "make test" in readme
