import type { ServiceCallerConfig } from '@service-caller/config-yaml';
import type { InstanceRegistration } from '@service-caller/core';
import { detectHostAddress } from '@service-caller/core/node';

/**
 * This service's own instance, when the selected registry section names it: `app-name` + `port`
 * for Nacos, `app-name` + `service-port` for Consul. The static section has no such keys, so a
 * static setup registers nothing from config. The host is `ip`, else the detected address.
 */
export function registrationFromConfig(
  config: ServiceCallerConfig,
  selected: 'nacos' | 'consul' | 'static',
): InstanceRegistration | undefined {
  if (selected === 'nacos') {
    const nacos = config.appRegistry.nacos;
    if (nacos?.appName === undefined || nacos.port === undefined) return undefined;
    return {
      serviceName: nacos.appName,
      host: nacos.ip ?? detectHostAddress(),
      port: nacos.port,
      weight: nacos.weight,
      ...(nacos.metadata === undefined ? {} : { metadata: nacos.metadata }),
    };
  }
  if (selected === 'consul') {
    const consul = config.appRegistry.consul;
    if (consul?.appName === undefined || consul.servicePort === undefined) return undefined;
    return {
      serviceName: consul.appName,
      host: consul.ip ?? detectHostAddress(),
      port: consul.servicePort,
      weight: consul.weight,
      ...(consul.meta === undefined ? {} : { metadata: consul.meta }),
    };
  }
  return undefined;
}
