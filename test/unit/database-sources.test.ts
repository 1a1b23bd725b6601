// Database source arguments as plain data: `name=URL` parsing, the URL without its password, network needs.
import * as assert from 'node:assert/strict';
import { databaseSecrets, engineOf, isDatabaseFile, needsNetwork, parseDatabaseArg, withoutPassword } from '../../src/kernel';

describe('database sources (parsing)', () => {
  it('URL or name=URL; the name defaults to the database in the URL', () => {
    assert.deepEqual(parseDatabaseArg('postgresql://u:p%40ss@h:5432/sales'), { name: 'sales', url: 'postgresql://u:p%40ss@h:5432/sales' });
    assert.deepEqual(parseDatabaseArg('crm=mysql://u@db.local/crm?charset=utf8mb4', 'env-pw'), {
      name: 'crm',
      url: 'mysql://u@db.local/crm?charset=utf8mb4',
      password: 'env-pw',
    });
    assert.equal((parseDatabaseArg('sqlite:///data/shop.sqlite') as { name: string }).name, 'shop.sqlite');
  });

  it('a password in the URL wins over RADARM_DB_PASSWORD; secrets are found for masking', () => {
    const s = parseDatabaseArg('postgres://u:inurl@h/db', 'fromenv');
    assert.ok(!('error' in s) && s.password === undefined);
    assert.deepEqual(databaseSecrets([{ name: 'a', url: 'postgres://u:p%40ss@h/db' }, { name: 'b', url: 'mysql://u@h/x', password: 'pw-22' }, { name: 'c', url: 'mysql://u:abc@h/x' }]), ['p@ss', 'pw-22']);
  });

  it('bad URLs are errors that never echo the password', () => {
    const bad = parseDatabaseArg('oracle://u:Secret-1@h/x');
    assert.ok('error' in bad);
    assert.ok(!bad.error.includes('Secret-1'));
    assert.ok('error' in parseDatabaseArg('postgresql:///nohost'));
    assert.ok(!('error' in parseDatabaseArg('postgresql:///db?host=/var/run/postgresql')), 'a unix socket is a host');
  });

  it('withoutPassword, engines, database files and network needs', () => {
    assert.equal(withoutPassword('mysql://u:pw@h:3306/db'), 'mysql://u@h:3306/db');
    assert.equal(engineOf('postgresql+psycopg2://h/db'), 'postgresql');
    assert.equal(engineOf('mariadb://h/db'), 'mysql');
    assert.equal(engineOf('https://h'), undefined);
    assert.ok(isDatabaseFile('/x/a.SQLITE3') && isDatabaseFile('b.db') && !isDatabaseFile('c.csv'));
    assert.equal(needsNetwork([{ name: 'a', url: 'sqlite:///a.sqlite' }]), false);
    assert.equal(needsNetwork([{ name: 'a', url: 'postgresql://h/db' }]), true);
  });
});
