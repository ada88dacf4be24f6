/** Polls `check` until it holds (for work a background job finishes), failing after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms = 15_000, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
