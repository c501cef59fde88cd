import { createContext, useContext } from "react";

/** The per-request CSP nonce (server render only; empty in the browser). */
export const NonceContext = createContext<string | undefined>(undefined);
export const useNonce = () => useContext(NonceContext);
