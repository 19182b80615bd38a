"""Loads a config folder with yamlpyconfig itself and prints its effective config as JSON.

    python effective_config.py '<json request>'

The request: {"config_dir": ..., "base_profile": str | null, "extend_profiles": str | null,
"config_merge_list": bool, "cwd": str | null, "crypto_algorithm": "sm4" | "sm2" | "sm4_hex" | null, "key": str | null}.
Environment variables (APP_PROFILE, SPRING_PROFILES_ACTIVE, ${VAR} values) are the process's own.
No Nacos: a config-sources section is not started (ConfigManager.start is not called).
Also prints how aio-service-caller's own models read `service-caller` and `app-registry.nacos`.
"""
import json
import os
import sys

from yamlpyconfig import ConfigManager
from yamlpyconfig.models import AlgorithmEnum

request = json.loads(sys.argv[1])
if request.get("cwd"):
    # `file:` items of extend-profiles are relative to the working directory.
    os.chdir(request["cwd"])
algorithm = request.get("crypto_algorithm")
manager = ConfigManager(
    request["config_dir"],
    crypto_algorithm=AlgorithmEnum(algorithm) if algorithm else None,
    key=request.get("key"),
    base_profile=request.get("base_profile"),
    extend_profiles=request.get("extend_profiles"),
    config_merge_list=bool(request.get("config_merge_list")),
)


def plain(value):
    # get_config() is a read-only mappingproxy; dates and the like become strings.
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# How aio-service-caller 0.1.15 reads its own sections from that config (its pydantic models).
from aio_service_caller.models import NacosAppConfig, ServiceCallerConfig

effective = plain(manager.get_config())
service_caller = ServiceCallerConfig.load_service_caller_config(effective)
nacos = NacosAppConfig.load_nacos_config(effective)
print(json.dumps({
    "profile": manager.base_profile,
    "config": effective,
    "service_caller": service_caller.model_dump(by_alias=True, mode="json") if service_caller else None,
    "nacos": nacos.model_dump(by_alias=True, mode="json") if nacos else None,
}))
