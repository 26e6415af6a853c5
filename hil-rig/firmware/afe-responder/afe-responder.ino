// AFE responder for the OpenSmartMeter HIL rig.
//
// The meter's ATM90E26 is lifted (or its UART lines cut) and this sketch, on an Arduino Mega 2560, answers the meter
// firmware's register reads and writes on the chip's UART in its place. The firmware queues a 3-byte read at 9600
// baud, waits a fixed delay(10) and reads three bytes without checking available(), so the whole reply must be in
// within 10 ms of the request's first byte: a round trip through the host cannot promise that. The responder
// therefore answers from a register mirror held here, which the host keeps current from the project's ATM90E26 model,
// and reports every transaction to the host, which applies the meter's writes to the model.
//
// Wiring: Serial1 (TX1 pin 18 -> meter PB11 = USART3 RX; RX1 pin 19 <- meter PB10 = USART3 TX), common ground,
// 3.3 V levels on the meter side (the Mega's 5 V TX1 through a divider; RX1 reads 3.3 V as HIGH).
// Serial (USB) to the host at 250000 baud (exact at 16 MHz).
//
// Meter side (the chip's UART protocol, 8N1, 9600 baud):
//   write: FE, A (bit 7 = 0), DH, DL, CK = (A + DH + DL) & FF  ->  reply CK
//   read:  FE, A | 80, CK = A | 80                              ->  reply DH, DL, (DH + DL) & FF
//   a wrong checksum: no reply, no write; bytes are ignored until the next FE; a gap of more than 20 ms between the
//   bytes of a transaction aborts it. LastData (06H) holds the value of the last good read or write.
//   Writes to registers the host has not marked writable are answered (checksum echoed) and not stored.
//   Registers the host marks read-clear (SysStatus, the energy registers) are cleared after they are served.
//
// Host side (Serial): fixed 6-byte frames, both directions: SYNC, TYPE, P0, P1, P2, SUM = (TYPE + P0 + P1 + P2) & FF.
//   host -> responder (SYNC A5):
//     'S' addr hi lo   set a mirror register            'A' addr hi lo   add to it (saturating: energy pulses)
//     'O' addr hi lo   OR into it (status bits)         'C' block mask 0 mark registers 8*block..8*block+7 writable
//     'R' block mask 0 mark them read-clear             'L' hi lo 0      reply latency in microseconds
//     'P' seq 0 0      ping
//   responder -> host (SYNC 5A):
//     'r' addr hi lo   a read was served (the value)    'w' addr hi lo   a write was stored
//     'x' addr hi lo   a write to a read-only register  'e' b0 b1 b2     a meter frame with a bad checksum
//     't' n 0 0        a transaction timed out after n bytes
//     'p' seq ver 0    ping answer                      'h' 0 0 0        a host frame with a bad checksum
// The mirror starts all zero, nothing writable, nothing read-clear: the host configures it after reset (a reset
// announces itself with 'p' 0 ver 0).

const uint8_t VERSION = 1;
const uint8_t HOST_SYNC = 0xA5;
const uint8_t DEV_SYNC = 0x5A;
const uint16_t LASTDATA = 0x06;
const unsigned long INTER_BYTE_TIMEOUT_US = 20000UL;

uint16_t mirror[128];
uint8_t writable[16];
uint8_t readClear[16];
uint16_t replyLatencyUs = 500;

// meter transaction state
uint8_t frame[5];
uint8_t frameLen = 0;
unsigned long lastByteUs = 0;

// host frame state
uint8_t hostFrame[6];
uint8_t hostLen = 0;

static bool isMarked(const uint8_t *map, uint8_t addr) { return (map[addr >> 3] >> (addr & 7)) & 1; }

static void report(uint8_t type, uint8_t p0, uint8_t p1, uint8_t p2) {
  uint8_t f[6] = { DEV_SYNC, type, p0, p1, p2, (uint8_t)(type + p0 + p1 + p2) };
  Serial.write(f, 6);
}

