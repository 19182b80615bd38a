"""Drives the Python seed, aio-service-caller, under the same load as the Node clients.

Run by the harness with the venv's Python. Reads the run's settings from the BENCH_CHILD_CONFIG
environment variable (JSON), prints one `BENCH_RESULT <json>` line (or `BENCH_ERROR <message>`)
and, after a result, waits for the harness to read its CPU time from /proc. It exits as soon as
its stdin closes, so it never outlives the harness.

The seed discovers instances through Nacos only. Here its discovery is patched: StaticDiscovery
implements the seed's own IServiceDiscovery interface and answers with the same upstream instances
the Node clients use; everything else (ServiceManager.get, AsyncServiceTemplate, the round_robin
strategy, the LoggingInterceptor and AuthInterceptor, the aiohttp session) is the seed's own code.
"""

import os
import sys
import threading


def exit_when_stdin_closes():
    """The harness holds our stdin open; when it goes away, so do we."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(3)


# Started before the heavy imports below (pydantic, aiohttp take seconds on a busy machine), so the
# driver exits promptly even if the harness dies while it is still starting.
if __name__ == "__main__":
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()

import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from importlib.metadata import version  # noqa: E402

from aio_service_caller import (  # noqa: E402
    AuthInterceptor,
    LoggingInterceptor,
    NacosAppConfig,
    ServiceCallerConfig,
    ServiceManager,
)
from aio_service_caller.discovery import IServiceDiscovery  # noqa: E402
from aio_service_caller.http import AsyncServiceTemplate  # noqa: E402
from aio_service_caller.models import ServiceInstance  # noqa: E402

RESULT_PREFIX = "BENCH_RESULT "
ERROR_PREFIX = "BENCH_ERROR "


class StaticDiscovery(IServiceDiscovery):
    """The seed's discovery interface answered from a fixed list, like a warm Nacos cache.

    The seed's Nacos discovery on a cache hit builds a key string, checks a TTL and returns the
    cached list; this returns the list directly, so if anything it flatters the seed.
    """

    def __init__(self, service_name: str, host: str, ports: list[int]):
        self._service_name = service_name
        self._instances = [ServiceInstance(ip=host, port=p, service_name=service_name) for p in ports]

    async def get_instances(self, service_name: str, healthy_only: bool = True) -> list[ServiceInstance]:
        return self._instances if service_name == self._service_name else []

    async def get_one_instance(self, service_name: str, healthy_only: bool = True):
        instances = await self.get_instances(service_name, healthy_only)
        return instances[0] if instances else None

    async def close(self):
        pass


def create_manager(config: dict) -> ServiceManager:
    """A ServiceManager wired as its own start() wires it, minus the Nacos registry and discovery."""
    caller_config = ServiceCallerConfig.model_validate({"lb-type": "round_robin"})
    # The seed requires a Nacos app config; nothing connects to this address.
    app_config = NacosAppConfig.model_validate(
        {"server-addr": "127.0.0.1:8848", "ip": "127.0.0.1", "port": 1, "app-name": "bench-client"}
    )
    manager = ServiceManager(
        app_config=app_config,
        service_caller_config=caller_config,
        interceptors=[LoggingInterceptor(log_request=False, log_response=False), AuthInterceptor(token="bench-token")],
    )
    # What ServiceManager.start() does after registering with Nacos, with our discovery instead.
    manager._discovery = StaticDiscovery(config["serviceName"], config["host"], config["ports"])
    manager._service_template = AsyncServiceTemplate(
        manager._discovery,
        manager._lb_strategy,
        manager._interceptors,
        caller_config.connection_timeout,
        caller_config.read_timeout,
        caller_config.connection_pool_size,
    )
    return manager


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_phase(call, requests: int, concurrency: int, time_limit_s: float, max_errors: int) -> dict:
    """Same loop as the Node harness's runPhase: bounded in count, errors and time."""
    latencies: list[float] = []
    state = {"started": 0, "errors": 0, "first_error": None, "stopped": False}
    start = time.perf_counter()
    deadline = start + time_limit_s
    cpu_start = cpu_seconds()

    async def worker():
        while not state["stopped"] and state["started"] < requests and state["errors"] < max_errors:
            if time.perf_counter() > deadline:
                state["stopped"] = True
                return
            state["started"] += 1
            t0 = time.perf_counter()
            try:
                body = await call()
                if isinstance(body, dict) and body.get("ok") is True:
                    latencies.append((time.perf_counter() - t0) * 1000.0)
                else:
                    state["errors"] += 1
                    if state["first_error"] is None:
                        state["first_error"] = f"unexpected body: {str(body)[:120]}"
            except Exception as error:  # noqa: BLE001 - every failure is counted and reported
                state["errors"] += 1
                if state["first_error"] is None:
                    state["first_error"] = f"{type(error).__name__}: {error}"

    tasks = [asyncio.create_task(worker()) for _ in range(min(concurrency, requests))]
    # A call that never settles must not hold the phase past its bound.
    done, pending = await asyncio.wait(tasks, timeout=time_limit_s + 1.0)
    state["stopped"] = True
    for task in pending:
        task.cancel()
    cpu_us = (cpu_seconds() - cpu_start) * 1e6
    wall_ms = (time.perf_counter() - start) * 1000.0
    completed = len(latencies)
    return {
        "completed": completed,
        "errors": state["errors"],
        "firstError": state["first_error"],
        "timedOut": completed + state["errors"] < requests and state["errors"] < max_errors,
        "wallMs": wall_ms,
        "cpuUs": cpu_us,
        "latencies": latencies,
    }


def percentile(sorted_values: list[float], p: float):
    if not sorted_values:
        return None  # JSON has no NaN; the harness reads null as "no figure"
    rank = -(-p * len(sorted_values) // 100)  # ceil
    return sorted_values[min(len(sorted_values), max(1, int(rank))) - 1]


async def main() -> dict:
    config = json.loads(os.environ["BENCH_CHILD_CONFIG"])
    manager = create_manager(config)
    service, path = config["serviceName"], config["path"]

    def call():
        return manager.get(service, path)

    limits = (config["concurrency"], config["timeLimitMs"] / 1000.0, config["maxErrors"])
    try:
        if config["warmup"] > 0:
            warm = await run_phase(call, config["warmup"], *limits)
            if warm["errors"] > 0:
                raise RuntimeError(f"warm-up failed {warm['errors']} times; first: {warm['firstError']}")
        run = await run_phase(call, config["requests"], *limits)
    finally:
        await manager.stop()
    latencies = sorted(run.pop("latencies"))
    run["p50Ms"] = percentile(latencies, 50)
    run["p99Ms"] = percentile(latencies, 99)
    run["version"] = version("aio-service-caller")
    run["runtimeVersion"] = sys.version.split()[0]
    return run


RESULT_LINGER_SECONDS = 30  # as the Node clients: wait for the harness to read /proc, then go


if __name__ == "__main__":
    try:
        result = asyncio.run(main())
        # Our own count of the whole process's CPU, taken last: the harness compares the kernel's with it.
        result["processCpuUs"] = cpu_seconds() * 1e6
        sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
        sys.stdout.flush()
        # Idle until the harness closes our stdin (the watching thread then exits), or at most this long.
        time.sleep(RESULT_LINGER_SECONDS)
        code = 0
    except Exception as error:  # noqa: BLE001 - reported to the harness as one line
        sys.stdout.write(ERROR_PREFIX + f"{type(error).__name__}: {error}".replace("\n", " ") + "\n")
        code = 1
    sys.stdout.flush()
    os._exit(code)
