"""Confidentiality: no network, private files, nothing written but what was asked for.

Scenario files describe victims of crimes. Every command runs here in a child process
with
- sockets blocked: a `sitecustomize.py` on PYTHONPATH makes every internet socket,
  connection and name lookup fail, and records the attempt (local pipes and Unix
  sockets, which worker processes use, still work);
- HOME, TMPDIR and the XDG directories pointed at empty directories, which must stay
  empty (no caches, no history, no logs, no telemetry ids);
- an empty working directory, which may gain only the files the command was asked to
  write, each readable by its owner only (0600), even under `umask 000`.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import DATA, ROOT, cli_command

CONTRACT = DATA / "contract"
MINOR = str(CONTRACT / "contract-minor-2002.yaml")
UNKNOWN = str(CONTRACT / "contract-unknown.yaml")
SCENARIO_WITH_EXPECT = str(ROOT / "scenarios" / "ana-2002-minor.yaml")

SITECUSTOMIZE = '''
"""Test harness: refuse every network access of this process, and record it."""
import os
import socket

_LOG = os.environ["NETWORK_ATTEMPTS_LOG"]


def _record(what):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(what + "\\n")
    return OSError(f"network access blocked by the confidentiality test: {what}")


class _Socket(socket.socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and family != socket.AF_UNIX:
            raise _record(f"socket({family!r})")
        super().__init__(family, type, proto, fileno)


def _refuse(name):
    def refuse(*args, **kwargs):
        raise _record(f"{name}{args!r}")
    return refuse


socket.socket = _Socket
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
              "gethostbyaddr", "getnameinfo", "create_server"):
    setattr(socket, _name, _refuse(_name))
'''


@pytest.fixture
def sandbox(tmp_path: Path):
    """Directories for one run, and the environment that points the child at them."""
    dirs = {name: tmp_path / name for name in ("home", "tmp", "cwd", "site", "log")}
    for path in dirs.values():
        path.mkdir()
    (dirs["site"] / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = dirs["log"] / "network-attempts.txt"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "PYTHON", "HYPOTHESIS"))
    }
    env.update(
        HOME=str(dirs["home"]),
        TMPDIR=str(dirs["tmp"]),
        TMP=str(dirs["tmp"]),
        TEMP=str(dirs["tmp"]),
        XDG_CACHE_HOME=str(dirs["home"] / ".cache"),
        XDG_CONFIG_HOME=str(dirs["home"] / ".config"),
        XDG_DATA_HOME=str(dirs["home"] / ".local/share"),
        XDG_STATE_HOME=str(dirs["home"] / ".local/state"),
        PYTHONPATH=str(dirs["site"]),
        NETWORK_ATTEMPTS_LOG=str(log),
        COLUMNS="100",
    )

    def run(
        *args: str, input: str | None = None, umask: int = 0o022, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cli_command(*args),
            cwd=dirs["cwd"],
            env=env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            umask=umask,
        )

    dirs["log_file"] = log
    return dirs, env, run


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_the_socket_block_works(sandbox) -> None:
    """The harness itself: a child that tries to connect fails, and is recorded."""
    dirs, env, _ = sandbox
    code = textwrap.dedent("""
        import socket
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        except OSError as exc:
            print("blocked:", exc)
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:
            print("blocked:", exc)
        a, b = socket.socketpair()  # local IPC stays possible
        print("socketpair ok")
    """)
    p = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.stdout.count("blocked:") == 2 and "socketpair ok" in p.stdout, p.stderr
    assert "create_connection" in dirs["log_file"].read_text()


def _available(command: str) -> bool:
    return importlib.util.find_spec(f"eligibility.commands.{command}") is not None


# (command line, exit codes allowed, files it was asked to write, stdin)
COMMANDS: list = [
    ("evaluate-json", ["evaluate", MINOR, UNKNOWN, "--format", "json"], (0,), (), None),
    (
        "evaluate-durable-out",
        ["evaluate", MINOR, UNKNOWN, "--format", "csv", "--out", "results.csv"],
        (0,),
        ("results.csv",),
        None,
    ),
    ("evaluate-table", ["evaluate", MINOR, "--format", "table"], (0,), (), None),
    (
        "evaluate-python-jsonl-out",
        ["evaluate", MINOR, "--engine", "python", "--format", "jsonl", "--out", "results.jsonl"],
        (0,),
        ("results.jsonl",),
        None,
    ),
    ("explain", ["explain", MINOR], (0,), (), None),
    ("explain-json", ["explain", MINOR, "--format", "json"], (0,), (), None),
    ("explain-export", ["explain", MINOR, "--export", "report.html"], (0,), ("report.html",), None),
    (
        "interview-save",
        ["interview", "--save", "saved.yaml", "--engine", "python"],
        (0,),
        ("saved.yaml",),
        "16\n16\nnoncitizen\nquit\ny\n",
    ),
    (
        "compare-files",
        ["compare", "--rules", "us-law", "--rules", "rights-based-2007", MINOR, UNKNOWN],
        (0,),
        (),
        None,
    ),
    (
        "compare-generated-workers",
        [
            "compare",
            "--rules",
            "us-law",
            "--rules",
            "rights-based-2007",
            "--generate",
            "300",
            "--jobs",
            "2",
            "--out",
            "population.csv",
        ],
        (0,),
        ("population.csv",),
        None,
    ),
    ("test", ["test", SCENARIO_WITH_EXPECT], (0, 1), (), None),
    # Hypothesis caches constants of local source files in ./.hypothesis/ even with
    # database=None; `check` points it at a private temporary directory (issue 7)
    pytest.param(
        "check",
        ["check", "--examples", "3", "--engine", "python"],
        (0, 1),
        (),
        None,
        marks=pytest.mark.slow,  # the whole sweep at every date: seconds
    ),
    ("rules", ["rules", "us-law"], (0,), (), None),
    ("schema", ["schema"], (0,), (), None),
]


def _sampled(commands: list) -> list:
    """Every command in `make test` and CI; every other one in the development loop,
    which skips `slow` (each is a child process in a sandbox)."""
    params = []
    for index, command in enumerate(commands):
        values, marks = (
            (command.values, list(command.marks)) if hasattr(command, "values") else (command, [])
        )
        if index % 2:
            marks.append(pytest.mark.slow)
        params.append(pytest.param(*values, id=values[0], marks=marks))
    return params


@pytest.mark.parametrize("name, args, codes, written, stdin", _sampled(COMMANDS))
def test_offline_private_and_tidy(sandbox, name, args, codes, written, stdin) -> None:
    if not _available(args[0]):
        pytest.skip(f"`eligibility {args[0]}` does not exist yet")
    dirs, _, run = sandbox
    p = run(*args, input=stdin, umask=0o000)  # a careless umask must not matter
    assert p.returncode in codes, p.stderr[-3000:]
    assert "Traceback" not in p.stderr
    assert not dirs["log_file"].exists(), (
        f"network access attempted: {dirs['log_file'].read_text()}"
    )
    assert _tree(dirs["home"]) == [], "wrote under HOME"
    assert _tree(dirs["tmp"]) == [], "wrote under TMPDIR"
    assert _tree(dirs["cwd"]) == sorted(written), "wrote more than was asked for"
    for file in written:
        mode = stat.S_IMODE(os.stat(dirs["cwd"] / file).st_mode)
        assert mode == 0o600, f"{file} is {oct(mode)}, expected 0o600"


def test_out_replaces_an_existing_readable_file_with_a_private_one(sandbox) -> None:
    dirs, _, run = sandbox
    target = dirs["cwd"] / "results.json"
    target.write_text("old")
    target.chmod(0o644)
    p = run("evaluate", MINOR, "--format", "json", "--out", "results.json")
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert "contract-minor-2002" in target.read_text()


def test_a_failed_run_leaves_no_output_and_no_temporary_file(sandbox, tmp_path) -> None:
    """A bad file after good ones: the output file is not created, whatever the format."""
    dirs, _, run = sandbox
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nfacts:\n  age_now: old\n")
    for fmt in ("json", "jsonl", "csv", "table"):
        p = run("evaluate", MINOR, UNKNOWN, str(bad), "--format", fmt, "--out", f"out.{fmt}")
        assert p.returncode == 2 and "bad.yaml:3: facts.age_now" in p.stderr
        assert _tree(dirs["cwd"]) == [], fmt


def test_a_write_error_is_a_clear_error_not_a_crash(sandbox) -> None:
    _, _, run = sandbox
    for target, message in (
        ("/proc/results.json", "cannot create a file in /proc"),
        ("/dev/full", "/dev/full: cannot write: No space left"),
        ("no-such-dir/results.json", "does not exist"),
    ):
        p = run("evaluate", MINOR, "--format", "json", "--out", target)
        assert p.returncode == 2 and message in p.stderr, p.stderr
        assert "internal error" not in p.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode), "the device was replaced"


def test_devices_are_written_to_not_replaced(sandbox) -> None:
    """`--out /dev/stdout` works, and (as root) /dev/null stays a device."""
    _, _, run = sandbox
    p = run("evaluate", MINOR, "--format", "csv", "--out", "/dev/stdout")
    assert p.returncode == 0 and p.stdout.startswith("scenario,rule_set"), p.stderr
    p = run("evaluate", MINOR, "--format", "csv", "--out", "/dev/null")
    assert p.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


NETWORK_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "requests",
    "httpx",
    "aiohttp",
    "smtplib",
    "ftplib",
    "telnetlib",
    "xmlrpc",
    "websocket",
    "asyncio",
    "logging",
    "webbrowser",
}


def test_no_module_can_reach_the_network_or_write_logs() -> None:
    """No telemetry, no update checks, no logging: the package imports nothing that
    talks to the network or writes logs (a static check of every module)."""
    found = []
    for path in sorted((ROOT / "eligibility").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            found += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in NETWORK_MODULES
            ]
    assert found == []


def test_errors_never_print_the_facts_of_other_scenarios(sandbox, tmp_path) -> None:
    """With --keep-going, a bad file's error names that file only; the facts of the
    good files never reach stderr."""
    _, _, run = sandbox
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nfacts:\n  commercial_sex_act: maybe\n")
    p = run("evaluate", MINOR, str(bad), "--format", "jsonl", "--keep-going")
    assert p.returncode == 2
    assert "bad.yaml:3" in p.stderr and "contract-minor" not in p.stderr
    assert "noncitizen" not in p.stderr
