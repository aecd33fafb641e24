// Just enough of React for the README's `useSyncExternalStore` snippet (React is not a dependency).
declare module 'react' {
  export function useSyncExternalStore<T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => T): T;
}
