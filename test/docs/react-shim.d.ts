// Just enough of React for the README's snippets (React is not a dependency).
declare module 'react' {
  export function useSyncExternalStore<T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => T): T;
  export function useState<T>(): [T | undefined, (value: T) => void];
  export function useEffect(effect: () => void | (() => void), deps: readonly unknown[]): void;
}
