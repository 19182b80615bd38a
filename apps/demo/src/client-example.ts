// A declarative client: the greeter's endpoints declared once, then called as typed methods.
// Calls go through the manager, so discovery, the load balancer and the interceptors apply.
import { AuthInterceptor, endpoint, ServiceManager, typed } from '@service-caller/caller';
import { type Greeting, startGreeter } from './greeter.js';

const token = 'client-example-token';
const greeters = [
  await startGreeter({ name: 'greeter-1', host: '127.0.0.1', port: 0, token }),
  await startGreeter({ name: 'greeter-2', host: '127.0.0.1', port: 0, token }),
];
try {
  await using manager = await ServiceManager.create({
    config: {
      appRegistry: {
        static: { services: { greeter: greeters.map((g) => ({ host: g.host, port: g.port })) } },
      },
    },
    interceptors: [new AuthInterceptor({ token })],
  });

  // manager.client is createClient(manager, ...) from @service-caller/core.
  const greeter = manager.client('greeter', {
    hello: endpoint.get('/hello', { query: typed<{ name: string }>(), response: typed<Greeting>() }),
  });

  for (const name of ['Ada', 'Grace', 'Linus']) {
    const greeting = await greeter.hello({ query: { name } });
    console.log(
      `${greeting.message} (${greeting.instance}, port ${greeting.port}, greeting #${greeting.count})`,
    );
  }
} finally {
  await Promise.all(greeters.map((g) => g.close()));
}
