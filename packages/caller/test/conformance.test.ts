import { testInterceptor } from '@service-caller/testkit';
import { AuthInterceptor, LoggingInterceptor, MetricsInterceptor } from '../src/index.js';
import { RecordingLogger } from './support/recording-logger.js';

testInterceptor({
  name: 'LoggingInterceptor',
  create: () => new LoggingInterceptor({ logger: new RecordingLogger() }),
});
testInterceptor({
  name: 'AuthInterceptor',
  create: () => new AuthInterceptor({ token: 'conformance-token', logger: new RecordingLogger() }),
});
testInterceptor({
  name: 'AuthInterceptor with a token function',
  create: () => new AuthInterceptor({ token: async () => 'rotating', logger: new RecordingLogger() }),
});
testInterceptor({ name: 'MetricsInterceptor', create: () => new MetricsInterceptor() });
