"""Every error is one line naming its cause: usage errors, ports that cannot be listened on."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from _cli import EXECUTABLE, make_cli


def test_usage_errors_are_one_line_with_exit_code_2(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "data")
    for args, expected in (
        (["stores", "add"], "Missing option '--name'"),
        (["orders", "list", "--limit", "0"], "--limit"),
        (["jobs", "list", "--state", "lost"], "unknown state 'lost'"),
        (["orders", "shipp"], "No such command 'shipp'"),
    ):
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("error: ") and expected in lines[0], lines
        assert "╭" not in result.stderr and "─" not in result.stderr


def test_a_sandbox_port_out_of_range_is_one_line(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "data")
    result = cli("sandbox", "walmart", "--port", "99999")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: The Walmart sandbox port 99999 is not a TCP port (1-65535)."
    commerce = cli("sandbox", "commerce", "--port", "0")
    assert commerce.returncode == 1 and len(commerce.stderr.strip().splitlines()) == 1


def test_run_on_a_taken_port_says_so_once_and_never_that_it_is_listening(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "data")
    assert cli("init").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [EXECUTABLE, "run", "--port", str(port)], env=cli.env, capture_output=True, text=True, timeout=60
        )
        sandbox = cli("sandbox", "commerce", "--port", str(port))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "listening" not in result.stdout
    assert result.stderr.strip().splitlines() == [
        f"error: The API cannot listen on 127.0.0.1:{port}: Address already in use."
    ]
    assert sandbox.returncode == 1
    assert "cannot listen on" in sandbox.stderr and len(sandbox.stderr.strip().splitlines()) == 1
