/** At most `max` tasks at a time; the others wait their turn in order. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: (slot: number) => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const slot = this.running++;
    try {
      return await task(slot % this.max);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
