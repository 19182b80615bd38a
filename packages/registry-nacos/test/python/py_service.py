"""A Python service for the interop tests, on the Python library this project succeeds.

It registers itself in Nacos with aio-service-caller 0.1.15 (nacos-sdk-python 2.x, over gRPC),
serves HTTP on 127.0.0.1, and answers:
  GET /hello                   -> {"from": "python", "name": <its name>}
  GET /call?service=S&path=P   -> what calling S at P through its own ServiceManager returned
                                  (discovery, balancer and all), as {"result": ...}
  GET /list?service=S          -> what its discovery lists for S: {"instances": [{"ip", "port"}]}
Once registered and serving it prints one line of JSON on stdout: {"ready": true, "port": N}.

    python -B py_service.py --server-addr 127.0.0.1:8848 --name py-svc [--namespace public]
"""

import argparse
import asyncio
import json
import sys

from aiohttp import web
from aio_service_caller import NacosAppConfig, ServiceCallerConfig, ServiceManager


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-addr", required=True)
    parser.add_argument("--name", required=True)
    # Unset: the library's own default (the empty namespace), which Nacos 3 keeps apart from public.
    parser.add_argument("--namespace")
    parser.add_argument("--username")
    parser.add_argument("--password")
    return parser.parse_args()


async def main() -> None:
    args = parse_args()
    holder: dict[str, ServiceManager] = {}

    async def hello(_: web.Request) -> web.Response:
        return web.json_response({"from": "python", "name": args.name})

    async def call(request: web.Request) -> web.Response:
        service = request.query["service"]
        path = request.query.get("path", "/")
        try:
            result = await holder["manager"].get(service, path)
        except Exception as error:  # the test reads the failure from the answer
            return web.json_response({"error": f"{type(error).__name__}: {error}"}, status=502)
        return web.json_response({"result": result})

    async def listed(request: web.Request) -> web.Response:
        discovery = holder["manager"]._discovery  # the library exposes no public accessor
        instances = await discovery.get_instances(request.query["service"])
        return web.json_response({"instances": [{"ip": i.ip, "port": i.port} for i in instances]})

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/call", call)
    app.router.add_get("/list", listed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]

    nacos = {"server-addr": args.server_addr, "ip": "127.0.0.1", "port": port, "app-name": args.name}
    if args.namespace is not None:
        nacos["namespace"] = args.namespace
    if args.username is not None:
        nacos["username"] = args.username
        nacos["password"] = args.password
    manager = ServiceManager(
        app_config=NacosAppConfig.model_validate(nacos),
        # Passed explicitly: 0.1.15 fails to build its own default (it sets a misspelt attribute).
        service_caller_config=ServiceCallerConfig(),
    )
    await manager.start()
    holder["manager"] = manager
    print(json.dumps({"ready": True, "port": port}), flush=True)
    # Serves until killed (the tests SIGKILL it) or its stdin closes.
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    await stdin_closed
    await manager.stop()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
