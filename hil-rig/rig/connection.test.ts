// What a user reads when a rig's serial port does not open.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { portOpenReason } from './connection.ts';

test('a port that does not exist: serialport\'s own reason, said once', async () => {
  const { SerialPort } = await import('serialport');
  const path = '/dev/osm-no-such-port';
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
  const err = await new Promise<Error | null>((resolve) => port.open(resolve));
  assert.ok(err, 'the port opened');
  assert.is(portOpenReason(err!, path), 'no such file or directory');
});

test('a reason that does not name the path is kept whole, its first letter lowered', () => {
  assert.is(portOpenReason(new Error('Permission denied'), '/dev/ttyACM0'), 'permission denied');
  assert.is(portOpenReason(new Error('Error: Resource busy, cannot open /dev/ttyUSB1'), '/dev/ttyUSB1'), 'resource busy');
});

test.run();
