// The S3-compatible test endpoint, in its own process so a fault of s3rver cannot take down the
// test runner.
import S3rver from 's3rver';
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

// s3rver 3.7 mimics S3's flat keys with directories and removes a directory once a delete leaves it
// empty. Its putObject creates the directory, awaits, then opens the file: a delete of the last
// sibling in between removes the directory, the write stream's ENOENT goes unhandled and the PUT
// never answers (two of our uploads finishing together under `.tmp/` did that). Real S3 has no
// directories; leaving empty ones behind is the faithful fix.
FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  const fs = await import('node:fs/promises');
  await Promise.all(
    ['object', 'object.md5', 'metadata.json'].map((kind) =>
      fs.unlink(this.getResourcePath(bucket, key, kind)).catch((err) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
};

const [dir, port] = process.argv.slice(2);
process.on('uncaughtException', (e) => {
  // A client that hangs up mid-upload (the crash and resume tests do) surfaces here; nobody waits
  // for that request's answer any more.
  if (e && (e.code === 'ECONNRESET' || e.message === 'aborted')) {
    process.stderr.write(`s3rver: a client hung up mid-request: ${e.message}\n`);
    return;
  }
  // Anything else ends this process (the run's supervisor starts a new one) rather than leaving a
  // request without an answer.
  process.stderr.write(`s3rver failed: ${e && e.stack}\n`);
  process.exit(1);
});
const s3 = new S3rver({ port: Number(port), address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'tessera-test', configs: [] }] });
const { port: actual } = await s3.run();
process.stdout.write(`${actual}\n`);
process.on('SIGTERM', () => void s3.close().then(() => process.exit(0)));
