"""Documentation stays true: every setting is in the README, the README gives the two commands."""

from bot.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for field in Settings.model_fields.values():
        assert f"`{field.alias}`" in README, field.alias


def test_readme_starts_with_the_two_commands():
    head = "\n".join(README.splitlines()[:6])
    assert "make run" in head and "make test" in head
