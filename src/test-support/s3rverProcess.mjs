// The S3-compatible test endpoint, in its own process so a fault of s3rver cannot take down the
// test runner. s3rver 3.7 throws an unhandled ENOENT from a write stream when a client aborts an
// upload mid-way (its temp file is already gone); that is the peer's bug, logged and survived here.
import S3rver from 's3rver';

const [dir, port] = process.argv.slice(2);
process.on('uncaughtException', (e) => {
  if (e && e.code === 'ENOENT' && String(e.path).includes('_S3rver_object')) {
    process.stderr.write(`s3rver: ignored its own error on an aborted upload: ${e.message}\n`);
    return;
  }
  process.stderr.write(`s3rver failed: ${e && e.stack}\n`);
  process.exit(1);
});
const s3 = new S3rver({ port: Number(port), address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'tessera-test', configs: [] }] });
const { port: actual } = await s3.run();
process.stdout.write(`${actual}\n`);
process.on('SIGTERM', () => void s3.close().then(() => process.exit(0)));
