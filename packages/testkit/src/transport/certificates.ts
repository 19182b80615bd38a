import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway CA and a server certificate for 127.0.0.1 signed by it. */
export interface TestCertificates {
  ca: string;
  key: string;
  cert: string;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new Error(
            'testTransport needs the `openssl` command to make its test certificates; install OpenSSL',
          ),
        );
      }
      reject(new Error(`openssl ${args[0]} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/** Made fresh per run with `openssl` in a temporary folder, so no private key is ever committed. */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'service-caller-testkit-'));
  try {
    await writeFile(
      join(dir, 'ca.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        'CN = service-caller testkit CA',
        '[v3_ca]',
        'basicConstraints = critical,CA:TRUE',
        'keyUsage = critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'server.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        'CN = 127.0.0.1',
        '[v3_server]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        'subjectAltName = IP:127.0.0.1,DNS:localhost',
        '',
      ].join('\n'),
    );
    const newKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
    const steps = [
      `req -x509 -new ${newKey} -keyout ca.key -out ca.crt -days 2 -config ca.cnf -extensions v3_ca`,
      `req -new ${newKey} -keyout server.key -out server.csr -config server.cnf`,
      `x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 0x${Date.now().toString(16)} -out server.crt -days 2 -extfile server.cnf -extensions v3_server`,
    ];
    // Every argument is a plain word (the folder is the working directory), so splitting on spaces is exact.
    for (const step of steps) await openssl(step.split(' '), dir);
    const [ca, key, cert] = await Promise.all(
      ['ca.crt', 'server.key', 'server.crt'].map((file) => readFile(join(dir, file), 'utf8')),
    );
    return { ca: ca!, key: key!, cert: cert! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
