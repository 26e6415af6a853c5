// The I2C slave contract between the board's Wire master and the parts on the bus (AT24C32, DS1307).

export interface I2cDevice {
  /** 7-bit address. */
  readonly address: number;
  /** START + address byte: true when the device ACKs (present and not busy). */
  start(read: boolean): boolean;
  /** A data byte from the master; true = ACK. */
  write(byte: number): boolean;
  /** A data byte to the master. */
  read(): number;
  /** STOP condition. */
  stop(): void;
}
