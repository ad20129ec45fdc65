import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_KEY = "k3Jq9vXw2LmP8rTz5YbN4cHs7FgD1eAu6iOo0pWqErTyUiOpAsDfGhJkLz"


def _manage(*args, env_updates, drop=()):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", *drop)
    }
    env.update(env_updates)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env_updates={"DEBUG": "0", "ALLOWED_HOSTS": "tracker.example.vn"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", env_updates={"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY}, drop=("ALLOWED_HOSTS",))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_deploy_check_is_clean_in_production_configuration():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_updates={"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "tracker.example.vn"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_are_vietnamese_and_local_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_embedded_broker_is_used_without_redis_url():
    env = {"DEBUG": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CELERY_BROKER_URL, settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            **env,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filesystem://", "django.db.backends.sqlite3"]


def test_static_files_are_compressed_but_not_their_source_maps(tmp_path):
    """collectstatic's compression skips source maps (most of the bytes, read only by
    developer tools); the CSS and scripts pages load are still served compressed."""
    from whitenoise.compress import brotli_installed
    from whitenoise.storage import CompressedStaticFilesStorage

    storage = CompressedStaticFilesStorage(location=tmp_path)
    names = ("app.css", "app.js", "app.css.map")
    for name in names:
        (tmp_path / name).write_text("body { color: #1a1a1a; }\n" * 200)
    list(storage.post_process({name: (storage, name) for name in names}))
    suffixes = (".gz", ".br") if brotli_installed else (".gz",)  # brotli: with the benchmark's packages
    compressed = {f"{name}{suffix}" for name in ("app.css", "app.js") for suffix in suffixes}
    assert {path.name for path in tmp_path.iterdir()} == {*names, *compressed}
