// ArduinoHttpClient 0.5.0 (HttpClient.cpp), the part `remote.hpp` uses: `responseBody()` and `stop()` on the shared
// TinyGSM client (docs/firmware.md §9.2, the reply). The firmware writes its request by hand with `client.print`,
// so this object is still in `eIdle`: it treats the status line as junk up to the first LF, then parses the headers
// (`Content-Length: `, `Transfer-Encoding: chunked`), waiting up to 30 s for data and polling once a second; the body
// is read until Content-Length bytes, or until 1 s of silence.
import type { GsmClient } from './gsm.ts';

/** `kHttpWaitForDataDelay`: the pause when no header byte is available, ms. */
export const kHttpWaitForDataDelay = 1000;
/** `kHttpResponseTimeout`: no header byte for this long ends the header wait, ms. */
export const kHttpResponseTimeout = 30 * 1000;
const kContentLengthPrefix = 'Content-Length: ';
const kTransferEncodingChunked = 'Transfer-Encoding: chunked';
const kNoContentLengthHeader = -1;

type HttpState = 'eIdle' | 'eStatusCodeRead' | 'eReadingContentLength' | 'eSkipToEndOfHeader' | 'eLineStartingCRFound' |
  'eReadingBody' | 'eReadingChunkLength' | 'eReadingBodyChunk';

export class HttpClient {
  readonly #client: GsmClient;
  readonly #delay: (ms: number) => Promise<void>;
  #state: HttpState = 'eIdle';
  #contentLength = kNoContentLengthHeader;
  #bodyLengthConsumed = 0;
  #contentLengthPtr = 0;
  #chunkedPtr = 0;
  #isChunked = false;
  #chunkLength = 0;

  /** `HttpClient(client, server, port)`; `delay` is the board's (used between header polls). */
  constructor(client: GsmClient, delay: (ms: number) => Promise<void>) {
    this.#client = client;
    this.#delay = delay;
  }

  resetState(): void {
    this.#state = 'eIdle';
    this.#contentLength = kNoContentLengthHeader;
    this.#bodyLengthConsumed = 0;
    this.#contentLengthPtr = 0;
    this.#chunkedPtr = 0;
    this.#isChunked = false;
    this.#chunkLength = 0;
  }

  /** `stop()`: the client's stop, then a state reset. */
  async stop(): Promise<void> {
    await this.#client.stop();
    this.resetState();
  }

  endOfHeadersReached(): boolean {
    return this.#state === 'eReadingBody' || this.#state === 'eReadingChunkLength' || this.#state === 'eReadingBodyChunk';
  }

