import { runCli } from './program.js';

// Exit explicitly: a command that finished must not linger on an open handle (pool, socket).
const code = await runCli(process.argv);
process.exit(code);
