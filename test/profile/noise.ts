/** Seeded, roughly normal noise (an LCG, sum of 12 uniforms), so every run sees the same series. */
export function noise(seed: number): () => number {
  let state = seed;
  return () => {
    let sum = 0;
    for (let i = 0; i < 12; i++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      sum += state / 2147483648;
    }
    return sum - 6;
  };
}
