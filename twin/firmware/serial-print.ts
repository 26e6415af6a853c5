// Arduino `Print` on a HardwareSerial (STM32duino core 1.9.0): what `Serial2.print(x)` / `println(x)` put on the
// wire. Strings go byte by byte, floats with 2 decimals (print.ts), `println` appends CR LF.
// The firmware has two such outputs: `Serial2` = the debug port (board.serial.debug), and `Serial` / `printf`, which
// both go to USART1 = the modem line (docs/firmware.md §1.7).
import type { SerialPort } from '../board/board.ts';
import { formatFloat, formatHex, formatInt } from './lib/print.ts';

export class SerialPrint {
  readonly port: SerialPort;

  constructor(port: SerialPort) {
    this.port = port;
  }

  print(text: string): void {
    if (text.length > 0) this.port.write(text);
  }

  println(text = ''): void {
    this.port.write(text + '\r\n');
  }

  /** `print(float)`: pass the float32 value; 2 decimals as the core prints them. */
  printFloat(x: number, digits = 2): void {
    this.port.write(formatFloat(x, digits));
  }

  printlnFloat(x: number, digits = 2): void {
    this.port.write(formatFloat(x, digits) + '\r\n');
  }

  printlnInt(x: number): void {
    this.port.write(formatInt(x) + '\r\n');
  }

  /** `println(x, HEX)` */
  printlnHex(x: number): void {
    this.port.write(formatHex(x) + '\r\n');
  }
}
