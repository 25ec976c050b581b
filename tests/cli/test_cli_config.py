"""Configuration as the README describes it: where the file lives, and what is refused at start."""

from __future__ import annotations

from pathlib import Path

from _cli import make_cli


def test_init_writes_the_config_file_in_the_data_directory_when_only_that_is_set(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli = make_cli(data, HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home" / "share"))
    result = cli("init")
    assert result.returncode == 0, result.stderr
    assert (data / "config.toml").exists()
    assert f"Config file:    {data / 'config.toml'}" in result.stdout
    assert not (tmp_path / "home" / "share" / "channel-manager" / "config.toml").exists()


def test_a_malformed_config_file_is_named_with_its_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.toml").write_text('log_level = "INFO"\nlog_format = \n')
    result = make_cli(data)("stores", "list")
    assert result.returncode == 1
    assert (
        str(data / "config.toml") in result.stderr and "not valid TOML" in result.stderr and "line 2" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_keys_and_invalid_values_are_refused_at_start_naming_the_file_and_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    config = data / "config.toml"
    cli = make_cli(data)
    assert cli("init").returncode == 0

    config.write_text('log_levl = "DEBUG"\n')
    unknown = cli("stores", "list")
    assert unknown.returncode == 1
    assert f"The config file {config} has an unknown key 'log_levl'" in unknown.stderr

    config.write_text('log_level = "LOUD"\n')
    loud = cli("stores", "list")
    assert loud.returncode == 1
    assert f"The config file {config}, key 'log_level', is invalid" in loud.stderr and "'LOUD'" in loud.stderr

    config.write_text("api_port = 99999\n")
    port = cli("run")
    assert port.returncode == 1
    assert "key 'api_port'" in port.stderr

    config.write_text("")
    env_loud = make_cli(data, CHANNEL_MANAGER_LOG_LEVEL="LOUD")("stores", "list")
    assert env_loud.returncode == 1
    assert "The environment variable CHANNEL_MANAGER_LOG_LEVEL is invalid" in env_loud.stderr
    for result in (unknown, loud, port, env_loud):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_commands_log_to_stderr_only_when_asked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli = make_cli(data)
    assert cli("init").returncode == 0
    quiet = cli("orders", "list")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "[info" not in quiet.stdout and "event" not in quiet.stdout
    verbose = cli(
        "--verbose", "stores", "add", "--name", "S", "--walmart-client-id", "c", "--walmart-client-secret", "s",
        "--commerce-url", "https://shop.example.com", "--commerce-token", "t", "--no-verify",
    )  # fmt: skip
    assert verbose.returncode == 0, verbose.stderr
    assert "Store 'S' connected" in verbose.stdout
    assert "[info" not in verbose.stdout
