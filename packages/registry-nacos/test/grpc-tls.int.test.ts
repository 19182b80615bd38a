import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryError } from '@service-caller/core';
import { waitFor } from '@service-caller/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nacosRegistry } from '../src/index.js';
import {
  listedPorts,
  NACOS_ADDR,
  NACOS_SERVER,
  ownPort,
  RUN_ID,
  recordingLogger,
  startNacos,
  stopNacos,
} from './support.js';

/**
 * `grpcTls` against a real server's TLS gRPC port. The official servers serve it
 * (`nacos.remote.server.rpc.tls.*`, started by scripts/nacos.sh with NACOS_GRPC_TLS=1); r-nacos
 * 0.8.8 has no TLS (none in its sources or dependencies), so there the test checks that a TLS
 * client against its plaintext port fails clearly. The CA and the server's certificate are made
 * with openssl at test time, in a temp folder removed afterwards: nothing is committed.
 */

const run = promisify(execFile);

/** A throwaway CA, and a certificate for 127.0.0.1 that it signed, in `dir`. */
async function makeCertificates(
  dir: string,
  name: string,
): Promise<{ ca: string; cert: string; key: string }> {
  const at = (file: string) => join(dir, `${name}-${file}`);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name} test CA`,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  // PKCS#8 (what genpkey writes): the server's Netty reads no other PEM key format.
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', at('server.key'));
  await openssl('req', '-new', '-key', at('server.key'), '-subj', '/CN=127.0.0.1', '-out', at('server.csr'));
  await writeFile(
    at('ext.cnf'),
    'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('server.pem'),
  );
  return { ca: await readFile(at('ca.pem'), 'utf8'), cert: at('server.pem'), key: at('server.key') };
}

/** What `promise` rejected with, or `undefined` when it resolved. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// One describe or the other, so that no test is reported skipped on any server kind.
if (NACOS_SERVER !== 'rnacos') {
  describe(`gRPC over TLS against a real ${NACOS_SERVER}`, () => {
    let dir: string;
    let ca: string;
    let otherCa: string;
    let nacos: { port: number; env: Record<string, string> };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nacos-grpc-tls-'));
      const server = await makeCertificates(dir, 'nacos');
      ca = server.ca;
      // A CA that signed nothing the server shows: the "wrong CA" of a misconfigured client.
      otherCa = (await makeCertificates(dir, 'other')).ca;
      nacos = {
        port: ownPort(10),
        env: { NACOS_GRPC_TLS: '1', NACOS_GRPC_TLS_CERT: server.cert, NACOS_GRPC_TLS_KEY: server.key },
      };
      // A server left over from an interrupted run may have other settings: start afresh.
      await stopNacos(nacos);
      await startNacos(nacos);
    });
    afterAll(async () => {
      if (nacos !== undefined) await stopNacos(nacos);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('connects with the right CA, registers, and discovers', async () => {
      const service = `grpc-tls-${RUN_ID}`;
      const { logger, lines } = recordingLogger();
      const owner = nacosRegistry({
        serverAddr: `127.0.0.1:${nacos.port}`,
        apiVersion: 'grpc',
        grpcTls: { ca },
        logger,
      });
      const finder = nacosRegistry({
        serverAddr: `127.0.0.1:${nacos.port}`,
        apiVersion: 'grpc',
        grpcTls: { ca },
        logger: recordingLogger().logger,
      });
      try {
        await owner.register({ serviceName: service, host: '127.0.0.1', port: 7501 });
        expect(
          lines.some((l) => l.message.includes(`gRPC connected to 127.0.0.1:${nacos.port + 1000}`)),
        ).toBe(true);
        // Registered over the TLS connection: the HTTP API lists it, and a TLS subscriber finds it.
        await waitFor(async () => (await listedPorts(nacos.port, service)).includes(7501), {
          timeout: 10_000,
          message: 'the instance in the v1 list',
        });
        expect((await finder.getInstances(service)).map((i) => i.port)).toEqual([7501]);
        await owner.deregister({ serviceName: service, host: '127.0.0.1', port: 7501 });
        await waitFor(() => finder.getCachedInstances?.(service)?.length === 0, {
          timeout: 10_000,
          message: 'the deregistration pushed over TLS',
        });
      } finally {
        await Promise.all([owner.close(), finder.close()]);
      }
    });

    it('fails with a RegistryError naming the TLS handshake when the CA is wrong', async () => {
      const registry = nacosRegistry({
        serverAddr: `127.0.0.1:${nacos.port}`,
        apiVersion: 'grpc',
        grpcTls: { ca: otherCa },
        requestTimeout: 3000,
        logger: recordingLogger().logger,
      });
      try {
        const error = await rejection(
          registry.register({ serviceName: `grpc-tls-wrong-${RUN_ID}`, host: '127.0.0.1', port: 7502 }),
        );
        expect(error).toBeInstanceOf(RegistryError);
        const message = (error as Error).message;
        expect(message).toContain(`127.0.0.1:${nacos.port + 1000}`);
        expect(message).toMatch(/TLS handshake failed .*(certificate|self[- ]signed)/i);
        expect(message).toContain('check grpcTls.ca');
      } finally {
        await registry.close();
      }
    });

    it('serves no plaintext gRPC client (TLS only): a client without grpcTls fails with a RegistryError', async () => {
      const registry = nacosRegistry({
        serverAddr: `127.0.0.1:${nacos.port}`,
        apiVersion: 'grpc',
        requestTimeout: 3000,
        logger: recordingLogger().logger,
      });
      try {
        await expect(
          registry.register({ serviceName: `grpc-tls-plain-${RUN_ID}`, host: '127.0.0.1', port: 7503 }),
        ).rejects.toThrow(RegistryError);
      } finally {
        await registry.close();
      }
    });
  });
} else {
  describe(`gRPC over TLS and ${NACOS_SERVER}`, () => {
    it('r-nacos serves gRPC in plaintext only: a TLS client fails with a RegistryError naming the handshake', async () => {
      const registry = nacosRegistry({
        serverAddr: NACOS_ADDR,
        apiVersion: 'grpc',
        grpcTls: true,
        requestTimeout: 3000,
        logger: recordingLogger().logger,
      });
      try {
        const error = await rejection(
          registry.register({ serviceName: `grpc-tls-rnacos-${RUN_ID}`, host: '127.0.0.1', port: 7504 }),
        );
        expect(error).toBeInstanceOf(RegistryError);
        expect((error as Error).message).toMatch(/TLS handshake failed/);
      } finally {
        await registry.close();
      }
    });
  });
}
