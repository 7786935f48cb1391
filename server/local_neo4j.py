"""The local Neo4j: a Neo4j 5.26 community DBMS embedded in a small JVM (see launcher/).

`start` builds the launcher once with Maven (classpath and APOC jar cached under
launcher/target, rebuilt only when its pom or sources change), spawns the JVM in its own
session, and waits until it prints its ready line; `stop` sends SIGTERM, waits for a clean
shutdown and kills the JVM only if it hangs, so no Java process is left behind.

Under `gridgraph serve` (`start(tied=True)`), the JVM also gets SIGTERM from the kernel if
the serving process dies without stopping it (even by SIGKILL), and `watch` reaps a JVM that
exits on its own or is killed from outside (no zombie) and reports it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.settings import PROJECT_ROOT, Settings

LAUNCHER_DIR = PROJECT_ROOT / "launcher"
LAUNCHER_MAIN = "gridgraph.launcher.EmbeddedNeo4j"
READY_MARKER = "GRIDGRAPH_NEO4J_READY"
STOP_TIMEOUT_S = 60.0
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent thread dies

# The only variables of our environment the JVM inherits: where Java and the tools are,
# the home and temp directories, locale and time zone. Secrets (the personal-data key, JWT
# secrets, the audit key, cloud credentials ...) stay out of the JVM and its /proc environ.
JVM_ENVIRONMENT: tuple[str, ...] = (
    "PATH",
    "JAVA_HOME",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
)


class LocalNeo4jError(RuntimeError):
    """The local Neo4j could not be built, started or stopped; the message says why."""


@dataclass(frozen=True)
class LocalNeo4jConfig:
    """Where and how the local Neo4j runs."""

    home: Path
    host: str = "127.0.0.1"
    port: int = 7687
    heap_mb: int = 1024
    pagecache_mb: int = 512
    auth: bool = True
    password: str = "gridgraph-dev"  # noqa: S105 - the documented development default
    start_timeout_s: float = 180.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalNeo4jConfig:
        """The local Neo4j configured by GRIDGRAPH_* settings; data in <data_dir>/neo4j."""
        return cls(
            home=settings.data_dir / "neo4j",
            host=settings.local_neo4j_host,
            port=settings.local_neo4j_port,
            heap_mb=settings.local_neo4j_heap_mb,
            pagecache_mb=settings.local_neo4j_pagecache_mb,
            auth=settings.local_neo4j_auth,
            password=settings.neo4j_password.get_secret_value(),
            start_timeout_s=settings.local_neo4j_start_timeout_s,
        )

    @property
    def pid_file(self) -> Path:
        return self.home / "launcher.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "launcher.log"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.host}:{self.port}"


class LocalNeo4j:
    """Start, stop and inspect one local Neo4j process."""

    def __init__(self, config: LocalNeo4jConfig) -> None:
        self.config = config
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False  # stop() is under way: the JVM's exit is expected

    # -- status ---------------------------------------------------------------------------

    def running_pid(self) -> int | None:
        """The pid of this data directory's launcher JVM, if one is alive."""
        try:
            pid = int(self.config.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_launcher_alive(pid) else None

    def status(self) -> str:
        """A one-line human description of the state."""
        pid = self.running_pid()
        if pid is None:
            return f"stopped (data in {self.config.home})"
        answering = "answering" if _port_open(self.config.host, self.config.port) else "starting"
        return (
            f"running, pid {pid}, {self.config.bolt_uri} {answering} (data in {self.config.home})"
        )

    # -- start ----------------------------------------------------------------------------

    def start(self, tied: bool = False) -> bool:
        """Start and wait until Bolt answers; False when it was already running.

        `tied`: the JVM gets SIGTERM when this process dies (Linux), for `gridgraph serve`.
        """
        if self.running_pid() is not None:
            return False
        java = _find_java()
        if _port_open(self.config.host, self.config.port):
            raise LocalNeo4jError(
                f"port {self.config.port} on {self.config.host} is already taken by another "
                "process; stop it or set GRIDGRAPH_LOCAL_NEO4J_PORT"
            )
        classpath = build_launcher()
        self.config.home.mkdir(parents=True, exist_ok=True)
        command = [
            java,
            f"-Xmx{self.config.heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:-OmitStackTraceInFastThrow",
            "-cp",
            classpath,
            LAUNCHER_MAIN,
            f"--home={self.config.home}",
            f"--host={self.config.host}",
            f"--port={self.config.port}",
            f"--plugins={LAUNCHER_DIR / 'target' / 'plugins'}",
            f"--pagecache-mb={self.config.pagecache_mb}",
            f"--auth={'true' if self.config.auth else 'false'}",
        ]
        env = jvm_environment(self.config.password)
        with self.config.log_file.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent if tied and sys.platform == "linux" else None,
            )
        self.config.pid_file.write_text(str(self._process.pid))
        self._wait_until_ready(self._process)
        return True

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.config.start_timeout_s
        while time.monotonic() < deadline:
            if READY_MARKER in self._log_text():
                return
            if process.poll() is not None:
                self.config.pid_file.unlink(missing_ok=True)
                raise LocalNeo4jError(
                    f"Neo4j exited with status {process.returncode} while starting:\n"
                    + self._log_tail()
                )
            time.sleep(0.2)
        self.stop()
        raise LocalNeo4jError(
            f"Neo4j did not become ready within {self.config.start_timeout_s:.0f}s:\n"
            + self._log_tail()
        )

    def _log_text(self) -> str:
        try:
            return self.config.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self, lines: int = 25) -> str:
        kept = [line for line in self._log_text().splitlines() if not line.startswith("\tat ")]
        return "\n".join(kept[-lines:])

    @property
    def pid(self) -> int | None:
        """The pid of the JVM this object started (None if it started none)."""
        return None if self._process is None else self._process.pid

    def watch(self, on_exit: Callable[[int, int], None]) -> None:
        """Reap the JVM this object started when it exits, and call on_exit(pid, status)
        unless `stop` stopped it (a daemon thread waits for it)."""
        process = self._process
        if process is None:
            return

        def wait() -> None:
            status = process.wait()
            if not self._stopping:
                on_exit(process.pid, status)

        threading.Thread(target=wait, name="gridgraph-neo4j-reaper", daemon=True).start()

    # -- stop -----------------------------------------------------------------------------

    def stop(self) -> bool:
        """Shut Neo4j down cleanly (SIGTERM, then SIGKILL after a minute); False if not running."""
        if self._process is not None and self._process.poll() is not None:
            self._process = None  # the JVM this object started is gone; the pid file may
            return False  # name another one, started since by someone else: not ours to stop
        pid = self.running_pid()
        if pid is None:
            self.config.pid_file.unlink(missing_ok=True)
            return False
        self._stopping = True
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while _is_launcher_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_launcher_alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _is_launcher_alive(pid):
                time.sleep(0.1)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.config.pid_file.unlink(missing_ok=True)
        return True


