import { describe, expect, it } from "vitest";
import { AVATAR_TYPES, sniffFileType } from "../../src/lib/image-type";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe("sniffFileType", () => {
  it("recognises PNG, JPEG, WebP, GIF, PDF and ZIP by their first bytes", () => {
    expect(sniffFileType(bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))?.mime).toBe("image/png");
    expect(sniffFileType(bytes([0xff, 0xd8, 0xff, 0xe0]))?.mime).toBe("image/jpeg");
    expect(sniffFileType(bytes("RIFF", [1, 2, 3, 4], "WEBPVP8 "))?.mime).toBe("image/webp");
    expect(sniffFileType(bytes("GIF89a"))?.mime).toBe("image/gif");
    expect(sniffFileType(bytes("%PDF-1.7"))?.mime).toBe("application/pdf");
    expect(sniffFileType(bytes([0x50, 0x4b, 0x03, 0x04]))?.mime).toBe("application/zip");
  });

  it("answers null for unknown, truncated and lookalike content", () => {
    expect(sniffFileType(bytes("hello world"))).toBeNull();
    expect(sniffFileType(bytes([0x89], "PN"))).toBeNull();
    expect(sniffFileType(bytes("RIFF", [1, 2, 3, 4], "WAVE"))).toBeNull();
    expect(sniffFileType(new Uint8Array())).toBeNull();
  });

  it("restricts to an allowed list", () => {
    expect(sniffFileType(bytes("GIF89a"), AVATAR_TYPES)).toBeNull();
    expect(sniffFileType(bytes([0xff, 0xd8, 0xff]), AVATAR_TYPES)?.ext).toBe("jpg");
  });
});
