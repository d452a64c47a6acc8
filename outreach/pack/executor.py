"""Where the pack's jobs run: any `concurrent.futures.Executor`.

A local process pool is the default. `--scheduler tcp://HOST:PORT` runs the same jobs on
a Dask distributed cluster through `Client.get_executor()`; dask is an optional extra.
The executor is created lazily, so a pack with nothing to render starts no process.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Executor
from typing import Any


class ExecutorError(Exception):
    """A usage problem: the scheduler cannot be used. Message and hint for the user."""

    def __init__(self, message: str, hint: str):
        self.message = message
        self.hint = hint
        super().__init__(f"{message} — {hint}")


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def check_scheduler(address: str | None) -> None:
    """Fail early, before any work, if --scheduler cannot work here."""
    if address is None:
        return
    if not address.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise ExecutorError(
            f"--scheduler `{address}` is not a scheduler address", "write it as tcp://HOST:PORT"
        )
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise ExecutorError(
            "--scheduler needs dask.distributed, which is not installed",
            "install it with: pip install 'outreach[dask]'",
        )


def die_with_parent(parent: int) -> None:
    """Pool workers end when the pack is killed (SIGKILL cannot be caught), instead of
    lingering and writing into a pack that a re-run is finishing. They ignore Ctrl-C: the
    pack itself handles it (stops them and says so), so no worker prints a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def start_worker(parent: int, ui_lang: str) -> None:
    """A pool worker: ends with the pack and speaks the pack's interface language."""
    from outreach.i18n import set_language

    set_language(ui_lang)
    die_with_parent(parent)


class LazyExecutor:
    """Opens the real executor on the first submit; `close()` shuts it down."""

    def __init__(self, jobs: int, scheduler: str | None = None):
        self.jobs = jobs
        self.scheduler = scheduler
        self._executor: Executor | None = None
        self._client: Any = None

    @property
    def where(self) -> str:
        return (
            f"Dask cluster {self.scheduler}" if self.scheduler else f"{self.jobs} local processes"
        )

    def connect(self) -> None:
        self._open()

    def _open(self) -> Executor:
        if self._executor is None:
            if self.scheduler:
                from distributed import Client

                try:
                    self._client = Client(self.scheduler, timeout="10s")
                except OSError as exc:
                    raise ExecutorError(
                        f"cannot reach the Dask scheduler at {self.scheduler}: {exc}",
                        "start it with `dask scheduler` or check the address",
                    ) from exc
                self._executor = self._client.get_executor(pure=False)
            else:
                from concurrent.futures import ProcessPoolExecutor

                from outreach.i18n import current_language

                self._executor = ProcessPoolExecutor(
                    max_workers=self.jobs,
                    initializer=start_worker,
                    initargs=(os.getpid(), current_language()),
                )
        return self._executor

    def submit(self, fn: Any, *args: Any) -> Any:
        return self._open().submit(fn, *args)

    def close(self, cancel: bool = False) -> None:
        if self._executor is not None:
            if cancel:  # Ctrl-C: running jobs are abandoned, their workers stopped now
                for proc in list(getattr(self._executor, "_processes", {}).values()):
                    with contextlib.suppress(OSError, AttributeError):
                        proc.terminate()
            try:
                self._executor.shutdown(wait=not cancel, cancel_futures=cancel)
            except TypeError:  # Dask's ClientExecutor.shutdown takes only `wait`
                self._executor.shutdown(wait=not cancel)
            self._executor = None
        if self._client is not None:
            self._client.close()
            self._client = None
