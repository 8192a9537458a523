// A value loaded from the API (TanStack Query): cached by key, kept on screen while it is read
// again, with its loading and error states.
import { keepPreviousData, useQuery } from "@tanstack/react-query";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(key: readonly unknown[], load: () => Promise<T>): Loaded<T> {
  const query = useQuery({ queryKey: key, queryFn: load, placeholderData: keepPreviousData });
  return {
    data: query.data,
    error: query.error,
    loading: query.isPending,
    reload: () => void query.refetch(),
  };
}
