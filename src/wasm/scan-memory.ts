/**
 * The WebAssembly memory a JsonScan works in, sized for a text: the text, then room for the table
 * of `cutPaths` (or the stack of `isJson`) after it. Apart from json-scan.ts so that the executable's
 * loader can read a spec into one before the rest of Headroom has loaded (src/openapi/prefetch.ts),
 * without carrying the WebAssembly module.
 */

const PAGE = 64 * 1024;
/** Where the room after the text starts: a multiple of this. */
export const ALIGN = 16;

/**
 * The most bytes the table of `cutPaths` takes for `text` bytes: two words per value, and a value
 * takes 7 bytes of text at the least (`"x-":0,`).
 */
export function tableBytes(text: number): number {
  return Math.ceil(text / 7) * 8;
}

/**
 * A memory for a text of `size` bytes. The room is reserved now because growing the memory later
 * would move it out from under the text; pages never written take no memory.
 */
export function scanMemory(size: number): WebAssembly.Memory {
  return new WebAssembly.Memory({
    initial: Math.max(1, Math.ceil((size + tableBytes(size) + ALIGN) / PAGE)),
  });
}
