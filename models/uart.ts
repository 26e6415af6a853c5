// The byte-level UART link between two simulated parts (the blue pill's USART3 and the ATM90E26, or a rig's serial
// port and the same chip model).
//
// Contract: the SENDER does the timing. It sends 8N1 characters (start bit, 8 data bits, stop bit: 10 bit times per
// byte) back to back at its own baud rate, and calls the receiver's `receive` at the virtual time the byte's stop bit
// ends at the receiver. The receiver decides from `baud` whether it can decode the byte at all (a receiver set to
// another rate sees garbage).

export interface UartPeer {
  /** One character arrived: `byte` is 0..255, `baud` is the rate the sender used, in bit/s. */
  receive(byte: number, baud: number): void;
}

/**
 * A receiver that lets its sender hold back bytes that do nothing yet (an exact shortcut, `uart-run`): a byte is
 * inert when, received at any time before the next byte that acts, it only extends an input buffer that nothing but
 * the receiver's own `receive` reads (a command line before its CR, a payload before its last byte). The sender may
 * then hand such bytes over together with the next byte that acts, at that byte's time, in order.
 */
export interface UartRunPeer extends UartPeer {
  /**
   * `byte` at `baud` is inert, after the `pendingBefore` bytes the sender has sent this receiver that have not arrived
   * yet (held back, or on their way with events of their own). The sender asks about every byte it sends, in order,
   * also one it cannot hold back whatever the answer (someone watches the wire); so a receiver that counts the bytes
   * it was asked about and the bytes it has received may follow, while its count agrees with `pendingBefore`, the
   * state it will be in when they have arrived (a byte behind a CR on its way that ends a line that cannot be a
   * command only extends the next line). A byte that acts keeps its own event; inert bytes behind it are held back
   * until the next byte that acts.
   */
  inert(byte: number, baud: number, pendingBefore: number): boolean;
  /**
   * Set by a sender that holds bytes back: the receiver calls it before anything but a received byte changes how it
   * takes bytes (a reset, a power cut, a baud change), so the bytes that have arrived by then are received first.
   */
  due: (() => void) | null;
}

export function isUartRunPeer(p: UartPeer | undefined): p is UartRunPeer {
  return p !== undefined && typeof (p as Partial<UartRunPeer>).inert === 'function';
}

/**
 * A receiver whose every byte only lands in a buffer that is read after asking for the bytes due (`due`), such as a
 * board's RX buffer: a sender may hold back all its bytes (`rx-run`), none has to act.
 */
export interface UartBufferPeer extends UartRunPeer {
  readonly buffered: boolean;
}

export function isUartBufferPeer(p: UartPeer | null | undefined): p is UartBufferPeer {
  return p != null && (p as Partial<UartBufferPeer>).buffered === true && isUartRunPeer(p);
}

/** Bits on the wire per character in 8N1 framing: start + 8 data + stop. */
export const UART_BITS_PER_BYTE = 10;

/** Time one 8N1 character occupies on the wire, in microseconds (10 / baud seconds; 1041.67 us at 9600 baud). */
export function byteTimeUs(baud: number): number {
  if (typeof baud !== 'number' || !Number.isFinite(baud) || baud <= 0) {
    throw new RangeError(`UART baud rate must be a positive number of bit/s, got ${String(baud)}`);
  }
  return (UART_BITS_PER_BYTE * 1e6) / baud;
}

/** Throw a clear error unless `byte` is an integer 0..255 (a UART carries bytes, nothing else). */
export function assertUartByte(byte: number): void {
  if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new RangeError(`a UART character must be an integer 0..255, got ${String(byte)}`);
  }
}
