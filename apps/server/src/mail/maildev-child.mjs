/**
 * Runs maildev (a real SMTP server with a web inbox and an HTTP API) for `pnpm start` or a
 * test. maildev keeps module-level state and exits the process on SIGTERM, so it gets a
 * process of its own; it exits as soon as its parent is gone (stdin closes).
 */
import MailDev from 'maildev';

const config = JSON.parse(process.argv[2]);
const maildev = new MailDev({ ...config, ip: '127.0.0.1', silent: true });
maildev.listen().then(
  () => process.stdout.write('maildev ready\n'),
  (err) => {
    process.stderr.write(`maildev failed: ${err && err.message}\n`);
    process.exit(1);
  },
);
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
