// The misbehaving-upstream suite the undici transport's tests define (a test helper shared by
// relative path, not a dependency between the packages). Node's fetch is undici inside, so the
// cases are the same, but its errors come wrapped (`TypeError: fetch failed`, the cause below).
import { describeMisbehavingUpstreams } from '../../transport-undici/test/support/misbehaving-suite.js';
import { fetchTransport } from '../src/index.js';

describeMisbehavingUpstreams('fetch transport against misbehaving upstreams', {
  make: (options) => fetchTransport(options),
});
