/**
 * Unit tests run in plain Node (no DOM); component tests (`*.test.tsx`) ask for jsdom with a
 * `// @vitest-environment jsdom` first line and render with Testing Library, unmounted after each test.
 * The auth store persists to localStorage, so give it a minimal in-memory one, emptied before each test.
 */
import { afterEach, beforeEach } from 'vitest';

class MemoryStorage implements Storage {
  #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, String(value));
  }
}

Object.defineProperty(globalThis, 'localStorage', {
  value: new MemoryStorage(),
  configurable: true,
  writable: true,
});

beforeEach(() => {
  localStorage.clear();
});

afterEach(async () => {
  if (typeof document === 'undefined') return;
  const { cleanup } = await import('@testing-library/react');
  cleanup();
});
