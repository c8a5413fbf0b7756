"""Where the image stage runs: this machine's cores, or an existing dask.distributed cluster.

``images.process`` takes any ``concurrent.futures.Executor``; this module turns the user's
choice (``--executor`` or ``[images] executor``) into one:

- ``local`` (the default): None, so ``images`` uses a process pool on this machine;
- ``dask://HOST:PORT`` (or a scheduler address ``tcp://HOST:PORT``, ``tls://...``): the
  cluster's ``distributed.Client(address).get_executor()``, from the optional extra
  ``presssite[dask]``.

The client connects on the first photo submitted, so a build whose photos all come from
the image cache never contacts the cluster. The workers write thumbnails straight into
the image cache, so they must see the site's folder and its cache folder at the same
paths as this machine (a shared file system).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from presssite.errors import PresssiteError, UsageError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "10s"


def parse(value: str) -> str | None:
    """The scheduler address of an executor setting; None for the local pool.

    Raises ``UsageError`` for anything else.
    """
    text = value.strip()
    if text in ("", "local"):
        return None
    if text.startswith("dask://"):
        address = text.removeprefix("dask://").strip("/")
        if address:
            return f"tcp://{address}"
    elif text.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
        return text
    raise UsageError(
        f"unknown executor {value!r}",
        key="executor",
        hint='use "local" or the address of a dask scheduler, e.g. dask://10.0.0.5:8786',
    )


class DaskExecutor(Executor):
    """A dask.distributed cluster as an ``Executor``, connected on first use."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._client: Any = None
        self._executor: Executor | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._executor is None:
            self._connect()
        assert self._executor is not None
        return self._executor.submit(fn, *args, **kwargs)

    def _connect(self) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(
                "the dask executor needs dask.distributed",
                key="executor",
                hint="install presssite with its dask extra: pip install 'presssite[dask]'",
            ) from None
        try:
            self._client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise PresssiteError(
                f"cannot reach the dask scheduler at {self.address}: {exc}",
                key="executor",
                hint="start the cluster (dask scheduler, dask worker) or build with "
                "--executor local",
            ) from None
        log.info("processing photos on the dask cluster at %s", self.address)
        self._executor = self._client.get_executor()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait)
        if self._client is not None:
            self._client.close()
        self._client = self._executor = None


def open_executor(value: str | None) -> Executor | None:
    """The executor a setting names (None: the local pool); the caller shuts it down."""
    address = parse(value) if value is not None else None
    return DaskExecutor(address) if address is not None else None