static void reply(const uint8_t *bytes, uint8_t n) {
  // the chip answers about 0.5 ms after the last host byte; the host may set another latency
  if (replyLatencyUs > 0) delayMicroseconds(replyLatencyUs);
  Serial1.write(bytes, n);
}

static void meterByte(uint8_t b) {
  unsigned long now = micros();
  if (frameLen > 0 && now - lastByteUs > INTER_BYTE_TIMEOUT_US) {
    report('t', frameLen, 0, 0);
    frameLen = 0;
  }
  lastByteUs = now;
  if (frameLen == 0) {
    if (b == 0xFE) frame[frameLen++] = b;   // anything else between transactions is discarded
    return;
  }
  frame[frameLen++] = b;
  uint8_t a = frame[1];
  if (a & 0x80) {
    if (frameLen < 3) return;
    frameLen = 0;
    if (frame[2] != a) { report('e', frame[0], frame[1], frame[2]); return; }
    uint8_t addr = a & 0x7F;
    uint16_t v = mirror[addr];
    uint8_t out[3] = { (uint8_t)(v >> 8), (uint8_t)v, (uint8_t)((v >> 8) + (v & 0xFF)) };
    reply(out, 3);
    mirror[LASTDATA] = v;
    if (isMarked(readClear, addr)) mirror[addr] = 0;
    report('r', addr, out[0], out[1]);
    return;
  }
  if (frameLen < 5) return;
  frameLen = 0;
  uint8_t ck = (uint8_t)(frame[1] + frame[2] + frame[3]);
  if (frame[4] != ck) { report('e', frame[1], frame[2], frame[3]); return; }
  reply(&ck, 1);
  uint16_t v = ((uint16_t)frame[2] << 8) | frame[3];
  mirror[LASTDATA] = v;
  if (isMarked(writable, a)) {
    mirror[a] = v;
    report('w', a, frame[2], frame[3]);
  } else {
    report('x', a, frame[2], frame[3]);
  }
}

static void hostCommand(const uint8_t *f) {
  uint8_t t = f[1], p0 = f[2], p1 = f[3], p2 = f[4];
  uint8_t addr = p0 & 0x7F;
  uint16_t v = ((uint16_t)p1 << 8) | p2;
  switch (t) {
    case 'S': mirror[addr] = v; break;
    case 'A': { uint32_t s = (uint32_t)mirror[addr] + v; mirror[addr] = s > 0xFFFF ? 0xFFFF : (uint16_t)s; break; }
    case 'O': mirror[addr] |= v; break;
    case 'C': writable[p0 & 15] = p1; break;
    case 'R': readClear[p0 & 15] = p1; break;
    case 'L': replyLatencyUs = ((uint16_t)p0 << 8) | p1; break;
    case 'P': report('p', p0, VERSION, 0); break;
    default: report('h', t, 0, 0); break;
  }
}

static void hostByte(uint8_t b) {
  if (hostLen == 0 && b != HOST_SYNC) return;
  hostFrame[hostLen++] = b;
  if (hostLen < 6) return;
  hostLen = 0;
  uint8_t sum = (uint8_t)(hostFrame[1] + hostFrame[2] + hostFrame[3] + hostFrame[4]);
  if (sum != hostFrame[5]) { report('h', 0, 0, 0); return; }
  hostCommand(hostFrame);
}

void setup() {
  Serial.begin(250000);
  Serial1.begin(9600);
  report('p', 0, VERSION, 0);
}

void loop() {
  // the meter first: its window is the tight one
  while (Serial1.available() > 0) meterByte((uint8_t)Serial1.read());
  if (frameLen > 0 && micros() - lastByteUs > INTER_BYTE_TIMEOUT_US) {
    report('t', frameLen, 0, 0);
    frameLen = 0;
  }
  if (Serial.available() > 0) hostByte((uint8_t)Serial.read());
}
