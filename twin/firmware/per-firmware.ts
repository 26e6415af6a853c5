// A value kept per running firmware (a memo of what does not change while it runs: its build's defect flags, the LCD
// texts of its scenes), found without a WeakMap lookup when the same firmware asks again, as its interrupt does at
// every tick. The getter holds the firmware that asked last until another one asks.
import type { FirmwareContext } from './firmware-context.ts';

/** A getter of `make(fw)`, made once per firmware. */
export function perFirmware<T>(make: (fw: FirmwareContext) => T): (fw: FirmwareContext) => T {
  const of = new WeakMap<FirmwareContext, T>();
  let lastFw: FirmwareContext | null = null;
  let last: T | undefined;
  return (fw) => {
    if (fw === lastFw) return last!;
    let v = of.get(fw);
    if (v === undefined) {
      v = make(fw);
      of.set(fw, v);
    }
    lastFw = fw;
    last = v;
    return v;
  };
}
