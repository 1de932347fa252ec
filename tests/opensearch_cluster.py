"""A real two-node OpenSearch cluster on loopback for tests and benchmarks.

The launcher (tools/opensearch-cluster) runs both nodes in one JVM from Maven Central
artifacts; this module builds it once (Maven, then javac), starts it, waits for its
READY line, and can stop or restart node 2 to test a lost node.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "tools" / "opensearch-cluster"
# Read before tests point HOME at a temporary folder: Maven's downloads stay where they are.
MAVEN_REPOSITORY = Path(os.path.expanduser("~")) / ".m2" / "repository"
START_TIMEOUT_SECONDS = float(os.environ.get("NOTES_CLUSTER_START_TIMEOUT", "300"))
BUILD_TIMEOUT_SECONDS = float(os.environ.get("NOTES_CLUSTER_BUILD_TIMEOUT", "900"))
NODE_TIMEOUT_SECONDS = 120
HEAP = os.environ.get("NOTES_CLUSTER_HEAP", "640m")  # both nodes share one JVM


class ClusterUnavailable(Exception):
    """Java or Maven is missing: cluster tests are skipped, with this reason."""


class ClusterFailed(Exception):
    """The launcher did not build or start: a failure, never a skip."""


def missing_tools() -> str:
    """Why no cluster can be started here ("" when Java, javac and Maven are present)."""
    for tool in ("java", "javac", "mvn"):
        if shutil.which(tool) is None:
            return f"{tool} not found on PATH (needed for the OpenSearch test cluster)"
    return ""


def build_launcher() -> str:
    """Resolve the launcher's dependencies and compile it; its class path."""
    target = LAUNCHER / "target"
    classpath_file = target / "classpath.txt"
    classes = target / "classes"
    source = LAUNCHER / "src" / "main" / "java" / "notes" / "cluster" / "Launcher.java"
    maven = ["mvn", "-q", "-B", f"-Dmaven.repo.local={MAVEN_REPOSITORY}", "-f", str(LAUNCHER / "pom.xml")]
    _run([*maven, "dependency:build-classpath", f"-Dmdep.outputFile={classpath_file}"], "resolve")
    # randomizedtesting's RandomizedContext makes OpenSearch expect a JUnit runner
    # ("running tests but failed to invoke RandomizedContext#getRandom"); MockNode
    # does not need it, so it is left off the class path.
    jars = [
        jar for jar in classpath_file.read_text().strip().split(os.pathsep) if "randomizedtesting" not in jar
    ]
    classpath = os.pathsep.join(jars)
    if not (classes / "notes" / "cluster" / "Launcher.class").is_file() or (
        source.stat().st_mtime > (classes / "notes" / "cluster" / "Launcher.class").stat().st_mtime
    ):
        classes.mkdir(parents=True, exist_ok=True)
        _run(["javac", "-d", str(classes), "-cp", classpath, str(source)], "compile")
    return os.pathsep.join([str(classes), classpath])


def _run(command: list[str], step: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise ClusterFailed(f"launcher {step} took more than {BUILD_TIMEOUT_SECONDS:.0f} s") from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise ClusterFailed(f"launcher {step} failed ({done.returncode}):\n" + "\n".join(tail))


class LocalCluster:
    """The running launcher: `url` (node 1), `urls` (both), `stop_node(2)`, `start_node(2)`."""

    def __init__(self) -> None:
        if reason := missing_tools():
            raise ClusterUnavailable(reason)
        classpath = build_launcher()
        self.work = Path(tempfile.mkdtemp(prefix="notes-opensearch-"))
        self.log_path = self.work / "cluster.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in close())
        self._lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [
                "java",
                f"-Xmx{HEAP}",
                f"-Xms{HEAP}",
                "-XX:+UseSerialGC",
                "-Dopensearch.set.netty.runtime.available.processors=false",
                "-cp",
                classpath,
                "notes.cluster.Launcher",
                str(self.work / "data"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read_lines, daemon=True).start()
        self.urls: dict[int, str] = {}
        try:
            self._expect("READY", START_TIMEOUT_SECONDS)
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return self.urls[1]

    def _read_lines(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("EXITED")

    def _expect(self, word: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ClusterFailed(f"no {word} from the launcher in {timeout:.0f} s; log: {self.log_path}")
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line.startswith("NODE "):
                _, number, url = line.split()
                self.urls[int(number)] = url
            elif line.startswith(word):
                return
            elif line.startswith(("FAILED", "ERROR", "EXITED")):
                raise ClusterFailed(f"launcher: {line}; log: {self.log_path}")

    def _command(self, text: str, answer: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        self._expect(answer, NODE_TIMEOUT_SECONDS)

    def stop_node(self, number: int) -> None:
        self._command(f"stop {number}", "STOPPED")
        self.urls.pop(number, None)

    def start_node(self, number: int) -> None:
        self._command(f"start {number}", "STARTED")

    def close(self) -> None:
        """Stop both nodes and the JVM (killed if it does not exit in time)."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()
        shutil.rmtree(self.work / "data", ignore_errors=True)