  async available(): Promise<number> {
    if (this.#state === 'eReadingChunkLength') {
      while (await this.#client.available()) {
        const c = await this.#client.read();
        if (c === 0x0a) { this.#state = 'eReadingBodyChunk'; break; }
        if (c === 0x0d) continue;
        const d = hexDigit(c);
        if (d >= 0) this.#chunkLength = this.#chunkLength * 16 + d;
      }
    }
    if (this.#state === 'eReadingBodyChunk' && this.#chunkLength === 0) this.#state = 'eReadingChunkLength';
    if (this.#state === 'eReadingChunkLength') return 0;
    const clientAvailable = await this.#client.available();
    if (this.#state === 'eReadingBodyChunk') return Math.min(clientAvailable, this.#chunkLength);
    return clientAvailable;
  }

  async read(): Promise<number> {
    if (this.#isChunked && !(await this.available())) return -1;
    return this.#consumed(await this.#client.read());
  }

  /** sync-reads: `read()` when it needs no await (not chunked, the client's byte there), else -2. */
  #readNow(): number {
    if (this.#isChunked) return -2;
    const ret = this.#client.readNow();
    return ret === -2 ? -2 : this.#consumed(ret);
  }

  /** sync-reads: `available()` when it needs no await (not in a chunk, bytes in the client's FIFO), else -1. */
  #availableNow(): number {
    if (this.#state === 'eReadingChunkLength' || this.#state === 'eReadingBodyChunk') return -1;
    return this.#client.availableNow();
  }

  /** `read()`'s bookkeeping of a byte read. */
  #consumed(ret: number): number {
    if (ret >= 0) {
      if (this.endOfHeadersReached() && this.#contentLength > 0) this.#bodyLengthConsumed++;
      if (this.#state === 'eReadingBodyChunk') {
        this.#chunkLength--;
        if (this.#chunkLength === 0) this.#state = 'eReadingChunkLength';
      }
    }
    return ret;
  }

  async readHeader(): Promise<number> {
    return this.#headerByte((await this.read()) & 0xff); // `char c = read();` (char is unsigned on ARM)
  }

  /** `readHeader()` after its read: the header state machine. */
  #headerByte(c: number): number {
    if (this.endOfHeadersReached()) return c;
    switch (this.#state) {
      case 'eStatusCodeRead':
        if (kContentLengthPrefix.charCodeAt(this.#contentLengthPtr) === c) {
          this.#contentLengthPtr++;
          if (this.#contentLengthPtr === kContentLengthPrefix.length) {
            this.#state = 'eReadingContentLength';
            this.#contentLength = 0;
            this.#bodyLengthConsumed = 0;
          }
        } else if (kTransferEncodingChunked.charCodeAt(this.#chunkedPtr) === c) {
          this.#chunkedPtr++;
          if (this.#chunkedPtr === kTransferEncodingChunked.length) {
            this.#isChunked = true;
            this.#state = 'eSkipToEndOfHeader';
          }
        } else if (this.#contentLengthPtr === 0 && this.#chunkedPtr === 0 && c === 0x0d) {
          this.#state = 'eLineStartingCRFound';
        } else {
          this.#state = 'eSkipToEndOfHeader';
        }
        break;
      case 'eReadingContentLength':
        if (c >= 0x30 && c <= 0x39) this.#contentLength = (this.#contentLength * 10 + (c - 0x30)) | 0;
        else this.#state = 'eSkipToEndOfHeader';
        break;
      case 'eLineStartingCRFound':
        if (c === 0x0a) {
          if (this.#isChunked) { this.#state = 'eReadingChunkLength'; this.#chunkLength = 0; }
          else this.#state = 'eReadingBody';
        }
        break;
      default:
        break; // waiting for the end of the line (the status line, in eIdle)
    }
    if (c === 0x0a && !this.endOfHeadersReached()) {
      this.#state = 'eStatusCodeRead';
      this.#contentLengthPtr = 0;
      this.#chunkedPtr = 0;
    }
    return c;
  }

  /** `skipResponseHeaders()`: read header bytes until the blank line; 30 s without a byte gives up. */
  async skipResponseHeaders(): Promise<boolean> {
    let timeoutStart = this.#client.at.millis();
    while (!this.endOfHeadersReached() && ((this.#client.at.millis() - timeoutStart) >>> 0) < kHttpResponseTimeout) {
      // sync-reads: a header byte already there is taken without the awaits (the same calls, the same result).
      if (this.#availableNow() > 0) {
        const r = this.#readNow();
        if (r !== -2) {
          this.#headerByte(r & 0xff);
          timeoutStart = this.#client.at.millis();
          continue;
        }
        await this.readHeader();
        timeoutStart = this.#client.at.millis();
        continue;
      }
      if (await this.available()) {
        await this.readHeader();
        timeoutStart = this.#client.at.millis();
      } else {
        await this.#delay(kHttpWaitForDataDelay);
      }
    }
    return this.endOfHeadersReached();
  }

  async contentLength(): Promise<number> {
    if (!this.endOfHeadersReached()) await this.skipResponseHeaders();
    return this.#contentLength;
  }

  /** `Stream::timedRead()` on this object: `read()` until a byte comes or 1 s passes. */
  async #timedRead(): Promise<number> {
    const start = this.#client.at.millis();
    const now = this.#readNow(); // sync-reads: the first read() without an await when its byte is there
    if (now >= 0) return now;
    do {
      const c = await this.read();
      if (c >= 0) return c;
      if (((this.#client.at.millis() - start) >>> 0) >= 1000) break;
      await this.#client.at.idle();
    } while (((this.#client.at.millis() - start) >>> 0) < 1000);
    return -1;
  }

  /**
   * `responseBody()`: the body as a String. A body shorter than its Content-Length gives an invalid String, which
   * the firmware then handles as an empty one.
   */
  async responseBody(): Promise<string> {
    const bodyLength = await this.contentLength();
    let response = '';
    while (this.#bodyLengthConsumed !== bodyLength) {
      const c = await this.#timedRead();
      if (c === -1) break;
      response += String.fromCharCode(c);
    }
    if (bodyLength > 0 && bodyLength !== response.length) return '';
    return response;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}
