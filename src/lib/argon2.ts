// argon2id over the reference C implementation compiled to WebAssembly (SIMD), shipped by @phi-ag/argon2 as
// argon2.wasm. Workers cannot compile WebAssembly from bytes at run time, so the module is imported as a `.wasm`
// file (wrangler bundles it precompiled) and only instantiated here. We call its exports directly with bytes:
// the package's own `hash()` passes a string's UTF-16 length as the byte length, which would hash a truncated
// password for anything outside ASCII and disagree with every other implementation.

/** The C exports of argon2.wasm we use (argon2.h of the reference implementation). */
interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  /** argon2_hash(t, m, p, pwd, pwdlen, salt, saltlen, hash, hashlen, encoded, encodedlen, type, version) → 0 on success */
  argon2_hash(
    t: number,
    m: number,
    p: number,
    pwd: number,
    pwdlen: number,
    salt: number,
    saltlen: number,
    hash: number,
    hashlen: number,
    encoded: number,
    encodedlen: number,
    type: number,
    version: number,
  ): number;
  argon2_error_message(code: number): number;
}

const ARGON2ID = 2;
const VERSION_13 = 0x13;

export interface Argon2idInput {
  password: Uint8Array;
  salt: Uint8Array;
  /** Memory in KiB, passes, lanes (RFC 9106 §3.1: m ≥ 8p). */
  m: number;
  t: number;
  p: number;
  /** Tag length in bytes (≥ 4). */
  dkLen: number;
}

/** One instance of the argon2 WebAssembly module; its linear memory grows to the largest `m` hashed and stays. */
export class Argon2Wasm {
  readonly #x: Argon2Exports;

  constructor(module: WebAssembly.Module) {
    this.#x = new WebAssembly.Instance(module, {}).exports as unknown as Argon2Exports;
    this.#x._initialize();
  }

  /**
   * The raw argon2id tag (RFC 9106, version 0x13, no secret, no associated data).
   * @throws Error with the reference implementation's message when the parameters are refused
   */
  argon2id({ password, salt, m, t, p, dkLen }: Argon2idInput): Uint8Array {
    const x = this.#x;
    const pwd = x.malloc(Math.max(1, password.length));
    const slt = x.malloc(Math.max(1, salt.length));
    const out = x.malloc(dkLen);
    try {
      // The heap view is taken after the mallocs: growing memory detaches earlier views.
      new Uint8Array(x.memory.buffer).set(password, pwd);
      new Uint8Array(x.memory.buffer).set(salt, slt);
      const code = x.argon2_hash(
        t,
        m,
        p,
        pwd,
        password.length,
        slt,
        salt.length,
        out,
        dkLen,
        0,
        0,
        ARGON2ID,
        VERSION_13,
      );
      if (code !== 0) throw new Error(`argon2: ${this.#message(code)}`);
      return new Uint8Array(x.memory.buffer).slice(out, out + dkLen);
    } finally {
      // The password must not linger in the module's heap.
      new Uint8Array(x.memory.buffer).fill(0, pwd, pwd + password.length);
      x.free(pwd);
      x.free(slt);
      x.free(out);
    }
  }

  #message(code: number): string {
    const heap = new Uint8Array(this.#x.memory.buffer);
    const start = this.#x.argon2_error_message(code);
    let end = start;
    while (heap[end]) end++;
    return new TextDecoder().decode(heap.subarray(start, end));
  }
}
