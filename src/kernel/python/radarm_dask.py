"""The Dask engine: one client per kernel (an existing scheduler, or a local cluster sized to the machine),
datasets read lazily, progress from Dask's own progress plugin, and Stop that cancels the cluster's work.

Dask is imported only when a dataset goes to the Dask engine, so that the kernel starts as fast as before.
Part of Radarm's Python kernel.
"""
import logging
import os

from radarm_datasets import DatasetError

CONNECT_TIMEOUT_S = 5
CANCEL_TIMEOUT_S = 3
PROGRESS_INTERVAL = "250ms"

STATE = {"client": None, "address": None, "dashboard": None, "request": None, "send": None, "ns": None}


def bind(send, ns):
    """The runner's protocol writer and namespace (client and dd are bound there once a client exists)."""
    STATE["send"] = send
    STATE["ns"] = ns


def begin_run(req_id):
    """The request whose progress the next computations report."""
    STATE["request"] = req_id


def _quiet_logs():
    # Distributed logs heartbeats and warnings to stderr, which the kernel would show as the code's output.
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _dashboard(client):
    """The dashboard's address when it really serves one (the scheduler lists the port even without bokeh)."""
    try:
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return None
        link = client.dashboard_link
        if not link.startswith(("http://", "https://")):
            return None
        from urllib.request import urlopen
        with urlopen(link, timeout=1) as r:
            return link if r.status == 200 else None
    except Exception:
        return None


def _describe_failure(address, err):
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return ("could not connect to the Dask scheduler at {} within {} s ({}). Check that the scheduler runs and "
            "that this machine can reach that address (setting radarm.dask.scheduler, CLI --dask-scheduler); "
            "leave the setting empty to run a local cluster instead".format(address, CONNECT_TIMEOUT_S, text))


def get_client(address):
    """The kernel's client for `address` (None: a local cluster), made once and reused."""
    client = STATE["client"]
    if client is not None and STATE["address"] == address and client.status == "running":
        return client
    close()
    _quiet_logs()
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=True)
        except Exception as err:  # OSError, TimeoutError, ValueError for a malformed address
            raise DatasetError(_describe_failure(address, err), code="dask")
    else:
        # Threads, not processes: worker processes would re-run the kernel's main module. TCP on loopback, which
        # the sandbox's own network namespace has too (Dask 2022.12's inproc:// transport fails on read_csv graphs).
        cluster = LocalCluster(processes=False, n_workers=1, threads_per_worker=os.cpu_count() or 1,
                               host="127.0.0.1", protocol="tcp://", dashboard_address="127.0.0.1:0",
                               memory_limit=0)
        client = Client(cluster, set_as_default=True)
    dask.config.set({"dataframe.shuffle.method": "tasks"})
    _instrument(client)
    STATE.update(client=client, address=address, dashboard=_dashboard(client))
    ns = STATE["ns"]
    if ns is not None:
        ns["client"] = client
        ns["dd"] = dd
    return client


def where():
    """One line about where the computations run, for the profile."""
    client = STATE["client"]
    if client is None:
        return ""
    try:
        workers = client.scheduler_info().get("workers", {})
        threads = sum(w.get("nthreads", 0) for w in workers.values())
    except Exception:
        workers, threads = {}, 0
    place = "the Dask scheduler at {}".format(STATE["address"]) if STATE["address"] else "a local Dask cluster"
    text = "{} ({} worker{}, {} thread{})".format(place, len(workers), "" if len(workers) == 1 else "s",
                                                 threads, "" if threads == 1 else "s")
    if STATE["dashboard"]:
        text += ", dashboard " + STATE["dashboard"]
    return text


def read(parts, fmt, opts, address):
    """A lazy Dask DataFrame over the parts (the workers read the files: they must see the same paths)."""
    get_client(address)
    import dask.dataframe as dd
    if fmt == "csv":
        # assume_missing: an integer column with a gap in a later block would otherwise fail mid-computation.
        return dd.read_csv(parts, blocksize="64MB", assume_missing=True, **opts)
    return dd.read_parquet(parts)


# --- progress and cancellation ----------------------------------------------------------------------------------


def _progress_class():
    from distributed.diagnostics.progressbar import ProgressBar

    class RadarmProgress(ProgressBar):
        """Dask's progress plugin on the scheduler feeds this; each update becomes a `progress` line."""

        def __init__(self, futures, req_id):
            super().__init__(futures, scheduler=STATE["client"].scheduler.address, interval=PROGRESS_INTERVAL)
            self.req_id = req_id

        def _draw_bar(self, remaining=0, all=0, status=None, **kwargs):  # noqa: A002 (Dask's name)
            send = STATE["send"]
            if send is None or self.req_id is None or STATE["request"] != self.req_id:
                return
            msg = {"id": self.req_id, "type": "progress", "done": int(all - remaining), "total": int(all)}
            if STATE["dashboard"]:
                msg["url"] = STATE["dashboard"]
            try:
                send(msg)
            except BaseException:
                pass  # progress is best effort: never disturb the computation

    return RadarmProgress


def _instrument(client):
    """Reports progress of every graph the client submits, and cancels a `compute()` that is interrupted."""
    live = []
    submit = client._graph_to_futures
    get = client.get
    progress = _progress_class()

    def graph_to_futures(*args, **kwargs):
        futures = submit(*args, **kwargs)
        live[:] = list(futures.values())
        if STATE["request"] is not None and futures:
            bar = progress(list(futures.values()), STATE["request"])
            client.loop.add_callback(bar.listen)
        return futures

    def guarded_get(*args, **kwargs):
        try:
            return get(*args, **kwargs)
        except BaseException:
            # Stop (KeyboardInterrupt), a timeout or an error: the cluster drops the work instead of finishing it.
            cancel(list(live))
            raise
        finally:
            del live[:]

    client._graph_to_futures = graph_to_futures
    client.get = guarded_get


def cancel(futures):
    client = STATE["client"]
    if client is None or not futures:
        return
    try:
        client.sync(client._cancel, futures, callback_timeout=CANCEL_TIMEOUT_S)
    except BaseException:
        pass  # the scheduler is gone or slow: the futures are released anyway


def close():
    client = STATE["client"]
    STATE.update(client=None, address=None, dashboard=None)
    if client is None:
        return
    cluster = getattr(client, "cluster", None)
    try:
        client.close(timeout=2)
        if cluster is not None:
            cluster.close(timeout=2)
    except Exception:
        pass


# --- values: the verifier and the explanation see computed results ------------------------------------------------

PREVIEW_ROWS = 20


class LazyPreview(object):
    """A multi-partition Dask collection as a value: its first rows, and what it is."""

    def __init__(self, kind, npartitions, head):
        self.text = ("<lazy Dask {} with {} partitions: the first {} rows are shown; .compute() a small result "
                     "(an aggregate, .head(), a filtered sample) to see values>\n{!r}".format(
                         kind, npartitions, len(head), head))

    def __repr__(self):
        return self.text


def is_collection(value):
    return type(value).__module__.startswith("dask.") and hasattr(value, "__dask_graph__")


def materialize(value):
    """Dask values as pandas: an aggregate (one partition) or a scalar in full, a big frame by its first rows."""
    if not is_collection(value):
        return value
    import dask.dataframe as dd
    if isinstance(value, (dd.DataFrame, dd.Series, dd.Index)):
        if value.npartitions == 1:
            return value.compute()
        return LazyPreview(type(value).__name__, value.npartitions, value.head(PREVIEW_ROWS, npartitions=1))
    if isinstance(value, dd.core.Scalar):
        return value.compute()
    return value
