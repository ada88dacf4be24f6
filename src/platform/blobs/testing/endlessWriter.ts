/**
 * Writes an endless stream into a local blob store, for the crash test: the test kills this
 * process with SIGKILL mid-write and then checks what a new store on the same folder shows.
 */
import { Readable } from 'node:stream';
import { createFileBlobStore } from '../fileBlobStore.js';

const [root, key] = process.argv.slice(2) as [string, string];
const store = await createFileBlobStore(root);
const chunk = Buffer.alloc(256 * 1024, 7);
let announced = false;
const endless = new Readable({
  read() {
    this.push(chunk);
    if (!announced) {
      announced = true;
      process.stdout.write('writing\n');
    }
  },
});
await store.put(key, endless);
