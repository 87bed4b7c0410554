// The API token kept in the browser's localStorage (or any Storage-like object in tests).

const KEY = 'hangar.token';

/** What token storage needs of localStorage. */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Where the API token lives. */
export class TokenStore {
  constructor(private readonly storage: KeyValue | undefined) {}

  get(): string | undefined {
    try {
      return this.storage?.getItem(KEY) || undefined;
    } catch {
      return undefined;
    }
  }

  set(token: string): void {
    this.storage?.setItem(KEY, token.trim());
  }

  clear(): void {
    this.storage?.removeItem(KEY);
  }
}
