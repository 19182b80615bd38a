import { testInterceptor } from '@service-caller/testkit';
import { Registry } from 'prom-client';
import { prometheusInterceptor } from '../src/index.js';

testInterceptor({
  name: 'prometheusInterceptor',
  create: () => prometheusInterceptor({ registry: new Registry() }),
});
testInterceptor({
  name: 'prometheusInterceptor with the instance label',
  create: () => prometheusInterceptor({ registry: new Registry(), instanceLabel: true }),
});
