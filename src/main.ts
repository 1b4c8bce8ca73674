// Entry point of the single binary: `pika --config pika.conf` runs a node.
import * as fs from 'fs';
import yargs from 'yargs';
import { Config, ConfigError } from './common/config';
import { logger, logToDir, setLogLevel } from './common/log';
import { Node } from './dispatch/server';

const VERSION = require('../package.json').version as string;
const log = logger('M');

/** Command-line options that override pika.conf keys of the same name. */
const OVERRIDES = ['port', 'bind', 'db-path', 'log-path', 'pidfile', 'thread-pool-size', 'databases', 'default-slot-num', 'requirepass', 'userpass', 'userblacklist', 'protected-mode', 'sync', 'max-open-slots', 'loglevel'];

async function main(): Promise<void> {
  let parser = yargs(process.argv.slice(2))
    .scriptName('pika')
    .usage('$0 --config pika.conf [--port N] [--db-path DIR] ...')
    .option('config', { alias: 'c', type: 'string', describe: 'pika.conf to read (Pika format: key : value)' })
    .option('manager', { type: 'boolean', describe: 'run the cluster manager instead of a node' });
  for (const key of OVERRIDES) parser = parser.option(key, { type: 'string', describe: `overrides '${key}' of the config file` });
  const argv = parser.version(VERSION).help().strict().parseSync();

  if (argv.manager) {
    process.stderr.write('pika: the cluster manager is not part of this build yet\n');
    process.exit(2);
  }
  let config: Config;
  try {
    config = argv.config ? Config.load(argv.config) : new Config();
    for (const key of OVERRIDES) {
      const v = argv[key];
      if (typeof v === 'string') config.set(key, v, true);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`pika: bad configuration: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  setLogLevel(config.str('loglevel') as 'info');
  if (config.str('log-path')) logToDir(config.str('log-path'));
  const pidfile = config.str('pidfile');
  if (pidfile) fs.writeFileSync(pidfile, `${process.pid}\n`);

  const node = new Node(config);
  try {
    await node.listen();
  } catch (e) {
    log.error(`cannot listen on ${config.str('bind')}:${config.num('port')}: ${(e as Error).message}`);
    await node.shutdown('listen failed');
    process.exit(1);
  }
  log.info(`pika ${VERSION} ready on ${config.str('bind')}:${node.port()} with ${config.num('thread-pool-size')} workers, db-path ${config.str('db-path')}, sync ${config.str('sync')}`);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => void node.shutdown(sig).then(() => process.exit(0)));
  }
}

main().catch((e) => {
  log.error(`fatal: ${(e as Error).stack}`);
  process.exit(1);
});
