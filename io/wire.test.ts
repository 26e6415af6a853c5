import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromWire, toWire } from './wire.ts';

test('a Set of defect knobs, an EEPROM image and NaN survive the trip through Redis text', () => {
  const sent = { defects: new Set(['D14', 'D16']), image: new Uint8Array([0, 1, 254, 255]), mean: NaN, max: -Infinity, n: 3 };
  const got = fromWire<typeof sent>(toWire(sent));
  assert.instance(got.defects, Set);
  assert.equal([...got.defects], ['D14', 'D16']);
  assert.instance(got.image, Uint8Array);
  assert.equal([...got.image], [0, 1, 254, 255]);
  assert.ok(Number.isNaN(got.mean));
  assert.is(got.max, -Infinity);
  assert.is(got.n, 3);
});

test('text that is not a payload is a SyntaxError', () => {
  assert.throws(() => fromWire('{"a":'), SyntaxError);
  assert.throws(() => fromWire('{"$osm":"bogus","v":1}'), SyntaxError);
});

test.run();