# -- building the launcher -----------------------------------------------------------------


def _launcher_inputs_hash() -> str:
    digest = hashlib.sha256()
    sources = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]
    for path in sources:
        digest.update(path.relative_to(LAUNCHER_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_launcher() -> str:
    """Compile the launcher if its inputs changed and return the JVM classpath to run it."""
    target = LAUNCHER_DIR / "target"
    stamp = target / "gridgraph-build.sha256"
    classpath_file = target / "classpath.txt"
    wanted = _launcher_inputs_hash()
    built = stamp.read_text().strip() if stamp.exists() else ""
    if built != wanted or not classpath_file.exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalNeo4jError("Maven (mvn) not found on PATH: it fetches Neo4j's jars")
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [mvn, "-B", "-q", "-f", str(LAUNCHER_DIR / "pom.xml"), "compile"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise LocalNeo4jError("building the Neo4j launcher failed:\n" + result.stdout[-4000:])
        stamp.write_text(wanted)
    plugins = sorted(str(jar) for jar in (target / "plugins").glob("*.jar"))
    # APOC sits both in the plugin folder (where Neo4j discovers procedures) and on the
    # classpath (where Neo4j discovers APOC's extension, which the procedures inject).
    parts = [str(target / "classes"), classpath_file.read_text().strip(), *plugins]
    return os.pathsep.join(parts)


# -- process helpers -----------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the JVM's process before exec: SIGTERM it when the process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def jvm_environment(password: str) -> dict[str, str]:
    """The JVM's whole environment: the allow-listed variables and its initial password."""
    env = {name: os.environ[name] for name in JVM_ENVIRONMENT if name in os.environ}
    env["GRIDGRAPH_NEO4J_PASSWORD"] = password
    return env


def _find_java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise LocalNeo4jError("Java not found: install a JDK 17+ or set JAVA_HOME")
    return java


def _is_launcher_alive(pid: int) -> bool:
    """True when pid is a live (not zombie) process running our launcher main class."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own exited child
    proc = Path(f"/proc/{pid}")
    try:
        cmdline = (proc / "cmdline").read_bytes()
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return LAUNCHER_MAIN.encode() in cmdline and state != "Z"


def _port_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
